"""Issue 11 ("the statutory chain without holes"), the review side: each numbered item of the
issue at its boundary. State is driven through the services; time is the `now` each one is
given, and time-machine where the sweep, the API or the pages read the clock."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from escalation.services.engine import deadlines_sweep
from notifications.models import Notification
from reports.models import Report
from reports.services.drafting import report_create
from reports.services.followups import report_followup
from reports.services.submission import report_submit
from review.services.requests import report_request_info
from review.services.triage import report_claim
from tests.helpers import serious_report_data

data = serious_report_data


def submitted(demo, now, username="operator-general", **changes) -> Report:
    report = report_create(user=demo[username], data=data(now, **changes), now=now)
    return report_submit(user=demo[username], pk=report.pk, now=now)


def told(report, kind) -> set[str]:
    return set(
        Notification.objects.filter(report=report, kind=kind).values_list(
            "user__username", flat=True
        )
    )


# --- item 9: an information request's due time is never a legal breach --------------------


def test_an_unanswered_information_request_past_its_due_time_is_no_legal_breach(
    demo, now, api_for, web_for
):
    gd = demo["reviewer-gd"]
    report = submitted(demo, now, severity_declared="significant")
    report_claim(user=gd, pk=report.pk, now=now)
    due = now + timedelta(hours=2)
    report_request_info(user=gd, pk=report.pk, question="日志？", due_at=due, now=now)
    # when the sweep runs at, and well past, the due time
    for at in (now + timedelta(hours=1), due, due + timedelta(seconds=1), due + timedelta(days=2)):
        deadlines_sweep(now=at)
    # then reminders went out, but nothing is branded a breach
    clock = report.deadlines.get(kind="info_request")
    assert clock.outcome == "open" and clock.lateness is None
    assert clock.reminders_sent == 2 and clock.next_fire_at is None
    assert not report.events.filter(kind="deadline_breached").exists()
    with time_machine.travel(due + timedelta(days=2), tick=False):
        body = api_for("operator-general").get(f"/api/v1/reports/{report.pk}/").json()
        (entry,) = [d for d in body["deadlines"] if d["kind"] == "info_request"]
        assert entry["breached"] is False and entry["lateness_seconds"] is None
        assert entry["statutory_due_at"] is None and entry["due_at"] is not None
        response = web_for("reviewer-gd").get(
            f"/reports/{report.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "日志？" in page
    assert not re.search(r"迟报 \d", page)  # no "late by …" badge anywhere
    assert "无法定时限" in page  # the request's due time is the authority's own
    # answered two days late: met late against the authority's time, still no legal lateness
    report_followup(
        user=demo["operator-general"],
        pk=report.pk,
        data={"kind": "supplement", "body": "日志已附"},
        now=due + timedelta(days=2),
    )
    clock.refresh_from_db()
    assert clock.outcome == "late" and clock.lateness is None
    assert clock.is_breached(due + timedelta(days=3)) is False


def test_the_statutory_clocks_are_still_breached_past_their_limit(demo, now):
    """The filing clock of a draft left past its limit is still a legal breach."""
    report = report_create(user=demo["operator-general"], data=data(now), now=now)
    deadlines_sweep(now=now + timedelta(hours=4))
    clock = report.deadlines.get(kind="file")
    assert clock.lateness is not None
    assert report.events.filter(kind="deadline_breached").count() == 1


# --- item 7: a report an authority required cannot be talked out of its clock --------------


def _required(demo, at):
    from review.services.requests import report_require

    org = demo["operator-general"].memberships.get().organization
    with time_machine.travel(at, tick=False):
        return report_require(user=demo["reviewer-gd"], organization=org, title="网站被篡改")


def test_declaring_general_in_a_required_draft_keeps_its_clock_and_missing_it_is_a_missed_report(
    demo, now
):
    from reports.services.drafting import report_update

    op = demo["operator-general"]
    report = _required(demo, now)
    # when the operator declares 一般 (and the guide agrees) in the required draft
    with time_machine.travel(now + timedelta(minutes=20), tick=False):
        report_update(
            user=op,
            pk=report.pk,
            data={"severity_declared": "general", "discovered_at": now - timedelta(hours=1)},
            version=Report.objects.get(pk=report.pk).version,
        )
    report.refresh_from_db()
    assert report.severity == "general"
    # then the filing clock still runs (from discovery, the earlier instant)
    clock = report.deadlines.get(kind="file", outcome="open")
    assert clock.statutory_due_at == now - timedelta(hours=1) + timedelta(hours=4)
    # and not submitted in time, it is recorded as missed (漏报)
    with time_machine.travel(clock.statutory_due_at - timedelta(seconds=1), tick=False):
        deadlines_sweep()
    assert Report.objects.get(pk=report.pk).missed_at is None
    with time_machine.travel(clock.statutory_due_at + timedelta(seconds=1), tick=False):
        deadlines_sweep()
    report.refresh_from_db()
    assert report.missed_at == clock.statutory_due_at + timedelta(seconds=1)
    assert report.events.filter(kind="deadline_breached").count() == 1


def test_a_required_report_declared_general_and_filed_in_time_meets_its_clock(demo, now):
    from reports.services.drafting import report_update

    op = demo["operator-general"]
    report = _required(demo, now)
    fields = {
        **{k: v for k, v in data(now).items() if k != "discovered_at"},
        "severity_declared": "general",
        "discovered_at": now,
    }
    later = now + timedelta(hours=1)
    version = Report.objects.get(pk=report.pk).version
    report_update(user=op, pk=report.pk, data=fields, version=version, now=later)
    report_submit(user=op, pk=report.pk, now=later)
    clock = report.deadlines.get(kind="file")
    assert (clock.outcome, clock.met_at, clock.lateness) == ("met", later, None)


def test_a_required_report_declared_general_and_filed_late_needs_a_reason(demo, now):
    import pytest
    from django.core.exceptions import ValidationError

    from reports.services.drafting import report_update

    op = demo["operator-general"]
    report = _required(demo, now)
    fields = {
        **{k: v for k, v in data(now).items() if k != "discovered_at"},
        "severity_declared": "general",
        "discovered_at": now,
    }
    late = now + timedelta(hours=4, minutes=1)
    version = Report.objects.get(pk=report.pk).version
    report_update(user=op, pk=report.pk, data=fields, version=version, now=late)
    with pytest.raises(ValidationError) as exc:
        report_submit(user=op, pk=report.pk, now=late)
    assert "late_reason" in exc.value.message_dict
    report_submit(user=op, pk=report.pk, data={"late_reason": "人手不足"}, now=late)
    clock = report.deadlines.get(kind="file")
    assert clock.outcome == "late" and clock.lateness == timedelta(minutes=1)


# --- item 1: a serious CII report reaches the Ministry of Public Security too --------------


def _serious_cii(demo, now) -> Report:
    report = submitted(demo, now, username="operator-cii")
    assert (report.channel, report.severity) == ("cii", "major")
    return report


def test_forwarding_a_serious_cii_report_copies_it_to_the_mps_whose_liaison_can_read_it(
    demo, now, api_for
):
    from review.services.forwarding import report_forward

    report = _serious_cii(demo, now)
    mps_client = api_for("police-mps")
    assert mps_client.get(f"/api/v1/reports/{report.pk}/").status_code == 404  # not yet
    # when the protection department forwards it
    report_forward(user=demo["reviewer-energy"], pk=report.pk, now=now + timedelta(minutes=10))
    # then 公安部 is among the copies, told, and can read and acknowledge it
    report.refresh_from_db()
    assert "mps" in set(report.copied_to.values_list("code", flat=True))
    assert "police-mps" in told(report, "forwarded")
    assert "公安部" in report.events.get(kind="forwarded").note
    body = mps_client.get(f"/api/v1/reports/{report.pk}/").json()
    assert body["reference"] == report.reference
    assert "公安部" in [a["name"] for a in body["copied_to"]]
    assert "acknowledge" in body["actions"]
    response = mps_client.post(f"/api/v1/reports/{report.pk}/acknowledge/", {}, format="json")
    assert response.status_code == 200


def test_the_automatic_forward_of_a_serious_cii_report_copies_it_to_the_mps_too(demo, now):
    report = _serious_cii(demo, now)
    clock = report.deadlines.get(kind="forward")
    with time_machine.travel(clock.act_at, tick=False):
        deadlines_sweep()
    report.refresh_from_db()
    assert report.tier == "national" and report.forwarding.automatic
    assert report.copied_to.filter(code="mps").exists()
    assert "police-mps" in told(report, "forwarded")


def test_a_general_channel_forward_is_not_copied_to_the_mps(demo, now, api_for):
    from review.services.forwarding import report_forward

    report = submitted(demo, now)
    report_forward(user=demo["reviewer-gd"], pk=report.pk, now=now)
    assert not report.copied_to.filter(code="mps").exists()
    assert "police-mps" not in told(report, "forwarded")
    assert api_for("police-mps").get(f"/api/v1/reports/{report.pk}/").status_code == 404


def test_the_police_mps_demo_account_needs_two_factor_login(demo, client):
    from accounts.otp import requires_second_factor
    from demo.world import demo_totp_secrets

    user = demo["police-mps"]
    membership = user.memberships.get()
    assert (membership.role, membership.authority.code) == ("police_liaison", "mps")
    assert requires_second_factor(user)
    assert "police-mps" in demo_totp_secrets()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "police-mps", "password": "demo-password"},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "otp" in response.json()


def test_the_data_migration_copies_already_forwarded_cii_reports_to_the_mps(demo, now):
    import importlib

    from django.apps import apps

    from review.services.forwarding import report_forward

    report = _serious_cii(demo, now)
    report_forward(user=demo["reviewer-energy"], pk=report.pk, now=now)
    report.copied_to.remove(*report.copied_to.filter(code="mps"))  # as before this change
    other = submitted(demo, now)  # general channel: not copied
    migration = importlib.import_module("reports.migrations.0011_mps_copy_of_forwarded_cii")
    migration.copy_to_mps(apps, None)
    migration.copy_to_mps(apps, None)  # idempotent
    assert report.copied_to.filter(code="mps").count() == 1
    assert not other.copied_to.filter(code="mps").exists()


# --- item 20: findings of late, missed, false or concealed reporting (Art. 10) -------------


def test_a_reviewer_records_a_finding_on_the_report_its_history_and_timeline(
    demo, now, api_for, web_for
):
    from reports.models import Finding

    report = submitted(demo, now, severity_declared="significant")
    url = f"/api/v1/reports/{report.pk}/findings/"
    gd = api_for("reviewer-gd")
    assert "findings" in gd.get(f"/api/v1/reports/{report.pk}/").json()["actions"]
    # bad input: a field error, nothing stored
    bad = gd.post(url, {"kind": "slow", "reason": ""}, format="json")
    assert bad.status_code == 400 and {"kind", "reason"} <= set(bad.json())
    assert gd.post(url, {"kind": "late", "reason": "  "}, format="json").status_code == 400
    assert not Finding.objects.exists()
    # others may not
    body = {"kind": "late", "reason": "x"}
    assert api_for("operator-general").post(url, body, format="json").status_code == 403
    assert api_for("reviewer-bj").post(url, body, format="json").status_code == 404
    # when
    response = gd.post(url, {"kind": "late", "reason": "发现后6小时才报告"}, format="json")
    # then
    assert response.status_code == 200, response.content
    (shown,) = response.json()["findings"]
    assert (shown["kind"], shown["reason"], shown["recorded_by"]) == (
        "late",
        "发现后6小时才报告",
        "reviewer-gd",
    )
    assert shown["authority"]["name"] == "广东省委网信办"
    finding = Finding.objects.get()
    assert finding.history.get().history_type == "+"
    event = report.events.get(kind="finding_recorded")
    assert event.actor == demo["reviewer-gd"] and "迟报" in event.note
    assert "operator-general" in told(report, "finding_recorded")
    operator_view = api_for("operator-general").get(f"/api/v1/reports/{report.pk}/").json()
    assert [f["kind"] for f in operator_view["findings"]] == ["late"]
    page = web_for("reviewer-gd").get(f"/reports/{report.pk}/").content.decode()
    assert "发现后6小时才报告" in page and 'data-action="finding"' in page


def test_a_national_official_records_findings_and_they_count_in_compliance(
    demo, now, api_for, web_for
):
    import csv
    import io

    from review.services.findings import report_record_finding
    from review.services.forwarding import report_forward

    report = submitted(demo, now)  # major, general channel
    report_forward(user=demo["reviewer-gd"], pk=report.pk, now=now)
    cii = submitted(demo, now, username="operator-cii", severity_declared="significant")
    nat = demo["national"]
    report_record_finding(user=nat, pk=report.pk, kind="concealed", reason="隐瞒影响", now=now)
    report_record_finding(user=nat, pk=report.pk, kind="false", reason="虚报损失", now=now)
    report_record_finding(
        user=demo["reviewer-energy"], pk=cii.pk, kind="missed", reason="未报", now=now
    )
    assert report.findings.get(kind="concealed").authority.kind == "national_cac"
    # the compliance figures
    data = api_for("national").get("/api/v1/stats/compliance/", {"date_from": "2026-01-01"}).json()
    by_channel = {row["channel"]: row["findings"] for row in data["channels"]}
    assert by_channel["general"] == {"late": 0, "missed": 0, "false": 1, "concealed": 1}
    assert by_channel["cii"] == {"late": 0, "missed": 1, "false": 0, "concealed": 0}
    assert by_channel["central"] == {"late": 0, "missed": 0, "false": 0, "concealed": 0}
    # and the export
    response = web_for("national").get(
        "/dashboard/export/compliance.csv", {"date_from": "2026-01-01"}
    )
    raw = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    header = rows[0]
    column = header.index(next(h for h in header if "瞒报" in h))
    from django.utils import translation

    from reports.constants import Channel

    with translation.override("zh-hans"):
        label = str(Channel.GENERAL.label)
    (general,) = [r for r in rows if r[0] == label]
    assert general[column] == "1"


# --- item 11: no one restarts or cancels an authority's clock but the authority ------------


def test_an_operators_followup_lowering_its_level_never_closes_the_forward_clock(demo, now):
    from reports.services.followups import report_followup

    report = submitted(demo, now)  # major: the forward clock runs from now, 1 h
    clock = report.deadlines.get(kind="forward")
    # when the operator declares 较大 and lower indicators in a follow-up
    report_followup(
        user=demo["operator-general"],
        pk=report.pk,
        data={
            "kind": "progress",
            "body": "影响比预想的小",
            "severity_declared": "significant",
            "indicators": {"people_affected": 5},
        },
        now=now + timedelta(minutes=10),
    )
    # then the declaration is recorded, but the clock and the level it runs on stand
    report.refresh_from_db()
    assert report.severity_declared == "significant" and report.severity == "major"
    clock.refresh_from_db()
    assert (clock.outcome, clock.opened_at, clock.statutory_due_at) == (
        "open",
        now,
        now + timedelta(hours=1),
    )
    # and the portal still forwards it by itself before the limit
    with time_machine.travel(clock.act_at, tick=False):
        deadlines_sweep()
    report.refresh_from_db()
    assert report.tier == "national" and report.forwarding.automatic


def test_only_the_reviewers_grade_closes_it_and_grading_up_again_keeps_the_first_instants(
    demo, now
):
    from review.services.triage import report_grade

    gd = demo["reviewer-gd"]
    report = submitted(demo, now)
    report_grade(user=gd, pk=report.pk, severity="significant", reason="核实", now=now)
    assert report.deadlines.get(kind="forward").outcome == "not_required"
    # graded up again 70 minutes later: the clock runs from the first instants (past its
    # limit), never a fresh hour
    later = now + timedelta(minutes=70)
    report_grade(user=gd, pk=report.pk, severity="major", reason="再次升级", now=later)
    reopened = report.deadlines.get(kind="forward", outcome="open")
    assert (reopened.opened_at, reopened.statutory_due_at) == (now, now + timedelta(hours=1))
    assert reopened.next_fire_at == later  # due at once
    with time_machine.travel(later, tick=False):
        deadlines_sweep()
    reopened.refresh_from_db()
    assert reopened.outcome == "late" and reopened.lateness == timedelta(minutes=10)


# --- item 12: a second look at downgrades ---------------------------------------------------


def test_a_downgrade_below_the_guide_stays_visible_to_the_national_tier_and_is_watched(
    demo, now, api_for, web_for
):
    from review.services.triage import report_close, report_grade

    report = submitted(
        demo, now, severity_declared="significant", indicators={"people_affected": 1_000_000}
    )
    assert (report.severity_suggested, report.severity) == ("major", "major")
    gd = demo["reviewer-gd"]
    # when the receiving reviewer grades it below serious
    report_grade(user=gd, pk=report.pk, severity="significant", reason="实际影响有限", now=now)
    # then the national officials are told, still see it, and it is on their watch list
    notes = Notification.objects.filter(report=report, kind="grade_changed", user=demo["national"])
    assert notes.count() == 1 and "实际影响有限" in notes.get().message
    national = api_for("national")
    assert national.get(f"/api/v1/reports/{report.pk}/").status_code == 200
    page = web_for("national").get("/national/").content.decode()
    assert report.reference in page and "downgraded-list" in page
    # closed at the receiving tier only after that, and then it leaves the list
    report_close(user=gd, pk=report.pk, reason="已处置", now=now + timedelta(hours=1))
    page = web_for("national").get("/national/").content.decode()
    assert "downgraded-list" not in page


def test_a_downgrade_the_guide_agrees_with_tells_the_national_tier_nothing(demo, now, api_for):
    from review.services.triage import report_grade

    report = submitted(demo, now)  # declared major, the guide suggests 一般
    report_grade(
        user=demo["reviewer-gd"], pk=report.pk, severity="significant", reason="核实", now=now
    )
    assert not Notification.objects.filter(report=report, user=demo["national"]).exists()
    assert api_for("national").get(f"/api/v1/reports/{report.pk}/").status_code == 404


# --- item 8: one rule for a level that rises after submission ------------------------------


def _general_filed(demo, now, filed_after):
    """A voluntary 一般 report, filed `filed_after` past its discovery."""
    op = demo["operator-general"]
    report = report_create(
        user=op,
        data=data(now, severity_declared="general", discovered_at=now - filed_after),
        now=now,
    )
    report = report_submit(user=op, pk=report.pk, now=now)
    assert report.severity == "general"
    assert not report.deadlines.filter(kind="file").exclude(outcome="not_required").exists()
    return report


@pytest.mark.parametrize("path", ["grade", "followup"])
@pytest.mark.parametrize(
    ("filed_after", "late"),
    [(timedelta(hours=4), False), (timedelta(hours=4, seconds=1), True)],
)
def test_a_level_rising_after_submission_judges_the_filing_the_same_way_on_every_path(
    demo, now, path, filed_after, late
):
    from reports.services.followups import report_followup
    from review.services.triage import report_grade

    report = _general_filed(demo, now, filed_after)
    later = now + timedelta(days=1)
    if path == "grade":
        report_grade(
            user=demo["reviewer-gd"], pk=report.pk, severity="significant", reason="核定", now=later
        )
    else:
        report_followup(
            user=demo["operator-general"],
            pk=report.pk,
            data={"kind": "progress", "body": "影响扩大", "severity_declared": "significant"},
            now=later,
        )
    clock = report.deadlines.get(kind="file", outcome__in=["met", "late"])
    assert clock.met_at == now and clock.statutory_due_at == now - filed_after + timedelta(hours=4)
    assert (clock.lateness is not None) == late
    asked = Notification.objects.filter(
        report=report, kind="info_requested", user=demo["operator-general"]
    )
    assert asked.exists() == late  # asked for a reason only when branded legally late
    if late:
        due = timezone.localtime(clock.statutory_due_at).strftime("%Y-%m-%d %H:%M")
        assert due in asked.get().message


def test_the_reason_comes_with_a_followup(demo, now, api_for):
    from review.services.triage import report_grade

    report = _general_filed(demo, now, timedelta(hours=5))
    report_grade(
        user=demo["reviewer-gd"], pk=report.pk, severity="significant", reason="核定", now=now
    )
    response = api_for("operator-general").post(
        f"/api/v1/reports/{report.pk}/followups/",
        {"kind": "supplement", "body": "说明", "late_reason": "起初判断为一般事件"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Report.objects.get(pk=report.pk).late_reason == "起初判断为一般事件"


# --- item 21: forwarded while its own request is open -------------------------------------


def test_a_report_forwarded_with_its_request_open_stays_in_the_reviewers_queue(demo, now, web_for):
    from reports.services.followups import report_followup
    from review.selectors import review_queue
    from review.services.forwarding import report_forward

    gd = demo["reviewer-gd"]
    report = submitted(demo, now)
    report_claim(user=gd, pk=report.pk, now=now)
    report_request_info(user=gd, pk=report.pk, question="攻击源？", now=now)
    report_forward(user=gd, pk=report.pk, now=now + timedelta(minutes=5))

    def tab(name):
        return [r.pk for r in review_queue(user=gd, tab=name, now=now + timedelta(minutes=6))]

    # then: in the "forwarded" tab, and in "waiting for the operator" while the request is open
    assert report.pk in tab("forwarded") and report.pk in tab("waiting")
    page = web_for("reviewer-gd").get("/queue/", {"tab": "waiting"}).content.decode()
    assert report.reference in page and "forwarded-waiting" in page
    # the operator's answer tells the reviewer who asked and the national tier
    report_followup(
        user=demo["operator-general"],
        pk=report.pk,
        data={"kind": "supplement", "body": "攻击源为境外 IP"},
        now=now + timedelta(minutes=30),
    )
    assert {"reviewer-gd", "national"} <= told(report, "info_supplied")
    assert report.pk not in tab("waiting") and report.pk in tab("forwarded")
