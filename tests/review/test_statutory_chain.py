"""Issue 11 ("the statutory chain without holes"), the review side: each numbered item of the
issue at its boundary. State is driven through the services; time is the `now` each one is
given, and time-machine where the sweep, the API or the pages read the clock."""

from datetime import timedelta

import time_machine

from escalation.services.engine import deadlines_sweep
from notifications.models import Notification
from reports.models import Report
from reports.services.drafting import report_create
from reports.services.followups import report_followup
from reports.services.submission import report_submit
from review.services.requests import report_request_info
from review.services.triage import report_claim


def data(now, **changes) -> dict:
    return {
        "title": "勒索软件攻击",
        "affected_systems": "ERP",
        "discovered_at": now - timedelta(minutes=30),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "业务中断",
        "measures_taken": "隔离",
        **changes,
    }


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
    assert "日志？" in page and "迟报" not in page
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
