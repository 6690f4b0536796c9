"""REST API v1, review workflow (issue "Review workflow"; docs/ARCHITECTURE.md, "The report's life"
and "API contract (v1)"): every command's happy path and its 404 (not visible), 403 (role)
and 409 (state) twins with nothing changed; required reports; notifications; the watch list;
and one report's whole life through the API with the demo accounts.

The claim race is covered by the service tests (tests/review/test_races.py)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Authority, Membership, Organization
from escalation.models import Deadline
from escalation.rules import summary_due
from notifications.models import Notification
from reports.models import Forwarding, Report, SummaryReport
from reports.services.drafting import report_create
from reports.services.followups import report_followup, report_handling_ended, report_summary
from reports.services.submission import report_submit
from review.services.forwarding import report_forward
from review.services.requests import report_request_info
from review.services.triage import report_acknowledge, report_claim, report_close

LIST = reverse("reports-api:report-list")
REQUIRED = reverse("review-api:required-report-list")
NOTIFICATIONS = reverse("notifications-api:notification-list")
MARK_READ = reverse("notifications-api:notification-read")

SUMMARY_BODY = {
    "cause": "未修补的 VPN 漏洞",
    "emergency_measures": "隔离、切换备用站点",
    "harm": "计费中断 3 小时",
    "accountability": "运维负责人已问责",
    "rectification": "补丁管理流程整改",
    "lessons": "加强漏洞通告跟踪",
}
NEW_FIELDS = {
    "assignee",
    "severity_reviewed",
    "grade_reason",
    "closed_reason",
    "missed",
    "forwarded",
    "followups",
    "info_requests",
    "summary",
    "handling_ended_at",
}


REVIEW_COMMANDS = {
    "claim",
    "assign",
    "acknowledge",
    "grade",
    "request-info",
    "forward",
    "notify",
    "close",
}


def url(action: str, pk) -> str:
    namespace = "review-api" if action in REVIEW_COMMANDS else "reports-api"
    return reverse(f"{namespace}:report-{action}", args=[pk])


def detail(pk) -> str:
    return reverse("reports-api:report-detail", args=[pk])


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


# ---------------------------------------------------------------------------------------
# Reports in each state, driven through the services (real events and history)
# ---------------------------------------------------------------------------------------


def draft(demo, username="operator-general", **overrides) -> Report:
    data = {
        "title": "勒索软件攻击",
        "affected_systems": "ERP 系统",
        "discovered_at": timezone.now() - timedelta(minutes=30),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "业务中断",
        "measures_taken": "隔离",
    }
    data.update(overrides)
    return report_create(user=demo[username], data=data)


def submitted(demo, username="operator-general", **overrides) -> Report:
    report = draft(demo, username, **overrides)
    return report_submit(user=demo[username], pk=report.pk)


def in_review(demo, **overrides) -> Report:
    report = submitted(demo, **overrides)
    return report_claim(user=demo["reviewer-gd"], pk=report.pk)


def closed_receiving(demo) -> Report:
    report = submitted(demo, severity_declared="significant")
    return report_close(user=demo["reviewer-gd"], pk=report.pk, reason="误报")


def national_submitted(demo) -> Report:
    report = in_review(demo)
    return report_forward(user=demo["reviewer-gd"], pk=report.pk)


def national_in_review(demo) -> Report:
    report = national_submitted(demo)
    return report_acknowledge(user=demo["national"], pk=report.pk)


def handling_ended(demo) -> Report:
    report = submitted(demo)
    return report_handling_ended(
        user=demo["operator-general"],
        pk=report.pk,
        handling_ended_at=timezone.now() - timedelta(minutes=5),
    )


STATES = {
    "draft": draft,
    "submitted": submitted,
    "in_review": in_review,
    "closed_receiving": closed_receiving,
    "national_submitted": national_submitted,
    "national_in_review": national_in_review,
    "handling_ended": handling_ended,
}


def snapshot(pk) -> dict:
    """Everything a refused command must leave as it was."""
    report = Report.objects.get(pk=pk)
    return {
        "version": report.version,
        "status": report.status,
        "tier": report.tier,
        "assignee": report.assignee_id,
        "severity": report.severity,
        "severity_reviewed": report.severity_reviewed,
        "grade_reason": report.grade_reason,
        "closed_reason": report.closed_reason,
        "handling_ended_at": report.handling_ended_at,
        "cause": report.cause,
        "history": report.history.count(),
        "events": list(report.events.values_list("kind", flat=True)),
        "followups": report.followups.count(),
        "info_requests": report.info_requests.count(),
        "summary": SummaryReport.objects.filter(report=report).exists(),
        "forwarded": Forwarding.objects.filter(report=report).exists(),
        "deadlines": sorted(report.deadlines.values_list("kind", "outcome")),
        "notifications": Notification.objects.filter(report=report).count(),
    }


def due_in(minutes: int) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


# One row per command: who does it, with which body, in which state it succeeds (ok), in
# which state the same caller is refused (conflict), who sees the report but may not do it
# (forbidden), who may not see it (hidden), and the timeline event it writes.
COMMANDS = {
    "claim": dict(
        actor="reviewer-gd",
        body=dict,
        ok="submitted",
        conflict="in_review",
        forbidden="operator-general",
        hidden="reviewer-bj",
        event="claimed",
        status=200,
    ),
    "assign": dict(
        actor="reviewer-gd",
        body=lambda: {"user": "reviewer-gd"},
        ok="submitted",
        conflict="closed_receiving",
        forbidden="operator-general",
        hidden="reviewer-bj",
        event="assigned",
        status=200,
    ),
    "grade": dict(
        actor="reviewer-gd",
        body=lambda: {"severity": "especially_major", "reason": "影响全省用户"},
        ok="in_review",
        conflict="national_submitted",
        forbidden="operator-general",
        hidden="reviewer-bj",
        event="graded",
        status=200,
    ),
    "request-info": dict(
        actor="reviewer-gd",
        body=lambda: {"question": "受影响用户数量？", "due_at": due_in(60)},
        ok="in_review",
        conflict="closed_receiving",
        forbidden="operator-general",
        hidden="reviewer-bj",
        event="info_requested",
        status=200,
    ),
    "forward": dict(
        actor="reviewer-gd",
        body=dict,
        ok="in_review",
        conflict="national_submitted",
        forbidden="operator-general",
        hidden="reviewer-bj",
        event="forwarded",
        status=200,
    ),
    "notify": dict(
        actor="national",
        body=lambda: {"departments": ["公安部", "工业和信息化部"]},
        ok="national_submitted",
        conflict="submitted",  # still at the receiving tier: the national tier may not yet
        forbidden="operator-general",
        hidden="reviewer-bj",
        event="notified",
        status=200,
    ),
    "acknowledge": dict(
        actor="national",
        body=dict,
        ok="national_submitted",
        conflict="national_in_review",
        forbidden="operator-general",
        hidden="reviewer-bj",
        event="acknowledged",
        status=200,
    ),
    "close": dict(
        actor="national",
        body=lambda: {"reason": "处置完毕"},
        ok="national_in_review",
        conflict="submitted",
        forbidden="operator-general",
        hidden="reviewer-bj",
        event="closed",
        status=200,
    ),
    "followups": dict(
        actor="operator-general",
        body=lambda: {"kind": "supplement", "body": "补充原因分析", "cause": "弱口令"},
        ok="submitted",
        conflict="draft",
        forbidden="reviewer-gd",
        hidden="operator-cii",
        event="followup",
        status=201,
    ),
    "handling-ended": dict(
        actor="operator-general",
        body=lambda: {"handling_ended_at": due_in(-5)},
        ok="submitted",
        conflict="draft",
        forbidden="reviewer-gd",
        hidden="operator-cii",
        event="handling_ended",
        status=200,
    ),
    "summary": dict(
        actor="operator-general",
        body=lambda: dict(SUMMARY_BODY),
        ok="handling_ended",
        conflict="submitted",  # handling has not ended
        forbidden="reviewer-gd",
        hidden="operator-cii",
        event="summary_filed",
        status=201,
    ),
}


# ---------------------------------------------------------------------------------------
# Every command: happy path and its 404 / 403 / 409 / 400 twins
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
class TestCommands:
    def test_happy_path(self, api_for, demo, command):
        spec = COMMANDS[command]
        report = STATES[spec["ok"]](demo)
        before = snapshot(report.pk)
        # when
        response = api_for(spec["actor"]).post(url(command, report.pk), spec["body"](), "json")
        # then
        assert response.status_code == spec["status"], response.data
        after = snapshot(report.pk)
        assert after["events"] == [*before["events"], spec["event"]]
        if spec["status"] == 200:
            body = response.json()
            assert body["id"] == report.pk
            assert body["version"] == after["version"]
            assert body["events"][-1]["kind"] == spec["event"]
            assert body["events"][-1]["actor"] == spec["actor"]

    def test_not_visible_is_404_and_changes_nothing(self, api_for, demo, command):
        spec = COMMANDS[command]
        report = STATES[spec["ok"]](demo)
        before = snapshot(report.pk)
        response = api_for(spec["hidden"]).post(url(command, report.pk), spec["body"](), "json")
        assert response.status_code == 404, response.data
        assert snapshot(report.pk) == before

    def test_not_visible_is_404_even_with_a_bad_body(self, api_for, demo, command):
        spec = COMMANDS[command]
        report = STATES[spec["ok"]](demo)
        response = api_for(spec["hidden"]).post(url(command, report.pk), {"bogus": 1}, "json")
        assert response.status_code == 404

    def test_an_unknown_id_is_404(self, api_for, demo, command):
        spec = COMMANDS[command]
        response = api_for(spec["actor"]).post(url(command, 999999), spec["body"](), "json")
        assert response.status_code == 404

    def test_wrong_role_is_403_and_changes_nothing(self, api_for, demo, command):
        spec = COMMANDS[command]
        report = STATES[spec["ok"]](demo)
        before = snapshot(report.pk)
        response = api_for(spec["forbidden"]).post(url(command, report.pk), spec["body"](), "json")
        assert response.status_code == 403, response.data
        assert snapshot(report.pk) == before

    def test_wrong_state_is_409_and_changes_nothing(self, api_for, demo, command):
        spec = COMMANDS[command]
        report = STATES[spec["conflict"]](demo)
        before = snapshot(report.pk)
        response = api_for(spec["actor"]).post(url(command, report.pk), spec["body"](), "json")
        assert response.status_code == 409, response.data
        assert response.json()["detail"]
        assert snapshot(report.pk) == before

    def test_a_stale_version_is_409_and_changes_nothing(self, api_for, demo, command):
        spec = COMMANDS[command]
        report = STATES[spec["ok"]](demo)
        before = snapshot(report.pk)
        body = {**spec["body"](), "version": report.version - 1}
        response = api_for(spec["actor"]).post(url(command, report.pk), body, "json")
        assert response.status_code == 409, response.data
        assert snapshot(report.pk) == before

    def test_the_current_version_is_accepted(self, api_for, demo, command):
        spec = COMMANDS[command]
        report = STATES[spec["ok"]](demo)
        body = {**spec["body"](), "version": report.version}
        response = api_for(spec["actor"]).post(url(command, report.pk), body, "json")
        assert response.status_code == spec["status"], response.data

    def test_an_unknown_field_is_400_and_changes_nothing(self, api_for, demo, command):
        spec = COMMANDS[command]
        report = STATES[spec["ok"]](demo)
        before = snapshot(report.pk)
        body = {**spec["body"](), "status": "closed", "bogus": 1}
        response = api_for(spec["actor"]).post(url(command, report.pk), body, "json")
        assert response.status_code == 400, response.data
        assert {"status", "bogus"} <= set(response.json())
        assert snapshot(report.pk) == before

    def test_needs_authentication(self, api_for, demo, command, client):
        spec = COMMANDS[command]
        report = STATES[spec["ok"]](demo)
        response = client.post(url(command, report.pk), spec["body"](), "application/json")
        assert response.status_code == 401

    def test_get_is_not_offered(self, api_for, demo, command):
        spec = COMMANDS[command]
        report = STATES[spec["ok"]](demo)
        assert api_for(spec["actor"]).get(url(command, report.pk)).status_code == 405


# ---------------------------------------------------------------------------------------
# What each command does, in detail
# ---------------------------------------------------------------------------------------


class TestClaimAndAssign:
    def test_claim_takes_the_report_into_review(self, api_for, demo):
        report = submitted(demo)
        body = api_for("reviewer-gd").post(url("claim", report.pk), {}, "json").json()
        assert body["status"] == "in_review"
        assert body["assignee"] == "reviewer-gd"

    def test_claim_without_a_body_is_fine(self, api_for, demo):
        report = submitted(demo)
        assert api_for("reviewer-gd").post(url("claim", report.pk)).status_code == 200

    def test_someone_elses_claim_is_named_in_the_409(self, api_for, demo):
        colleague = _colleague()
        report = submitted(demo)
        report_claim(user=colleague, pk=report.pk)
        response = api_for("reviewer-gd").post(url("claim", report.pk), {}, "json")
        assert response.status_code == 409
        assert "reviewer-gd-2" in response.json()["detail"]

    def test_police_may_not_claim_a_copy(self, api_for, demo):
        report = submitted(demo, "operator-cii")
        before = snapshot(report.pk)
        response = api_for("police-liaison").post(url("claim", report.pk), {}, "json")
        assert response.status_code == 403
        assert snapshot(report.pk) == before

    @pytest.mark.parametrize("by", ["username", "id"])
    def test_assign_to_a_colleague_by_username_or_id(self, api_for, demo, by):
        colleague = _colleague()
        report = submitted(demo)
        user = colleague.username if by == "username" else colleague.pk
        response = api_for("reviewer-gd").post(url("assign", report.pk), {"user": user}, "json")
        assert response.status_code == 200, response.data
        body = response.json()
        assert body["assignee"] == "reviewer-gd-2"
        assert body["status"] == "in_review"
        assert body["events"][-1]["note"] == "reviewer-gd-2"

    @pytest.mark.parametrize("user", ["reviewer-bj", "no-such-user", 999999, "national"])
    def test_only_a_colleague_can_be_assigned(self, api_for, demo, user):
        report = submitted(demo)
        before = snapshot(report.pk)
        response = api_for("reviewer-gd").post(url("assign", report.pk), {"user": user}, "json")
        assert response.status_code == 400, response.data
        assert list(response.json()) == ["user"]
        assert snapshot(report.pk) == before

    def test_an_unknown_username_reads_like_a_stranger(self, api_for, demo):
        report = submitted(demo)
        client = api_for("reviewer-gd")
        stranger = client.post(url("assign", report.pk), {"user": "reviewer-bj"}, "json")
        unknown = client.post(url("assign", report.pk), {"user": "nobody-at-all"}, "json")
        assert stranger.json() == unknown.json()

    @pytest.mark.parametrize("user", [None, "", True, 0, -3, [1], {"id": 1}])
    def test_a_malformed_user_is_400(self, api_for, demo, user):
        report = submitted(demo)
        response = api_for("reviewer-gd").post(url("assign", report.pk), {"user": user}, "json")
        assert response.status_code == 400
        assert "user" in response.json()

    def test_the_national_tier_assigns_among_national_officials(self, api_for, demo):
        report = national_submitted(demo)
        response = api_for("national").post(url("assign", report.pk), {"user": "national"}, "json")
        assert response.status_code == 200, response.data
        assert response.json()["assignee"] == "national"


def _colleague():
    user = get_user_model().objects.create_user("reviewer-gd-2", password="x")
    Membership.objects.create(
        user=user, role="reviewer", authority=Authority.objects.get(code="cac-440000")
    )
    return user


class TestGrade:
    def test_graded_up_to_major_opens_the_forward_clock(self, api_for, demo):
        report = in_review(demo, severity_declared="significant")
        assert not report.deadlines.filter(kind="forward").exists()
        # when
        response = api_for("reviewer-gd").post(
            url("grade", report.pk), {"severity": "major", "reason": "影响超过十万用户"}, "json"
        )
        # then
        assert response.status_code == 200, response.data
        body = response.json()
        assert body["severity"] == "major"
        assert body["severity_reviewed"] == "major"
        assert body["severity_declared"] == "significant"
        assert body["grade_reason"] == "影响超过十万用户"
        forward = next(d for d in body["deadlines"] if d["kind"] == "forward")
        assert forward["outcome"] == "open"

    def test_graded_down_closes_the_forward_clock(self, api_for, demo):
        report = in_review(demo)
        response = api_for("reviewer-gd").post(
            url("grade", report.pk), {"severity": "significant", "reason": "影响有限"}, "json"
        )
        forward = next(d for d in response.json()["deadlines"] if d["kind"] == "forward")
        assert forward["outcome"] == "not_required"

    @pytest.mark.parametrize(
        "body, fields",
        [
            ({}, {"severity", "reason"}),
            ({"severity": "huge", "reason": "x"}, {"severity"}),
            ({"severity": "major", "reason": ""}, {"reason"}),
            ({"severity": "major", "reason": "x" * 20_001}, {"reason"}),
        ],
    )
    def test_bad_input_is_400_by_field(self, api_for, demo, body, fields):
        report = in_review(demo)
        before = snapshot(report.pk)
        response = api_for("reviewer-gd").post(url("grade", report.pk), body, "json")
        assert response.status_code == 400
        assert set(response.json()) == fields
        assert snapshot(report.pk) == before

    def test_the_national_tier_grades_a_forwarded_report(self, api_for, demo):
        report = national_submitted(demo)
        response = api_for("national").post(
            url("grade", report.pk), {"severity": "especially_major", "reason": "全国性"}, "json"
        )
        assert response.status_code == 200
        assert response.json()["severity"] == "especially_major"


class TestRequestInfo:
    def test_waits_for_the_operator_and_opens_a_clock(self, api_for, demo):
        report = in_review(demo)
        due = timezone.now() + timedelta(hours=2)
        # when
        response = api_for("reviewer-gd").post(
            url("request-info", report.pk),
            {"question": "请说明受影响用户数量", "due_at": due.isoformat()},
            "json",
        )
        # then
        assert response.status_code == 200, response.data
        body = response.json()
        assert body["status"] == "awaiting_operator"
        [request] = body["info_requests"]
        assert request["question"] == "请说明受影响用户数量"
        assert at(request["due_at"]) == due
        assert request["answered_at"] is None
        assert request["requested_by"] == "reviewer-gd"
        assert request["authority"]["id"] == report.receiving_authority_id
        clock = next(d for d in body["deadlines"] if d["kind"] == "info_request")
        assert clock["outcome"] == "open"
        assert at(clock["due_at"]) == due

    def test_without_a_due_time_no_clock_opens(self, api_for, demo):
        report = in_review(demo)
        body = (
            api_for("reviewer-gd")
            .post(url("request-info", report.pk), {"question": "请补充"}, "json")
            .json()
        )
        assert body["status"] == "awaiting_operator"
        assert "info_request" not in {d["kind"] for d in body["deadlines"]}

    @pytest.mark.parametrize(
        "body, field",
        [
            ({}, "question"),
            ({"question": ""}, "question"),
            ({"question": "?", "due_at": "tomorrow"}, "due_at"),
            ({"question": "?", "due_at": "2020-01-01T00:00:00+08:00"}, "due_at"),
        ],
    )
    def test_bad_input_is_400_by_field(self, api_for, demo, body, field):
        report = in_review(demo)
        before = snapshot(report.pk)
        response = api_for("reviewer-gd").post(url("request-info", report.pk), body, "json")
        assert response.status_code == 400
        assert field in response.json()
        assert snapshot(report.pk) == before


class TestFollowUps:
    def test_a_supplement_is_201_and_updates_the_report(self, api_for, demo):
        report = submitted(demo)
        client = api_for("operator-general")
        # when
        response = client.post(
            url("followups", report.pk),
            {
                "kind": "supplement",
                "body": "补报：原因初步分析",
                "cause": "VPN 弱口令",
                "attack_clues": "境外 IP",
                "indicators": {"people_affected": 20_000_000},
            },
            "json",
        )
        # then
        assert response.status_code == 201, response.data
        followup = response.json()
        assert followup["kind"] == "supplement"
        assert followup["body"] == "补报：原因初步分析"
        assert followup["cause"] == "VPN 弱口令"
        assert followup["created_by"] == "operator-general"
        assert followup["answers"] is None
        body = client.get(detail(report.pk)).json()
        assert body["cause"] == "VPN 弱口令"
        assert body["attack_clues"] == "境外 IP"
        assert [f["id"] for f in body["followups"]] == [followup["id"]]

    def test_a_progress_report_answers_the_open_request(self, api_for, demo):
        report = in_review(demo)
        report_request_info(
            user=demo["reviewer-gd"],
            pk=report.pk,
            question="进展？",
            due_at=timezone.now() + timedelta(hours=1),
        )
        response = api_for("operator-general").post(
            url("followups", report.pk), {"kind": "progress", "body": "已恢复"}, "json"
        )
        assert response.status_code == 201
        body = api_for("operator-general").get(detail(report.pk)).json()
        assert body["status"] == "in_review"
        assert body["info_requests"][0]["answered_at"] is not None
        assert response.json()["answers"] == body["info_requests"][0]["id"]
        clock = next(d for d in body["deadlines"] if d["kind"] == "info_request")
        assert clock["outcome"] == "met"
        assert [e["kind"] for e in body["events"]][-2:] == ["followup", "info_supplied"]

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"body": "x"}, "kind"),
            ({"kind": "other", "body": "x"}, "kind"),
            ({"kind": "progress"}, "body"),
            ({"kind": "progress", "body": "x", "severity_declared": "huge"}, "severity_declared"),
            ({"kind": "progress", "body": "x", "indicators": {"nonsense": 1}}, "indicators"),
            ({"kind": "progress", "body": "x", "title": "new"}, "title"),
        ],
    )
    def test_bad_input_is_400_by_field(self, api_for, demo, body, field):
        report = submitted(demo)
        before = snapshot(report.pk)
        response = api_for("operator-general").post(url("followups", report.pk), body, "json")
        assert response.status_code == 400
        assert field in response.json()
        assert snapshot(report.pk) == before

    def test_also_on_a_closed_report(self, api_for, demo):
        """补报 and 续报 stay possible after closure (issue 11, item 15)."""
        report = closed_receiving(demo)
        response = api_for("operator-general").post(
            url("followups", report.pk), {"kind": "progress", "body": "x"}, "json"
        )
        assert response.status_code == 201
        report.refresh_from_db()
        assert report.status == "closed" and report.followups.count() == 1


class TestForwardNotifyAcknowledgeClose:
    def test_forward_moves_it_to_the_national_tier(self, api_for, demo):
        report = in_review(demo)
        body = api_for("reviewer-gd").post(url("forward", report.pk), {}, "json").json()
        assert body["tier"] == "national"
        assert body["status"] == "submitted"
        assert body["assignee"] is None
        assert body["forwarded"]["automatic"] is False
        assert at(body["forwarded"]["at"]) <= timezone.now()
        forward = next(d for d in body["deadlines"] if d["kind"] == "forward")
        assert forward["outcome"] == "met"

    def test_a_significant_report_is_not_forwarded(self, api_for, demo):
        report = in_review(demo, severity_declared="significant")
        before = snapshot(report.pk)
        response = api_for("reviewer-gd").post(url("forward", report.pk), {}, "json")
        assert response.status_code == 409
        assert snapshot(report.pk) == before

    def test_notify_records_the_departments(self, api_for, demo):
        report = national_submitted(demo)
        body = (
            api_for("national")
            .post(url("notify", report.pk), {"departments": ["公安部", " 国家保密局 "]}, "json")
            .json()
        )
        assert body["events"][-1]["kind"] == "notified"
        assert body["events"][-1]["note"] == "公安部、国家保密局"

    def test_the_receiving_reviewer_notifies_same_level_departments(self, api_for, demo):
        report = in_review(demo)
        response = api_for("reviewer-gd").post(
            url("notify", report.pk), {"departments": ["广东省公安厅"]}, "json"
        )
        assert response.status_code == 200

    @pytest.mark.parametrize("departments", [[], [""], ["x" * 201], ["a"] * 51, "公安部", None])
    def test_notify_needs_department_names(self, api_for, demo, departments):
        report = national_submitted(demo)
        before = snapshot(report.pk)
        response = api_for("national").post(
            url("notify", report.pk), {"departments": departments}, "json"
        )
        assert response.status_code == 400
        assert "departments" in response.json()
        assert snapshot(report.pk) == before

    def test_acknowledge_at_the_national_tier(self, api_for, demo):
        report = national_submitted(demo)
        body = api_for("national").post(url("acknowledge", report.pk), {}, "json").json()
        assert body["status"] == "in_review"
        assert body["assignee"] == "national"

    def test_police_acknowledge_a_copy_without_changing_its_state(self, api_for, demo):
        report = submitted(demo, "operator-cii")
        response = api_for("police-liaison").post(url("acknowledge", report.pk), {}, "json")
        assert response.status_code == 200, response.data
        assert response.json()["status"] == "submitted"
        assert response.json()["events"][-1]["actor"] == "police-liaison"

    def test_police_acknowledge_a_copy_once(self, api_for, demo):
        report = submitted(demo, "operator-cii")
        police = api_for("police-liaison")
        assert police.post(url("acknowledge", report.pk), {}, "json").status_code == 200
        again = police.post(url("acknowledge", report.pk), {}, "json")
        assert again.status_code == 409
        assert again.json()["detail"]
        assert report.events.filter(kind="acknowledged").count() == 1

    def test_close_records_the_reason(self, api_for, demo):
        report = national_in_review(demo)
        body = api_for("national").post(url("close", report.pk), {"reason": "已处置"}, "json")
        assert body.json()["status"] == "closed"
        assert body.json()["closed_reason"] == "已处置"

    def test_a_serious_report_is_not_closed_before_it_is_forwarded(self, api_for, demo):
        report = in_review(demo)
        before = snapshot(report.pk)
        response = api_for("reviewer-gd").post(url("close", report.pk), {"reason": "x"}, "json")
        assert response.status_code == 409
        assert snapshot(report.pk) == before

    def test_the_receiving_reviewer_closes_a_significant_report(self, api_for, demo):
        report = in_review(demo, severity_declared="significant")
        response = api_for("reviewer-gd").post(url("close", report.pk), {"reason": "x"}, "json")
        assert response.status_code == 200
        assert response.json()["status"] == "closed"

    @pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": None}])
    def test_close_needs_a_reason(self, api_for, demo, body):
        report = national_in_review(demo)
        response = api_for("national").post(url("close", report.pk), body, "json")
        assert response.status_code == 400
        assert "reason" in response.json()


class TestHandlingEndedAndSummary:
    def test_handling_ended_opens_the_summary_clock(self, api_for, demo):
        report = submitted(demo)
        ended = timezone.now() - timedelta(minutes=1)
        response = api_for("operator-general").post(
            url("handling-ended", report.pk), {"handling_ended_at": ended.isoformat()}, "json"
        )
        assert response.status_code == 200, response.data
        body = response.json()
        assert at(body["handling_ended_at"]) == ended
        clock = next(d for d in body["deadlines"] if d["kind"] == "summary")
        assert clock["outcome"] == "open"
        assert at(clock["due_at"]) == summary_due(ended)  # 24:00 Beijing of the 30th day

    def test_handling_ends_once(self, api_for, demo):
        report = handling_ended(demo)
        before = snapshot(report.pk)
        response = api_for("operator-general").post(
            url("handling-ended", report.pk), {"handling_ended_at": due_in(-1)}, "json"
        )
        assert response.status_code == 409
        assert snapshot(report.pk) == before

    @pytest.mark.parametrize(
        "body", [{}, {"handling_ended_at": None}, {"handling_ended_at": "soon"}, "future"]
    )
    def test_handling_ended_needs_a_past_instant(self, api_for, demo, body):
        report = submitted(demo)
        before = snapshot(report.pk)
        if body == "future":
            body = {"handling_ended_at": due_in(60)}
        response = api_for("operator-general").post(url("handling-ended", report.pk), body, "json")
        assert response.status_code == 400
        assert "handling_ended_at" in response.json()
        assert snapshot(report.pk) == before

    def test_the_summary_is_201_and_shows_on_the_report(self, api_for, demo):
        report = handling_ended(demo)
        client = api_for("operator-general")
        response = client.post(url("summary", report.pk), SUMMARY_BODY, "json")
        assert response.status_code == 201, response.data
        summary = response.json()
        assert {k: summary[k] for k in SUMMARY_BODY} == SUMMARY_BODY
        assert summary["filed_by"] == "operator-general"
        body = client.get(detail(report.pk)).json()
        assert body["summary"] == summary
        clock = next(d for d in body["deadlines"] if d["kind"] == "summary")
        assert clock["outcome"] == "met"

    def test_the_summary_is_filed_once(self, api_for, demo):
        report = handling_ended(demo)
        client = api_for("operator-general")
        assert client.post(url("summary", report.pk), SUMMARY_BODY, "json").status_code == 201
        before = snapshot(report.pk)
        again = client.post(url("summary", report.pk), SUMMARY_BODY, "json")
        assert again.status_code == 409
        assert snapshot(report.pk) == before

    def test_every_summary_item_is_required(self, api_for, demo):
        report = handling_ended(demo)
        before = snapshot(report.pk)
        response = api_for("operator-general").post(
            url("summary", report.pk), {"cause": "x", "lessons": ""}, "json"
        )
        assert response.status_code == 400
        assert set(response.json()) == set(SUMMARY_BODY) - {"cause"}
        assert snapshot(report.pk) == before


# ---------------------------------------------------------------------------------------
# The report's new fields, and the query budget
# ---------------------------------------------------------------------------------------


class TestReportFields:
    def test_a_fresh_report_carries_the_new_fields_empty(self, api_for, demo):
        report = submitted(demo)
        body = api_for("operator-general").get(detail(report.pk)).json()
        assert set(body) >= NEW_FIELDS
        assert body["assignee"] is None
        assert body["forwarded"] is None
        assert body["summary"] is None
        assert body["followups"] == []
        assert body["info_requests"] == []
        assert body["missed"] is False
        assert body["handling_ended_at"] is None
        assert body["closed_reason"] == ""
        assert body["grade_reason"] == ""
        assert body["severity_reviewed"] == ""

    def test_list_items_carry_them_too(self, api_for, demo):
        submitted(demo)
        [item] = api_for("operator-general").get(LIST).json()["results"]
        assert set(item) >= NEW_FIELDS

    def test_the_new_fields_cannot_be_written(self, api_for, demo):
        report = draft(demo)
        response = api_for("operator-general").patch(
            detail(report.pk),
            {"version": report.version, "assignee": "operator-general", "missed": True},
            "json",
        )
        assert response.status_code == 400
        assert {"assignee", "missed"} <= set(response.json())

    def test_list_query_count_does_not_grow_with_the_workflow(
        self, api_for, demo, django_assert_max_num_queries
    ):
        client = api_for("national")

        def grow(n):
            for _ in range(n):
                report = national_in_review(demo)
                report_request_info(user=demo["national"], pk=report.pk, question="?", due_at=None)
                for kind in ("supplement", "progress"):
                    report_followup(
                        user=demo["operator-general"],
                        pk=report.pk,
                        data={"kind": kind, "body": "新情况"},
                    )
                report_handling_ended(
                    user=demo["operator-general"],
                    pk=report.pk,
                    handling_ended_at=timezone.now() - timedelta(minutes=1),
                )
                report_summary(user=demo["operator-general"], pk=report.pk, data=SUMMARY_BODY)

        grow(1)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST, {"page_size": 100}).status_code == 200
        budget = len(ctx.captured_queries)
        grow(6)
        with django_assert_max_num_queries(budget):
            body = client.get(LIST, {"page_size": 100}).json()
        assert body["count"] == 7
        assert all(len(r["followups"]) == 2 and r["summary"] for r in body["results"])

    def test_detail_query_count_does_not_grow_with_follow_ups(
        self, api_for, demo, django_assert_max_num_queries
    ):
        client = api_for("operator-general")
        report = in_review(demo)

        def follow_up(n):
            for _ in range(n):
                report_followup(
                    user=demo["operator-general"],
                    pk=report.pk,
                    data={"kind": "progress", "body": "x"},
                )
                report_request_info(
                    user=demo["reviewer-gd"], pk=report.pk, question="?", due_at=None
                )

        follow_up(1)
        with CaptureQueriesContext(connection) as ctx:
            client.get(detail(report.pk))
        budget = len(ctx.captured_queries)
        follow_up(8)
        with django_assert_max_num_queries(budget):
            body = client.get(detail(report.pk)).json()
        assert len(body["followups"]) == 9
        assert len(body["info_requests"]) == 9


# ---------------------------------------------------------------------------------------
# Who sees what: the national watch list, public-security copies
# ---------------------------------------------------------------------------------------


class TestVisibility:
    def test_the_national_tier_watches_serious_reports_still_at_the_receiving_tier(
        self, api_for, demo
    ):
        serious = submitted(demo)
        significant = submitted(demo, severity_declared="significant")
        client = api_for("national")
        # when
        listed = [r["id"] for r in client.get(LIST).json()["results"]]
        # then
        assert listed == [serious.pk]
        assert client.get(detail(serious.pk)).json()["tier"] == "receiving"
        assert client.get(detail(significant.pk)).status_code == 404
        notify = client.post(url("notify", significant.pk), {"departments": ["x"]}, "json")
        assert notify.status_code == 404

    def test_a_report_graded_up_joins_the_watch_list(self, api_for, demo):
        report = in_review(demo, severity_declared="significant")
        client = api_for("national")
        assert client.get(detail(report.pk)).status_code == 404
        api_for("reviewer-gd").post(
            url("grade", report.pk), {"severity": "major", "reason": "扩大"}, "json"
        )
        assert client.get(detail(report.pk)).status_code == 200

    def test_police_liaison_sees_cii_copies_only(self, api_for, demo):
        cii = submitted(demo, "operator-cii")
        general = submitted(demo)
        client = api_for("police-liaison")
        assert [r["id"] for r in client.get(LIST).json()["results"]] == [cii.pk]
        assert client.get(detail(general.pk)).status_code == 404
        assert client.post(url("acknowledge", general.pk), {}, "json").status_code == 404


# ---------------------------------------------------------------------------------------
# Required reports (an authority learned of the incident elsewhere)
# ---------------------------------------------------------------------------------------


class TestRequiredReports:
    def test_the_operator_sees_a_draft_with_an_open_file_clock(self, api_for, demo):
        org = Organization.objects.get(memberships__user=demo["operator-general"])
        # when
        response = api_for("reviewer-gd").post(
            REQUIRED,
            {"organization": org.pk, "title": "门户网站被篡改", "note": "网民举报"},
            "json",
        )
        # then
        assert response.status_code == 201, response.data
        created = response.json()
        assert created["status"] == "draft"
        assert created["title"] == "门户网站被篡改"
        assert created["other"] == "网民举报"
        assert created["organization"]["id"] == org.pk
        assert created["missed"] is False
        [listed] = api_for("operator-general").get(LIST).json()["results"]
        assert listed["id"] == created["id"]
        assert listed["status"] == "draft"
        [clock] = listed["deadlines"]
        assert clock["kind"] == "file"
        assert clock["outcome"] == "open"
        assert at(clock["due_at"]) - at(clock["opened_at"]) == timedelta(hours=4)
        kinds = Notification.objects.filter(user=demo["operator-general"]).values_list(
            "kind", flat=True
        )
        assert list(kinds) == ["report_required"]

    def test_the_operator_then_completes_and_submits_it(self, api_for, demo):
        org = Organization.objects.get(memberships__user=demo["operator-general"])
        pk = (
            api_for("reviewer-gd")
            .post(REQUIRED, {"organization": org.pk, "title": "篡改"}, "json")
            .json()["id"]
        )
        client = api_for("operator-general")
        version = client.get(detail(pk)).json()["version"]
        fields = {
            "version": version,
            "affected_systems": "门户",
            "discovered_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
            "location": "广州",
            "category": "0208",
            "severity_declared": "significant",
            "impact_description": "首页被篡改",
            "measures_taken": "下线",
        }
        assert client.patch(detail(pk), fields, "json").status_code == 200
        body = client.post(url("submit", pk), {}, "json").json()
        assert body["status"] == "submitted"
        [clock] = body["deadlines"]
        assert clock["outcome"] == "met"

    @pytest.mark.parametrize("username", ["operator-general", "police-liaison"])
    def test_only_reviewers_and_national_officials_require_reports(self, api_for, demo, username):
        org = Organization.objects.get(memberships__user=demo["operator-general"])
        response = api_for(username).post(REQUIRED, {"organization": org.pk, "title": "x"}, "json")
        assert response.status_code == 403
        assert not Report.objects.exists()

    def test_the_national_tier_may_require_one_too(self, api_for, demo):
        org = Organization.objects.get(memberships__user=demo["operator-cii"])
        response = api_for("national").post(
            REQUIRED, {"organization": org.pk, "title": "电网异常"}, "json"
        )
        assert response.status_code == 201, response.data
        assert response.json()["channel"] == "cii"

    @pytest.mark.parametrize(
        "body, fields",
        [
            ({}, {"organization", "title"}),
            ({"organization": 999999, "title": "x"}, {"organization"}),
            ({"organization": "abc", "title": "x"}, {"organization"}),
            ({"organization": 1, "title": ""}, {"title"}),
            ({"organization": 1, "title": "x" * 201}, {"title"}),
            ({"organization": 1, "title": "x", "status": "submitted"}, {"status"}),
        ],
    )
    def test_bad_input_is_400_by_field(self, api_for, demo, body, fields):
        body = dict(body)
        if body.get("organization") == 1:
            body["organization"] = Organization.objects.first().pk
        response = api_for("reviewer-gd").post(REQUIRED, body, "json")
        assert response.status_code == 400, response.data
        assert set(response.json()) == fields
        assert not Report.objects.exists()

    def test_needs_authentication(self, demo, client):
        assert client.post(REQUIRED, {}, "application/json").status_code == 401


# ---------------------------------------------------------------------------------------
# Notifications (the bell)
# ---------------------------------------------------------------------------------------


class TestNotifications:
    def test_request_info_leaves_the_operator_an_unread_item_and_mark_read_works(
        self, api_for, demo
    ):
        report = in_review(demo)
        api_for("reviewer-gd").post(
            url("request-info", report.pk), {"question": "受影响用户数？"}, "json"
        )
        client = api_for("operator-general")
        # then: one unread item about the report
        unread = client.get(NOTIFICATIONS, {"unread": "true"}).json()
        assert set(unread) == {"count", "next", "previous", "results"}
        [item] = unread["results"]
        assert item["kind"] == "info_requested"
        assert item["report"] == report.pk
        assert item["reference"] == report.reference
        assert "受影响用户数？" in item["message"]
        assert item["unread"] is True
        assert item["read_at"] is None
        # when
        marked = client.post(MARK_READ, {"ids": [item["id"]]}, "json")
        # then
        assert marked.status_code == 200
        assert marked.json() == {"updated": 1}
        assert client.get(NOTIFICATIONS, {"unread": "true"}).json()["count"] == 0
        [read] = client.get(NOTIFICATIONS, {"unread": "false"}).json()["results"]
        assert read["id"] == item["id"]
        assert read["unread"] is False
        assert client.post(MARK_READ, {"ids": [item["id"]]}, "json").json() == {"updated": 0}

    def test_each_user_sees_and_marks_only_their_own(self, api_for, demo):
        report = submitted(demo)  # the reviewers of Guangdong are told
        mine = Notification.objects.get(user=demo["reviewer-gd"], report=report)
        operator = api_for("operator-general")
        assert operator.get(NOTIFICATIONS).json()["count"] == 0
        assert operator.post(MARK_READ, {"ids": [mine.pk]}, "json").json() == {"updated": 0}
        assert operator.post(MARK_READ, {}, "json").json() == {"updated": 0}
        mine.refresh_from_db()
        assert mine.read_at is None
        assert api_for("reviewer-bj").get(NOTIFICATIONS).json()["count"] == 0
        [item] = api_for("reviewer-gd").get(NOTIFICATIONS).json()["results"]
        assert item["kind"] == "report_received"

    def test_without_ids_all_are_marked_read(self, api_for, demo):
        for _ in range(3):
            submitted(demo)
        client = api_for("reviewer-gd")
        assert client.get(NOTIFICATIONS, {"unread": "true"}).json()["count"] == 3
        assert client.post(MARK_READ, {}, "json").json() == {"updated": 3}
        assert client.get(NOTIFICATIONS, {"unread": "true"}).json()["count"] == 0
        assert client.get(NOTIFICATIONS).json()["count"] == 3

    def test_newest_first_and_paginated(self, api_for, demo):
        reports = [submitted(demo) for _ in range(3)]
        body = api_for("reviewer-gd").get(NOTIFICATIONS, {"page_size": 2}).json()
        assert body["count"] == 3
        assert [n["report"] for n in body["results"]] == [reports[2].pk, reports[1].pk]
        assert body["next"]

    @pytest.mark.parametrize(
        "body, field",
        [({"ids": "all"}, "ids"), ({"ids": [0]}, "ids"), ({"id": [1]}, "id")],
    )
    def test_mark_read_refuses_bad_input(self, api_for, demo, body, field):
        response = api_for("operator-general").post(MARK_READ, body, "json")
        assert response.status_code == 400
        assert field in response.json()

    def test_a_bad_unread_value_is_400(self, api_for, demo):
        response = api_for("operator-general").get(NOTIFICATIONS, {"unread": "maybe"})
        assert response.status_code == 400
        assert "unread" in response.json()

    def test_needs_authentication(self, demo, client):
        assert client.get(NOTIFICATIONS).status_code == 401
        assert client.post(MARK_READ, {}, "application/json").status_code == 401


# ---------------------------------------------------------------------------------------
# One report's whole life, through the API only, with the demo accounts
# ---------------------------------------------------------------------------------------

DISCOVERED = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 09:00 in Beijing


def test_the_whole_journey_through_the_api(api_for, demo):
    operator, reviewer, national = (
        api_for("operator-general"),
        api_for("reviewer-gd"),
        api_for("national"),
    )

    def step(minutes, client, action, body=None, *, pk=None, expect=200):
        with time_machine.travel(DISCOVERED + timedelta(minutes=minutes), tick=False):
            response = client.post(url(action, pk) if pk else LIST, body or {}, "json")
        assert response.status_code == expect, (action, response.data)
        return response.json()

    # the operator files a significant report: create, then submit
    created = step(
        10,
        operator,
        None,
        {
            "title": "计费系统遭入侵",
            "affected_systems": "计费系统，12 台服务器",
            "discovered_at": DISCOVERED.isoformat(),
            "location": "广州",
            "category": "0208",
            "severity_declared": "significant",
            "impact_description": "计费中断",
            "measures_taken": "切换备用站点",
        },
        expect=201,
    )
    pk = created["id"]
    body = step(30, operator, "submit", pk=pk)
    assert (body["status"], body["severity"]) == ("submitted", "significant")
    assert {d["kind"] for d in body["deadlines"]} == {"file"}  # significant: no forward clock
    # not on the national watch list yet
    with time_machine.travel(DISCOVERED + timedelta(minutes=31), tick=False):
        assert national.get(detail(pk)).status_code == 404

    # reviewer-gd claims and grades it 重大 (major): the forward clock opens
    body = step(40, reviewer, "claim", {"version": body["version"]}, pk=pk)
    assert body["assignee"] == "reviewer-gd"
    body = step(45, reviewer, "grade", {"severity": "major", "reason": "影响全省计费"}, pk=pk)
    forward = next(d for d in body["deadlines"] if d["kind"] == "forward")
    assert at(forward["opened_at"]) == DISCOVERED + timedelta(minutes=45)
    assert at(forward["due_at"]) == DISCOVERED + timedelta(minutes=105)
    with time_machine.travel(DISCOVERED + timedelta(minutes=46), tick=False):
        assert national.get(detail(pk)).json()["tier"] == "receiving"  # watch list

    # … and asks for more information, due in two hours
    due = DISCOVERED + timedelta(minutes=170)
    body = step(
        50, reviewer, "request-info", {"question": "攻击入口？", "due_at": due.isoformat()}, pk=pk
    )
    assert body["status"] == "awaiting_operator"
    with time_machine.travel(DISCOVERED + timedelta(minutes=55), tick=False):
        bell = operator.get(NOTIFICATIONS, {"unread": "true"}).json()["results"]
    assert "info_requested" in [n["kind"] for n in bell]

    # the operator answers with a supplement (补报)
    followup = step(
        60,
        operator,
        "followups",
        {"kind": "supplement", "body": "攻击入口为 VPN", "attack_clues": "VPN 弱口令"},
        pk=pk,
        expect=201,
    )
    assert followup["answers"] == body["info_requests"][0]["id"]

    # the reviewer forwards it; the national tier acknowledges, notifies, closes
    body = step(70, reviewer, "forward", pk=pk)
    assert (body["tier"], body["status"]) == ("national", "submitted")
    body = step(80, national, "acknowledge", pk=pk)
    assert (body["status"], body["assignee"]) == ("in_review", "national")
    body = step(85, national, "notify", {"departments": ["公安部", "国家发展改革委"]}, pk=pk)
    body = step(90, national, "close", {"reason": "处置完毕", "version": body["version"]}, pk=pk)
    assert body["status"] == "closed"

    # the operator records the end of handling, then files the summary report
    ended = DISCOVERED + timedelta(days=1)
    body = step(
        2 * 24 * 60, operator, "handling-ended", {"handling_ended_at": ended.isoformat()}, pk=pk
    )
    summary_clock = next(d for d in body["deadlines"] if d["kind"] == "summary")
    # 09:00 on 26 Nov in Beijing: due at 24:00 on 26 Dec, Beijing (issue 11, item 14)
    assert at(summary_clock["due_at"]) == datetime(2026, 12, 26, 16, 0, tzinfo=UTC)
    step(10 * 24 * 60, operator, "summary", SUMMARY_BODY, pk=pk, expect=201)

    # then: the timeline, in order, and every clock met
    with time_machine.travel(DISCOVERED + timedelta(days=10, minutes=1), tick=False):
        body = operator.get(detail(pk)).json()
    assert [e["kind"] for e in body["events"]] == [
        "created",
        "submitted",
        "claimed",
        "graded",
        "info_requested",
        "followup",
        "info_supplied",
        "forwarded",
        "acknowledged",
        "notified",
        "closed",
        "handling_ended",
        "summary_filed",
    ]
    assert [e["actor"] for e in body["events"]] == [
        "operator-general",
        "operator-general",
        "reviewer-gd",
        "reviewer-gd",
        "reviewer-gd",
        "operator-general",
        "operator-general",
        "reviewer-gd",
        "national",
        "national",
        "national",
        "operator-general",
        "operator-general",
    ]
    clocks = {d["kind"]: d for d in body["deadlines"]}
    assert set(clocks) == {"file", "forward", "info_request", "summary"}
    assert {kind: d["outcome"] for kind, d in clocks.items()} == dict.fromkeys(clocks, "met")
    assert not any(d["breached"] for d in body["deadlines"])
    assert at(clocks["forward"]["met_at"]) == DISCOVERED + timedelta(minutes=70)
    assert at(clocks["info_request"]["met_at"]) == DISCOVERED + timedelta(minutes=60)
    assert body["severity"] == body["severity_reviewed"] == "major"
    assert body["grade_reason"] == "影响全省计费"
    assert body["closed_reason"] == "处置完毕"
    assert body["forwarded"]["automatic"] is False
    assert at(body["forwarded"]["at"]) == DISCOVERED + timedelta(minutes=70)
    assert body["attack_clues"] == "VPN 弱口令"
    assert [f["kind"] for f in body["followups"]] == ["supplement"]
    assert body["info_requests"][0]["answered_at"] is not None
    assert body["summary"]["lessons"] == SUMMARY_BODY["lessons"]
    assert body["missed"] is False
    assert Deadline.objects.filter(report_id=pk, lateness__isnull=False).count() == 0
