"""The escalation engine, time controlled through `now` (never waited for)."""

from datetime import timedelta

import pytest
from django.db import connection

from escalation.models import Deadline, EscalationPolicy
from escalation.services.engine import deadline_act, deadlines_sweep
from notifications.models import Notification
from reports.models import Forwarding, ReportEvent
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from review.services.forwarding import report_forward
from review.services.requests import report_require
from review.services.triage import report_claim, report_grade


def _file(demo, username, at, *, severity="major", minutes_after_discovery=10, **extra):
    user = demo[username]
    data = {
        "title": "攻击",
        "affected_systems": "SCADA",
        "discovered_at": at - timedelta(minutes=minutes_after_discovery),
        "location": "广州",
        "category": "0208",
        "severity_declared": severity,
        "impact_description": "中断",
        "measures_taken": "隔离",
        **extra,
    }
    report = report_create(user=user, data=data, now=at)
    return report_submit(user=user, pk=report.pk, now=at)


def test_forward_clock_reminds_at_50_and_80_percent_then_forwards_by_itself(demo, now):
    # given a serious cii report: 30 min window, 5 min margin → act at 25 min
    report = _file(demo, "operator-cii", now)
    clock = report.deadlines.get(kind="forward")
    assert clock.act_at == now + timedelta(minutes=25)
    assert clock.next_fire_at == now + timedelta(minutes=15)
    # when the sweep runs just before, at and after each instant
    assert deadlines_sweep(now=now + timedelta(minutes=14, seconds=59)) == 0
    deadlines_sweep(now=now + timedelta(minutes=15))
    deadlines_sweep(now=now + timedelta(minutes=15, seconds=30))  # nothing new
    deadlines_sweep(now=now + timedelta(minutes=24))
    reminders = report.events.filter(kind=ReportEvent.Kind.REMINDED)
    assert reminders.count() == 2
    assert (
        Notification.objects.filter(
            report=report, kind="reminder", user=demo["reviewer-energy"]
        ).count()
        == 2
    )
    deadlines_sweep(now=now + timedelta(minutes=25))
    # then
    report.refresh_from_db()
    clock.refresh_from_db()
    assert report.tier == "national" and report.status == "submitted"
    forwarded = report.events.get(kind=ReportEvent.Kind.FORWARDED)
    assert forwarded.automatic and forwarded.actor is None
    assert forwarded.at == now + timedelta(minutes=25)
    assert clock.outcome == Deadline.Outcome.MET and clock.late_cause == ""
    assert clock.next_fire_at is None
    told = set(
        Notification.objects.filter(report=report, kind="forwarded").values_list(
            "user__username", flat=True
        )
    )
    assert {"national", "reviewer-energy"} <= told


def test_acting_twice_is_harmless(demo, now):
    report = _file(demo, "operator-general", now)
    clock = report.deadlines.get(kind="forward")
    at = now + timedelta(minutes=55)
    deadlines_sweep(now=at)
    deadline_act(deadline_id=clock.pk, now=at)
    deadline_act(deadline_id=clock.pk, now=at + timedelta(seconds=1))
    assert Forwarding.objects.filter(report=report).count() == 1
    assert report.events.filter(kind="forwarded").count() == 1


def test_after_an_outage_overdue_clocks_are_acted_on_at_once_and_marked_late(demo, now):
    # given: a sweep ran at `now`, then the workers died for 2 hours
    deadlines_sweep(now=now)
    report = _file(demo, "operator-general", now)
    # when they come back
    back = now + timedelta(hours=2)
    deadlines_sweep(now=back)
    # then
    clock = report.deadlines.get(kind="forward")
    assert clock.outcome == Deadline.Outcome.LATE
    assert clock.met_at == back
    assert clock.lateness == timedelta(hours=1)
    assert "Workers unavailable" in clock.late_cause or "不可用" in clock.late_cause
    event = report.events.get(kind="forwarded")
    assert event.automatic and ("Workers unavailable" in event.note or "不可用" in event.note)


def test_a_stricter_policy_acts_earlier_and_the_clock_keeps_its_values(demo, now):
    EscalationPolicy.objects.filter(channel="general").update(
        forward_within=timedelta(minutes=20), auto_forward_margin=timedelta(minutes=2)
    )
    report = _file(demo, "operator-general", now)
    clock = report.deadlines.get(kind="forward")
    assert clock.due_at == now + timedelta(minutes=20)
    assert clock.statutory_due_at == now + timedelta(hours=1)
    assert clock.act_at == now + timedelta(minutes=18)
    EscalationPolicy.objects.filter(channel="general").update(forward_within=timedelta(hours=1))
    deadlines_sweep(now=now + timedelta(minutes=18))
    report.refresh_from_db()
    assert report.tier == "national"


def test_a_grade_change_opens_and_closes_the_forward_clock(demo, now):
    report = _file(demo, "operator-general", now, severity="significant")
    assert not report.deadlines.filter(kind="forward").exists()
    report_claim(user=demo["reviewer-gd"], pk=report.pk, now=now)
    later = now + timedelta(minutes=10)
    report_grade(
        user=demo["reviewer-gd"], pk=report.pk, severity="major", reason="影响扩大", now=later
    )
    clock = report.deadlines.get(kind="forward", outcome="open")
    assert clock.opened_at == later and clock.statutory_due_at == later + timedelta(hours=1)
    report_grade(
        user=demo["reviewer-gd"],
        pk=report.pk,
        severity="significant",
        reason="核实后降级",
        now=later + timedelta(minutes=5),
    )
    clock.refresh_from_db()
    assert clock.outcome == Deadline.Outcome.NOT_REQUIRED and "核实后降级" in clock.closed_reason
    # re-opened by a new grade: with its first instants, never a fresh hour (issue 11, item 11)
    again = later + timedelta(minutes=20)
    report_grade(
        user=demo["reviewer-gd"], pk=report.pk, severity="major", reason="再次升级", now=again
    )
    reopened = report.deadlines.get(kind="forward", outcome="open")
    assert reopened.opened_at == later
    assert reopened.statutory_due_at == later + timedelta(hours=1)


def test_a_draft_gets_filing_reminders_and_a_breach(demo, now):
    user = demo["operator-general"]
    draft = report_create(user=user, data={"title": "x", "discovered_at": now}, now=now)
    clock = draft.deadlines.get(kind="file")
    assert clock.next_fire_at == now + timedelta(hours=2)  # 50 % of 4 h
    deadlines_sweep(now=now + timedelta(hours=2))
    deadlines_sweep(now=now + timedelta(hours=3, minutes=12))
    deadlines_sweep(now=now + timedelta(hours=4, seconds=1))
    assert draft.events.filter(kind="reminded").count() == 2
    assert draft.events.filter(kind="deadline_breached").count() == 1
    clock.refresh_from_db()
    assert clock.lateness == timedelta(seconds=1) and clock.outcome == "open"
    assert clock.next_fire_at is None


def test_a_required_report_not_filed_in_time_is_a_missed_report(demo, now):
    report = report_require(
        user=demo["reviewer-gd"],
        organization=demo["operator-general"].memberships.get().organization,
        title="监测发现数据泄露",
        now=now,
    )
    clock = report.deadlines.get(kind="file")
    assert clock.opened_at == now
    assert Notification.objects.filter(user=demo["operator-general"], report=report).exists()
    deadlines_sweep(now=now + timedelta(hours=4, minutes=1))
    report.refresh_from_db()
    assert report.missed_at == now + timedelta(hours=4, minutes=1)


def test_the_sweep_query_uses_the_partial_index(demo, now):
    for i in range(3):
        _file(demo, "operator-general", now - timedelta(minutes=i))
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = (
            Deadline.objects.filter(next_fire_at__lte=now)
            .order_by("next_fire_at")
            .values("pk")[:200]
            .query.sql_with_params()
        )
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "deadline_due_partial" in plan, plan


@pytest.mark.parametrize(
    ("username", "act_after"),
    [("operator-cii", 25), ("operator-central", 55), ("operator-general", 55)],
)
def test_act_time_per_channel(demo, now, username, act_after):
    report = _file(demo, username, now)
    assert report.deadlines.get(kind="forward").act_at == now + timedelta(minutes=act_after)


def test_health_reports_the_last_sweep_and_turns_503_when_stale(client, demo, now):
    import time_machine

    with time_machine.travel(now, tick=False):
        assert client.get("/health/").status_code == 503  # never swept
        deadlines_sweep()
        body = client.get("/health/").json()
        assert body["stale"] is False and body["seconds_since_last_sweep"] == 0
    with time_machine.travel(now + timedelta(minutes=5), tick=False):
        response = client.get("/health/")
        assert response.status_code == 503 and response.json()["stale"] is True


def test_the_report_keeps_the_due_time_of_its_first_open_clock(demo, now):
    report = _file(demo, "operator-general", now)
    report.refresh_from_db()
    assert report.next_due_at == now + timedelta(hours=1)  # the forward clock; file is met
    report_forward(user=demo["reviewer-gd"], pk=report.pk, now=now)
    report.refresh_from_db()
    assert report.next_due_at is None
