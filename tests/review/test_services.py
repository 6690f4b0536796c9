"""The review services, one by one: the row each writes, the timeline event it records, the
history entry it leaves, and the notifications and clocks it is responsible for. State is
driven through the services only; time is the `now` each one is given."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.models import Authority, Membership
from core.exceptions import ActionForbidden, InvalidTransition
from notifications.models import Notification
from reports.constants import Severity
from reports.models import Forwarding, InfoRequest, Report
from review.services.forwarding import report_forward, report_notify
from review.services.requests import report_request_info, report_require
from review.services.triage import (
    report_acknowledge,
    report_assign,
    report_claim,
    report_close,
    report_grade,
)
from tests.helpers import submitted_report

submitted = submitted_report


def fresh(report) -> Report:
    return Report.objects.get(pk=report.pk)


def records(obj) -> list:
    return list(obj.history.order_by("history_id"))


def last_change(obj):
    """The newest historical record and the fields it changed against the one before."""
    *_, before, after = records(obj)
    return after, set(after.diff_against(before).changed_fields)


def told(report, kind) -> set[str]:
    return set(
        Notification.objects.filter(report=report, kind=kind).values_list(
            "user__username", flat=True
        )
    )


@pytest.fixture
def org(demo):
    return demo["operator-general"].memberships.get().organization


# --- report_claim --------------------------------------------------------------------------


def test_claim_takes_the_report_in_review_for_the_reviewer(demo, now):
    gd = demo["reviewer-gd"]
    report = submitted(demo, now)
    later = now + timedelta(minutes=3)
    # when
    report_claim(user=gd, pk=report.pk, now=later)
    # then
    report = fresh(report)
    assert (report.status, report.assignee, report.version) == ("in_review", gd, 3)
    record, changed = last_change(report)
    assert record.history_type == "~" and changed == {"status", "assignee", "version"}
    event = report.events.get(kind="claimed")
    assert (event.actor, event.at, event.automatic) == (gd, later, False)


def test_claim_sends_no_notification_and_leaves_the_clocks(demo, now):
    report = submitted(demo, now)
    before = list(report.deadlines.values_list("kind", "outcome"))
    report_claim(user=demo["reviewer-gd"], pk=report.pk, now=now)
    assert list(report.deadlines.values_list("kind", "outcome")) == before
    assert set(Notification.objects.filter(report=report).values_list("kind", flat=True)) == {
        "report_received"
    }


def test_a_second_claim_is_refused_and_names_the_holder(demo, now):
    report = submitted(demo, now)
    report_claim(user=demo["reviewer-gd"], pk=report.pk, now=now)
    colleague = get_user_model().objects.create_user("reviewer-gd-2")
    Membership.objects.create(
        user=colleague,
        role=Membership.Role.REVIEWER,
        authority=Authority.objects.get(code="cac-440000"),
    )
    with pytest.raises(InvalidTransition, match="reviewer-gd"):
        report_claim(user=colleague, pk=report.pk, now=now)
    assert fresh(report).assignee == demo["reviewer-gd"]
    assert report.events.filter(kind="claimed").count() == 1


# --- report_assign -------------------------------------------------------------------------


def test_assign_gives_the_report_to_a_colleague_and_names_them(demo, now):
    gd = demo["reviewer-gd"]
    colleague = get_user_model().objects.create_user("reviewer-gd-2")
    Membership.objects.create(
        user=colleague,
        role=Membership.Role.REVIEWER,
        authority=Authority.objects.get(code="cac-440000"),
    )
    report = submitted(demo, now)
    # when
    report_assign(user=gd, pk=report.pk, assignee=colleague, now=now)
    # then
    report = fresh(report)
    assert (report.assignee, report.status) == (colleague, "in_review")
    record, changed = last_change(report)
    assert record.history_type == "~" and changed == {"assignee", "status", "version"}
    event = report.events.get(kind="assigned")
    assert (event.actor, event.note, event.at) == (gd, "reviewer-gd-2", now)


def test_assign_keeps_a_report_that_awaits_the_operator_waiting(demo, now):
    gd = demo["reviewer-gd"]
    report = submitted(demo, now)
    report_claim(user=gd, pk=report.pk, now=now)
    report_request_info(user=gd, pk=report.pk, question="日志？", now=now)
    report_assign(user=gd, pk=report.pk, assignee=gd, now=now)
    assert fresh(report).status == "awaiting_operator"


def test_assign_to_someone_outside_the_authority_is_refused(demo, now):
    report = submitted(demo, now)
    for outsider in ("reviewer-bj", "national", "operator-general"):
        with pytest.raises(ValidationError):
            report_assign(user=demo["reviewer-gd"], pk=report.pk, assignee=demo[outsider], now=now)
    assert fresh(report).assignee is None
    assert not report.events.filter(kind="assigned").exists()


def test_at_the_national_tier_the_national_official_assigns(demo, now):
    nat = demo["national"]
    report = submitted(demo, now)
    report_forward(user=demo["reviewer-gd"], pk=report.pk, now=now)
    report_assign(user=nat, pk=report.pk, assignee=nat, now=now)
    report = fresh(report)
    assert (report.assignee, report.status, report.tier) == (nat, "in_review", "national")
    assert report.events.get(kind="assigned").note == "national"


# --- report_acknowledge --------------------------------------------------------------------


def test_the_national_tier_acknowledges_a_forwarded_report_and_holds_it(demo, now):
    nat = demo["national"]
    report = submitted(demo, now)
    report_forward(user=demo["reviewer-gd"], pk=report.pk, now=now)
    later = now + timedelta(minutes=7)
    # when
    report_acknowledge(user=nat, pk=report.pk, now=later)
    # then
    report = fresh(report)
    assert (report.status, report.tier, report.assignee) == ("in_review", "national", nat)
    record, changed = last_change(report)
    assert record.history_type == "~" and changed == {"status", "assignee", "version"}
    event = report.events.get(kind="acknowledged")
    assert (event.actor, event.at, event.automatic) == (nat, later, False)


def test_a_police_liaison_acknowledges_its_copy_once_without_changing_the_report(demo, now):
    police = demo["police-liaison"]
    report = submitted(demo, now, suspected_crime=True)
    history_before = len(records(report))
    # when
    report_acknowledge(user=police, pk=report.pk, now=now)
    # then: only the timeline says so
    report = fresh(report)
    assert (report.status, report.assignee, report.version) == ("submitted", None, 2)
    assert len(records(report)) == history_before
    event = report.events.get(kind="acknowledged")
    assert (event.actor, event.at) == (police, now)
    with pytest.raises(InvalidTransition):
        report_acknowledge(user=police, pk=report.pk, now=now)
    assert report.events.filter(kind="acknowledged").count() == 1


def test_the_liaison_acknowledges_a_cii_copy(demo, now):
    report = submitted(demo, now, username="operator-cii")
    report_acknowledge(user=demo["police-liaison"], pk=report.pk, now=now)
    assert report.events.get(kind="acknowledged").actor == demo["police-liaison"]


# --- report_grade --------------------------------------------------------------------------


def test_grade_records_the_level_and_reason_and_says_from_what_to_what(demo, now):
    gd = demo["reviewer-gd"]
    report = submitted(demo, now, severity_declared="significant")
    # when
    report_grade(user=gd, pk=report.pk, severity="major", reason=" 影响扩大 ", now=now)
    # then
    report = fresh(report)
    assert (report.severity_reviewed, report.severity, report.grade_reason) == (
        "major",
        "major",
        "影响扩大",
    )
    record, changed = last_change(report)
    assert record.history_type == "~"
    assert changed == {"severity_reviewed", "grade_reason", "severity", "version"}
    event = report.events.get(kind="graded")
    assert event.actor == gd and event.at == now
    assert event.note == f"{Severity.SIGNIFICANT.label} → {Severity.MAJOR.label}: 影响扩大"


def test_a_grade_that_changes_the_level_tells_the_reporters(demo, now):
    report = submitted(demo, now, severity_declared="significant")
    report_grade(user=demo["reviewer-gd"], pk=report.pk, severity="major", reason="r", now=now)
    assert told(report, "grade_changed") == {"operator-general"}


def test_a_grade_that_confirms_the_level_tells_nobody(demo, now):
    report = submitted(demo, now, severity_declared="significant")
    report_grade(
        user=demo["reviewer-gd"], pk=report.pk, severity="significant", reason="确认", now=now
    )
    assert told(report, "grade_changed") == set()
    assert report.events.filter(kind="graded").count() == 1


def test_grading_up_to_major_opens_the_forward_clock_at_that_moment(demo, now):
    report = submitted(demo, now, severity_declared="significant")
    later = now + timedelta(minutes=15)
    report_grade(user=demo["reviewer-gd"], pk=report.pk, severity="major", reason="r", now=later)
    clock = report.deadlines.get(kind="forward")
    assert clock.outcome == "open" and clock.opened_at == later
    assert clock.act_at == later + timedelta(minutes=55)


def test_grading_down_closes_the_forward_clock_as_not_required_with_the_reason(demo, now):
    report = submitted(demo, now)
    later = now + timedelta(minutes=15)
    report_grade(
        user=demo["reviewer-gd"],
        pk=report.pk,
        severity="significant",
        reason="核实后降级",
        now=later,
    )
    clock = report.deadlines.get(kind="forward")
    assert clock.outcome == "not_required" and clock.acted_at == later
    assert "reviewer-gd" in clock.closed_reason and "核实后降级" in clock.closed_reason
    assert clock.next_fire_at is None


def test_grading_up_a_voluntary_report_records_whether_it_was_filed_in_time(demo, now):
    report = submitted(demo, now, severity_declared="general")
    assert not report.deadlines.exists()
    report_grade(
        user=demo["reviewer-gd"],
        pk=report.pk,
        severity="significant",
        reason="r",
        now=now + timedelta(hours=1),
    )
    clock = report.deadlines.get(kind="file")
    assert clock.opened_at == now - timedelta(minutes=30)
    assert clock.outcome == "met" and clock.met_at == now  # the submission time


def test_a_grade_needs_a_valid_level_and_a_reason(demo, now):
    report = submitted(demo, now)
    for severity, reason in (("huge", "r"), ("major", "  ")):
        with pytest.raises(ValidationError):
            report_grade(
                user=demo["reviewer-gd"], pk=report.pk, severity=severity, reason=reason, now=now
            )
    assert fresh(report).severity_reviewed == ""
    assert not report.events.filter(kind="graded").exists()


# --- report_close --------------------------------------------------------------------------


def test_close_records_the_status_and_reason(demo, now):
    gd = demo["reviewer-gd"]
    report = submitted(demo, now, severity_declared="significant")
    # when
    report_close(user=gd, pk=report.pk, reason=" 已处置完毕 ", now=now)
    # then
    report = fresh(report)
    assert (report.status, report.closed_reason) == ("closed", "已处置完毕")
    record, changed = last_change(report)
    assert record.history_type == "~" and changed == {"status", "closed_reason", "version"}
    event = report.events.get(kind="closed")
    assert (event.actor, event.note, event.at) == (gd, "已处置完毕", now)


def test_close_cancels_the_open_request_clock(demo, now):
    gd = demo["reviewer-gd"]
    report = submitted(demo, now, severity_declared="significant")
    report_request_info(
        user=gd, pk=report.pk, question="q", due_at=now + timedelta(hours=1), now=now
    )
    later = now + timedelta(minutes=10)
    report_close(user=gd, pk=report.pk, reason="r", now=later)
    clock = report.deadlines.get(kind="info_request")
    assert clock.outcome == "not_required" and clock.acted_at == later
    assert clock.next_fire_at is None


def test_a_serious_report_is_closed_only_at_the_national_tier(demo, now):
    report = submitted(demo, now)
    with pytest.raises(InvalidTransition):
        report_close(user=demo["reviewer-gd"], pk=report.pk, reason="r", now=now)
    report_forward(user=demo["reviewer-gd"], pk=report.pk, now=now)
    report_acknowledge(user=demo["national"], pk=report.pk, now=now)
    report_close(user=demo["national"], pk=report.pk, reason="结案", now=now)
    report = fresh(report)
    assert (report.status, report.tier) == ("closed", "national")
    assert report.events.get(kind="closed").actor == demo["national"]


# --- report_request_info -------------------------------------------------------------------


def test_request_info_writes_the_question_and_waits_for_the_operator(demo, now):
    gd = demo["reviewer-gd"]
    report = submitted(demo, now)
    due = now + timedelta(hours=2)
    # when
    request = report_request_info(
        user=gd, pk=report.pk, question=" 请提供日志 ", due_at=due, now=now
    )
    # then the row
    request = InfoRequest.objects.get(pk=request.pk)
    assert request.report == report and request.authority.code == "cac-440000"
    assert (request.question, request.due_at) == ("请提供日志", due)
    assert (request.requested_by, request.requested_at, request.answered_at) == (gd, now, None)
    assert request.history.get().history_type == "+"
    # the report
    report = fresh(report)
    assert report.status == "awaiting_operator"
    record, changed = last_change(report)
    assert record.history_type == "~" and changed == {"status", "version"}
    event = report.events.get(kind="info_requested")
    assert (event.actor, event.at) == (gd, now) and "请提供日志" in event.note
    assert told(report, "info_requested") == {"operator-general"}


def test_request_info_with_a_due_time_opens_its_clock(demo, now):
    report = submitted(demo, now)
    due = now + timedelta(hours=2)
    report_request_info(user=demo["reviewer-gd"], pk=report.pk, question="q", due_at=due, now=now)
    clock = report.deadlines.get(kind="info_request")
    assert clock.outcome == "open" and clock.opened_at == now
    assert clock.statutory_due_at == clock.due_at == due
    assert clock.next_fire_at == now + timedelta(hours=1)  # 50 %


def test_request_info_without_a_due_time_opens_no_clock(demo, now):
    report = submitted(demo, now)
    report_request_info(user=demo["reviewer-gd"], pk=report.pk, question="q", now=now)
    assert not report.deadlines.filter(kind="info_request").exists()


def test_the_national_tier_asks_in_the_name_of_the_national_cac(demo, now):
    report = submitted(demo, now)
    report_forward(user=demo["reviewer-gd"], pk=report.pk, now=now)
    request = report_request_info(user=demo["national"], pk=report.pk, question="q", now=now)
    assert request.authority.code == "national-cac"
    assert fresh(report).status == "awaiting_operator"


def test_request_info_refuses_an_empty_question_or_a_past_due_time(demo, now):
    report = submitted(demo, now)
    for question, due in (("  ", None), ("q", now)):
        with pytest.raises(ValidationError):
            report_request_info(
                user=demo["reviewer-gd"], pk=report.pk, question=question, due_at=due, now=now
            )
    assert not report.info_requests.exists() and fresh(report).status == "submitted"


# --- report_require ------------------------------------------------------------------------


def test_require_creates_a_draft_for_the_operator_required_by_the_authority(demo, now, org):
    gd = demo["reviewer-gd"]
    # when
    report = report_require(
        user=gd, organization=org, title=" 监测发现数据泄露 ", note="来源：监测", now=now
    )
    # then the row
    report = fresh(report)
    assert (report.status, report.organization, report.title) == ("draft", org, "监测发现数据泄露")
    assert report.requested_by.code == "cac-440000" and report.requested_at == now
    assert report.created_by == gd and report.other == "来源：监测"
    assert report.reference == f"CSIR-2026-{report.pk:06d}"
    assert report.receiving_authority.code == "cac-440000"
    (record,) = records(report)
    assert record.history_type == "+" and record.reference == report.reference
    # the event
    (event,) = report.events.all()
    assert (event.kind, event.actor, event.at) == ("created", gd, now)
    assert "监测发现数据泄露" in event.note
    # the filing clock from now, and the operator is told
    clock = report.deadlines.get()
    assert (clock.kind, clock.opened_at, clock.outcome) == ("file", now, "open")
    assert clock.statutory_due_at == now + timedelta(hours=4)
    assert told(report, "report_required") == {"operator-general"}


def test_a_reviewer_requires_only_operators_that_report_to_it(demo, now):
    cii_org = demo["operator-cii"].memberships.get().organization
    with pytest.raises(ValidationError):
        report_require(user=demo["reviewer-gd"], organization=cii_org, title="x", now=now)
    with pytest.raises(ActionForbidden):
        report_require(user=demo["police-liaison"], organization=cii_org, title="x", now=now)
    assert not Report.objects.filter(organization=cii_org).exists()


def test_the_national_tier_requires_any_operator(demo, now):
    cii_org = demo["operator-cii"].memberships.get().organization
    report = report_require(user=demo["national"], organization=cii_org, title="x", now=now)
    assert report.requested_by.code == "national-cac" and report.channel == "cii"
    assert report.deadlines.get().statutory_due_at == now + timedelta(hours=1)


# --- report_forward ------------------------------------------------------------------------


def test_a_manual_forward_writes_the_forwarding_and_moves_the_report(demo, now):
    gd = demo["reviewer-gd"]
    report = submitted(demo, now)
    report_claim(user=gd, pk=report.pk, now=now)
    later = now + timedelta(minutes=20)
    # when
    report_forward(user=gd, pk=report.pk, now=later)
    # then the row
    forwarding = Forwarding.objects.get(report=report)
    assert (forwarding.at, forwarding.actor, forwarding.automatic) == (later, gd, False)
    assert forwarding.from_authority.code == "cac-440000"
    assert forwarding.history.get().history_type == "+"
    # the report
    report = fresh(report)
    assert (report.tier, report.status, report.assignee) == ("national", "submitted", None)
    assert report.forwarded_at == later
    record, changed = last_change(report)
    assert record.history_type == "~"
    assert changed == {"tier", "status", "assignee", "forwarded_at", "version"}
    # the event
    event = report.events.get(kind="forwarded")
    assert (event.actor, event.automatic, event.at, event.note) == (gd, False, later, "")


def test_a_manual_forward_meets_the_forward_clock(demo, now):
    report = submitted(demo, now)
    later = now + timedelta(minutes=20)
    report_forward(user=demo["reviewer-gd"], pk=report.pk, now=later)
    clock = report.deadlines.get(kind="forward")
    assert (clock.outcome, clock.met_at, clock.next_fire_at) == ("met", later, None)
    assert fresh(report).next_due_at is None


def test_a_manual_forward_tells_the_national_tier_and_the_operator(demo, now):
    report = submitted(demo, now)
    report_forward(user=demo["reviewer-gd"], pk=report.pk, now=now)
    assert told(report, "forwarded") == {"national", "operator-general"}


def test_a_cii_forward_also_tells_national_public_security(demo, now):
    officer = get_user_model().objects.create_user("mps-duty")
    Membership.objects.create(
        user=officer,
        role=Membership.Role.POLICE_LIAISON,
        authority=Authority.objects.get(code="mps"),
    )
    report = submitted(demo, now, username="operator-cii")
    report_forward(user=demo["reviewer-energy"], pk=report.pk, now=now)
    assert told(report, "forwarded") == {"national", "mps-duty", "police-mps", "operator-cii"}


def test_an_automatic_forward_is_recorded_as_the_portals_own(demo, now):
    report = submitted(demo, now)
    at = now + timedelta(minutes=55)
    # when
    report_forward(user=None, pk=report.pk, automatic=True, now=at)
    # then
    forwarding = Forwarding.objects.get(report=report)
    assert (forwarding.actor, forwarding.automatic, forwarding.at) == (None, True, at)
    event = report.events.get(kind="forwarded")
    assert (event.actor, event.automatic, event.at) == (None, True, at)
    assert event.note  # "forwarded automatically before the limit"
    report = fresh(report)
    assert (report.tier, report.status, report.forwarded_at) == ("national", "submitted", at)
    record, _changed = last_change(report)
    assert record.history_type == "~" and record.history_user is None
    clock = report.deadlines.get(kind="forward")
    assert (clock.outcome, clock.met_at) == ("met", at)


def test_an_automatic_forward_tells_both_tiers(demo, now):
    report = submitted(demo, now)
    report_forward(user=None, pk=report.pk, automatic=True, now=now + timedelta(minutes=55))
    assert told(report, "forwarded") == {"national", "reviewer-gd", "operator-general"}


def test_an_automatic_forward_after_a_manual_one_does_nothing(demo, now):
    report = submitted(demo, now)
    report_forward(user=demo["reviewer-gd"], pk=report.pk, now=now)
    history_before = len(records(fresh(report)))
    report_forward(user=None, pk=report.pk, automatic=True, now=now + timedelta(minutes=55))
    assert Forwarding.objects.get(report=report).actor == demo["reviewer-gd"]
    assert report.events.filter(kind="forwarded").count() == 1
    assert len(records(fresh(report))) == history_before


def test_only_a_serious_report_is_forwarded_and_only_once(demo, now):
    gd = demo["reviewer-gd"]
    significant = submitted(demo, now, severity_declared="significant")
    with pytest.raises(InvalidTransition):
        report_forward(user=gd, pk=significant.pk, now=now)
    serious = submitted(demo, now)
    report_forward(user=gd, pk=serious.pk, now=now)
    with pytest.raises(InvalidTransition):
        report_forward(user=gd, pk=serious.pk, now=now)
    assert Forwarding.objects.filter(report__in=[significant, serious]).count() == 1


# --- report_notify -------------------------------------------------------------------------


def test_notify_records_the_departments_on_the_timeline_only(demo, now):
    gd = demo["reviewer-gd"]
    report = submitted(demo, now)
    history_before = len(records(report))
    # when
    report_notify(user=gd, pk=report.pk, departments=[" 工信部 ", "", "省公安厅"], now=now)
    # then
    event = report.events.get(kind="notified")
    assert (event.actor, event.at, event.note) == (gd, now, "工信部、省公安厅")
    report = fresh(report)
    assert report.version == 2 and len(records(report)) == history_before


def test_notify_needs_a_department(demo, now):
    report = submitted(demo, now)
    with pytest.raises(ValidationError):
        report_notify(user=demo["reviewer-gd"], pk=report.pk, departments=["  "], now=now)
    assert not report.events.filter(kind="notified").exists()


def test_the_national_tier_notifies_after_the_forward(demo, now):
    report = submitted(demo, now)
    report_forward(user=demo["reviewer-gd"], pk=report.pk, now=now)
    report_notify(user=demo["national"], pk=report.pk, departments=["工信部"], now=now)
    assert report.events.get(kind="notified").actor == demo["national"]
