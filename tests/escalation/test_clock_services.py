"""The clock services one by one: opening, meeting and cancelling a clock (the row and its
history), and the engine acting on a due clock (reminder, automatic forward, breach, missed
report) and the sweep. Reports are driven through their services; time is `now`."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalation.models import Deadline, EscalationPolicy, SweepHeartbeat
from escalation.services.clocks import (
    clocks_for_update,
    deadline_cancel,
    deadline_meet,
    deadline_open,
)
from escalation.services.engine import deadline_act, deadlines_sweep
from notifications.models import Notification
from reports.models import Forwarding, Report
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from review.services.requests import report_require
from review.services.triage import report_claim


def submitted(demo, now, username="operator-general", severity="major") -> Report:
    user = demo[username]
    data = {
        "title": "攻击",
        "affected_systems": "SCADA",
        "discovered_at": now - timedelta(minutes=10),
        "location": "广州",
        "category": "0208",
        "severity_declared": severity,
        "impact_description": "中断",
        "measures_taken": "隔离",
    }
    report = report_create(user=user, data=data, now=now)
    return report_submit(user=user, pk=report.pk, now=now)


def records(obj) -> list:
    return list(obj.history.order_by("history_id"))


def last_change(obj):
    *_, before, after = records(obj)
    return after, set(after.diff_against(before).changed_fields)


def local(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")


def told(report, kind) -> list[str]:
    return sorted(
        Notification.objects.filter(report=report, kind=kind).values_list(
            "user__username", flat=True
        )
    )


# --- deadline_open -------------------------------------------------------------------------


def test_open_writes_the_instants_and_the_policy_it_opened_with(demo, now):
    report = submitted(demo, now, severity="significant")
    at = now + timedelta(minutes=5)
    # when
    clock = deadline_open(report=report, kind="forward", opened_at=at, now=at)
    # then
    clock = Deadline.objects.get(pk=clock.pk)
    assert (clock.kind, clock.outcome, clock.opened_at) == ("forward", "open", at)
    assert clock.statutory_due_at == clock.due_at == at + timedelta(hours=1)
    assert clock.act_at == at + timedelta(minutes=55)
    assert clock.remind_at == [
        (at + timedelta(minutes=30)).isoformat(),
        (at + timedelta(minutes=48)).isoformat(),
    ]
    assert clock.reminders_sent == 0 and clock.next_fire_at == at + timedelta(minutes=30)
    assert (clock.policy_channel, clock.policy_within, clock.policy_margin) == (
        "general",
        timedelta(hours=1),
        timedelta(minutes=5),
    )
    assert (clock.met_at, clock.acted_at, clock.lateness) == (None, None, None)
    assert records(clock)[-1].history_type == "+"
    report.refresh_from_db()
    assert report.next_due_at == clock.due_at


def test_open_returns_the_clock_already_running(demo, now):
    report = submitted(demo, now)
    running = report.deadlines.get(kind="forward")
    again = deadline_open(
        report=report, kind="forward", opened_at=now + timedelta(minutes=9), now=now
    )
    assert again.pk == running.pk and again.opened_at == now
    assert len(records(running)) == 1


def test_a_stricter_policy_sets_an_earlier_due_time_than_the_law(demo, now):
    EscalationPolicy.objects.filter(channel="general").update(
        forward_within=timedelta(minutes=20), auto_forward_margin=timedelta(minutes=2)
    )
    report = submitted(demo, now, severity="significant")
    clock = deadline_open(report=report, kind="forward", opened_at=now, now=now)
    assert clock.statutory_due_at == now + timedelta(hours=1)
    assert clock.due_at == now + timedelta(minutes=20)
    assert clock.act_at == now + timedelta(minutes=18)
    assert (clock.policy_within, clock.policy_margin) == (
        timedelta(minutes=20),
        timedelta(minutes=2),
    )


def test_a_clock_opened_late_skips_the_reminders_already_past(demo, now):
    report = submitted(demo, now, severity="significant")
    clock = deadline_open(
        report=report, kind="forward", opened_at=now - timedelta(minutes=50), now=now
    )
    assert clock.reminders_sent == 2
    assert clock.next_fire_at == clock.act_at == now + timedelta(minutes=5)


def test_a_clock_opened_overdue_is_due_at_once(demo, now):
    report = submitted(demo, now, severity="significant")
    clock = deadline_open(
        report=report, kind="forward", opened_at=now - timedelta(hours=2), now=now
    )
    assert clock.next_fire_at == now


def test_a_summary_clock_runs_30_days_and_reminds_a_week_and_a_day_before(demo, now):
    report = submitted(demo, now)
    clock = deadline_open(report=report, kind="summary", opened_at=now, now=now)
    # 10:00 on 25 Nov in Beijing: due at 24:00 Beijing on 25 Dec, counted by days as the
    # Civil Code does (issue 11, item 14)
    due = datetime(2026, 12, 25, 16, 0, tzinfo=UTC)
    assert clock.statutory_due_at == clock.due_at == due
    assert clock.act_at is None
    assert clock.next_fire_at == due - timedelta(days=7)


def test_request_clocks_may_run_side_by_side(demo, now):
    report = submitted(demo, now)
    first = deadline_open(
        report=report, kind="info_request", opened_at=now, now=now, due_at=now + timedelta(hours=1)
    )
    second = deadline_open(
        report=report, kind="info_request", opened_at=now, now=now, due_at=now + timedelta(hours=3)
    )
    assert first.pk != second.pk
    assert (first.due_at, second.due_at) == (now + timedelta(hours=1), now + timedelta(hours=3))
    report.refresh_from_db()
    assert report.next_due_at == now + timedelta(hours=1)


def test_open_schedules_a_near_instant_after_commit(demo, now, django_capture_on_commit_callbacks):
    # a 1 h forward clock opened 26 min ago: its first reminder (50 %) is 4 min away,
    # within the 5 min horizon
    report = submitted(demo, now, severity="significant")
    opened_at = now - timedelta(minutes=26)
    with django_capture_on_commit_callbacks() as callbacks:
        clock = deadline_open(report=report, kind="forward", opened_at=opened_at, now=now)
    (send,) = callbacks
    assert send.task == ("escalation.deadline_act", (clock.pk,), now + timedelta(minutes=4))


def sent_by_sweep(at, callbacks_of) -> list:
    with callbacks_of() as callbacks:
        deadlines_sweep(now=at)
    return [c.task for c in callbacks if c.task[0] == "escalation.deadline_act"]


def test_an_instant_beyond_the_horizon_is_published_once_by_the_sweep_that_reaches_it(
    demo, now, settings, django_capture_on_commit_callbacks
):
    assert settings.ESCALATION_ETA_HORIZON_SECONDS == 300
    report = submitted(demo, now, severity="significant")
    with django_capture_on_commit_callbacks() as callbacks:
        clock = deadline_open(report=report, kind="forward", opened_at=now, now=now)
    assert callbacks == []  # its first reminder is 30 min away
    fire = now + timedelta(minutes=30)
    assert clock.next_fire_at == fire
    # sweeps every 5 s: the one whose window (previous sweep + 5 min, now + 5 min] holds the
    # instant publishes its task, with the instant as ETA; neither the one before nor after
    sweeps = [fire - timedelta(minutes=5, seconds=s) for s in (10, 5, 0, -5, -10)]
    sent = [sent_by_sweep(at, django_capture_on_commit_callbacks) for at in sweeps]
    assert sent == [[], [], [("escalation.deadline_act", (clock.pk,), fire)], [], []]


def test_after_a_pause_of_the_sweeps_the_next_one_publishes_what_is_coming(
    demo, now, django_capture_on_commit_callbacks
):
    report = submitted(demo, now, severity="significant")
    clock = deadline_open(report=report, kind="forward", opened_at=now, now=now)
    fire = now + timedelta(minutes=30)
    assert sent_by_sweep(now, django_capture_on_commit_callbacks) == []
    # beat was away for 27 minutes: the instant is 3 min away when it comes back
    at = now + timedelta(minutes=27)
    assert sent_by_sweep(at, django_capture_on_commit_callbacks) == [
        ("escalation.deadline_act", (clock.pk,), fire)
    ]


def test_a_clock_the_sweep_acts_on_whose_next_instant_is_in_its_window_is_published_once(
    demo, now, django_capture_on_commit_callbacks
):
    # a serious CII report: 30 min to forward, reminders at 15 and 24 min, act at 25; the
    # sweep at 24 min reminds, and the act (1 min later) is within the horizon and within that
    # sweep's window (20, 29 min]: one task for it, not two
    report = submitted(demo, now, username="operator-cii")
    clock = report.deadlines.get(kind="forward")
    assert clock.act_at == now + timedelta(minutes=25)
    assert sent_by_sweep(now + timedelta(minutes=15), django_capture_on_commit_callbacks) == []
    sent = sent_by_sweep(now + timedelta(minutes=24), django_capture_on_commit_callbacks)
    assert sent == [("escalation.deadline_act", (clock.pk,), clock.act_at)]
    assert report.events.filter(kind="reminded").count() == 2


def test_a_clock_the_sweep_acts_on_gets_its_next_near_instant_once(
    demo, now, django_capture_on_commit_callbacks
):
    # a 1 h forward clock: reminders at 30 and 48 min; acting on the first, the second
    # is beyond the horizon, so the sweep that reaches it sends it, once
    report = submitted(demo, now, severity="significant")
    clock = deadline_open(report=report, kind="forward", opened_at=now, now=now)
    first = now + timedelta(minutes=30)
    before = sent_by_sweep(first - timedelta(seconds=5), django_capture_on_commit_callbacks)
    assert before == [("escalation.deadline_act", (clock.pk,), first)]
    assert sent_by_sweep(first, django_capture_on_commit_callbacks) == []  # acts: reminder
    assert report.events.filter(kind="reminded").count() == 1
    clock.refresh_from_db()
    second = clock.next_fire_at
    assert second == now + timedelta(minutes=48)
    sweeps = [first + timedelta(seconds=5 * i) for i in range(1, 13 * 12 + 1)]
    sent = [t for at in sweeps for t in sent_by_sweep(at, django_capture_on_commit_callbacks)]
    assert sent == [("escalation.deadline_act", (clock.pk,), second)]


def test_a_far_instant_is_left_to_the_sweep(demo, now, django_capture_on_commit_callbacks):
    report = submitted(demo, now)
    with django_capture_on_commit_callbacks() as callbacks:
        deadline_open(report=report, kind="summary", opened_at=now, now=now)
    assert callbacks == []


# --- deadline_meet -------------------------------------------------------------------------


def test_meet_in_time_records_met_and_stops_firing(demo, now):
    report = submitted(demo, now)
    at = now + timedelta(minutes=20)
    # when
    clock = deadline_meet(report=report, kind="forward", at=at)
    # then
    clock = Deadline.objects.get(pk=clock.pk)
    assert (clock.outcome, clock.met_at, clock.lateness, clock.next_fire_at) == (
        "met",
        at,
        None,
        None,
    )
    record, changed = last_change(clock)
    assert record.history_type == "~" and changed == {"outcome", "met_at", "next_fire_at"}
    report.refresh_from_db()
    assert report.next_due_at is None


def test_meet_after_a_stricter_target_is_late_but_not_legally_late(demo, now):
    EscalationPolicy.objects.filter(channel="general").update(
        forward_within=timedelta(minutes=20), auto_forward_margin=timedelta(minutes=2)
    )
    report = submitted(demo, now)
    clock = deadline_meet(report=report, kind="forward", at=now + timedelta(minutes=30))
    assert clock.outcome == "late" and clock.lateness is None


def test_meet_after_the_statutory_limit_records_the_legal_lateness(demo, now):
    report = submitted(demo, now)
    clock = deadline_meet(report=report, kind="forward", at=now + timedelta(minutes=75))
    assert clock.outcome == "late" and clock.lateness == timedelta(minutes=15)


def test_meet_without_an_open_clock_does_nothing(demo, now):
    report = submitted(demo, now, severity="significant")
    before = list(report.deadlines.values_list("pk", "outcome", "met_at"))
    assert deadline_meet(report=report, kind="forward", at=now) is None
    assert deadline_meet(report=report, kind="file", at=now + timedelta(hours=1)) is None
    assert list(report.deadlines.values_list("pk", "outcome", "met_at")) == before


# --- deadline_cancel -----------------------------------------------------------------------


def test_cancel_closes_the_clock_as_not_required_with_the_reason(demo, now):
    report = submitted(demo, now)
    at = now + timedelta(minutes=10)
    # when
    clock = deadline_cancel(report=report, kind="forward", at=at, reason="核实后降级")
    # then
    clock = Deadline.objects.get(pk=clock.pk)
    assert (clock.outcome, clock.closed_reason, clock.acted_at) == (
        "not_required",
        "核实后降级",
        at,
    )
    assert clock.met_at is None and clock.next_fire_at is None
    record, changed = last_change(clock)
    assert record.history_type == "~"
    assert changed == {"outcome", "closed_reason", "acted_at", "next_fire_at"}
    report.refresh_from_db()
    assert report.next_due_at is None


def test_cancel_without_an_open_clock_does_nothing(demo, now):
    report = submitted(demo, now, severity="significant")
    assert deadline_cancel(report=report, kind="forward", at=now, reason="x") is None
    assert not report.deadlines.filter(outcome="not_required").exists()


# --- deadline_act --------------------------------------------------------------------------


def test_a_reminder_tells_the_receiving_reviewers_and_goes_on_the_timeline(demo, now):
    report = submitted(demo, now)
    clock = report.deadlines.get(kind="forward")
    at = now + timedelta(minutes=30)
    # when
    deadline_act(deadline_id=clock.pk, now=at)
    # then
    event = report.events.get(kind="reminded")
    assert (event.actor, event.automatic, event.at) == (None, True, at)
    assert report.reference in event.note
    assert told(report, "reminder") == ["reviewer-gd"]
    assert Notification.objects.get(report=report, kind="reminder").message == event.note
    clock.refresh_from_db()
    assert clock.reminders_sent == 1 and clock.outcome == "open"
    assert clock.next_fire_at == now + timedelta(minutes=48)
    record, changed = last_change(clock)
    assert record.history_type == "~" and changed == {"reminders_sent", "next_fire_at"}


def test_a_forward_reminder_goes_to_the_reviewer_who_holds_the_report(demo, now):
    report = submitted(demo, now)
    report_claim(user=demo["reviewer-gd"], pk=report.pk, now=now)
    deadline_act(
        deadline_id=report.deadlines.get(kind="forward").pk, now=now + timedelta(minutes=30)
    )
    assert told(report, "reminder") == ["reviewer-gd"]


def test_a_filing_reminder_goes_to_the_operator(demo, now):
    op = demo["operator-general"]
    draft = report_create(user=op, data={"title": "x", "discovered_at": now}, now=now)
    deadline_act(deadline_id=draft.deadlines.get().pk, now=now + timedelta(hours=2))
    assert told(draft, "reminder") == ["operator-general"]
    assert draft.events.get(kind="reminded").automatic


def test_acting_before_the_instant_does_nothing(demo, now):
    report = submitted(demo, now)
    clock = report.deadlines.get(kind="forward")
    deadline_act(deadline_id=clock.pk, now=now + timedelta(minutes=29, seconds=59))
    assert not report.events.filter(kind="reminded").exists()
    assert len(records(clock)) == 1


def test_the_automatic_forward_at_act_time(demo, now):
    report = submitted(demo, now)
    clock = report.deadlines.get(kind="forward")
    deadline_act(deadline_id=clock.pk, now=now + timedelta(minutes=30))
    deadline_act(deadline_id=clock.pk, now=now + timedelta(minutes=48))
    act_at = now + timedelta(minutes=55)
    # when
    deadline_act(deadline_id=clock.pk, now=act_at)
    # then the forwarding and the report
    forwarding = Forwarding.objects.get(report=report)
    assert (forwarding.actor, forwarding.automatic, forwarding.at) == (None, True, act_at)
    report.refresh_from_db()
    assert (report.tier, report.status, report.forwarded_at) == ("national", "submitted", act_at)
    # the timeline
    event = report.events.get(kind="forwarded")
    assert (event.actor, event.automatic, event.at) == (None, True, act_at)
    assert local(act_at) in event.note
    # the clock
    clock.refresh_from_db()
    assert (clock.outcome, clock.met_at, clock.acted_at) == ("met", act_at, act_at)
    assert clock.next_fire_at is None and clock.late_cause == ""
    # both tiers are told
    assert {"national", "reviewer-gd"} <= set(told(report, "forwarded"))


def test_a_late_act_forwards_without_sending_the_reminders_it_missed(demo, now):
    report = submitted(demo, now)
    clock = report.deadlines.get(kind="forward")
    deadline_act(deadline_id=clock.pk, now=now + timedelta(minutes=56))
    assert not report.events.filter(kind="reminded").exists()
    assert report.events.get(kind="forwarded").automatic
    clock.refresh_from_db()
    assert clock.reminders_sent == 2 and clock.outcome == "met"


def test_a_breach_is_recorded_once_on_the_timeline_and_on_the_clock(demo, now):
    op = demo["operator-general"]
    draft = report_create(user=op, data={"title": "x", "discovered_at": now}, now=now)
    clock = draft.deadlines.get()
    deadline_act(deadline_id=clock.pk, now=now + timedelta(hours=2))
    deadline_act(deadline_id=clock.pk, now=now + timedelta(hours=3, minutes=12))
    at = now + timedelta(hours=4, minutes=1)
    # when
    deadline_act(deadline_id=clock.pk, now=at)
    deadline_act(deadline_id=clock.pk, now=at + timedelta(minutes=1))
    # then
    event = draft.events.get(kind="deadline_breached")
    assert (event.actor, event.automatic, event.at) == (None, True, at)
    assert local(now + timedelta(hours=4)) in event.note
    clock.refresh_from_db()
    assert clock.outcome == "open"  # still to be filed
    assert clock.lateness == timedelta(minutes=1) and clock.next_fire_at is None
    record, changed = last_change(clock)
    assert record.history_type == "~" and {"lateness", "next_fire_at"} <= changed
    draft.refresh_from_db()
    assert draft.missed_at is None  # an ordinary draft is not a missed report


def test_a_breached_required_report_is_recorded_as_missed(demo, now):
    report = report_require(
        user=demo["reviewer-gd"],
        organization=demo["operator-general"].memberships.get().organization,
        title="监测发现数据泄露",
        now=now,
    )
    clock = report.deadlines.get()
    at = now + timedelta(hours=4, seconds=30)
    deadline_act(deadline_id=clock.pk, now=at)
    report.refresh_from_db()
    assert report.missed_at == at and report.status == "draft"
    assert report.events.get(kind="deadline_breached").at == at
    _record, changed = last_change(report)
    assert changed == {"missed_at"}


def test_a_sweep_after_an_outage_records_the_cause_on_the_clock(demo, now):
    deadlines_sweep(now=now)
    report = submitted(demo, now)
    back = now + timedelta(hours=2)
    deadlines_sweep(now=back)
    clock = report.deadlines.get(kind="forward")
    assert clock.outcome == "late" and clock.lateness == timedelta(hours=1)
    assert clock.late_cause and local(back) in clock.late_cause
    assert clock.late_cause in report.events.get(kind="forwarded").note


# --- deadlines_sweep -----------------------------------------------------------------------


def test_the_sweep_acts_on_every_due_clock_and_records_its_heartbeat(demo, now):
    general = submitted(demo, now)
    cii = submitted(demo, now, username="operator-cii")
    at = now + timedelta(minutes=30)
    # when: the general report's first reminder and the cii report's automatic forward
    acted = deadlines_sweep(now=at)
    # then
    assert acted == 2
    beat = SweepHeartbeat.objects.get(pk=1)
    assert (beat.last_run_at, beat.acted) == (at, 2)
    assert general.events.filter(kind="reminded").count() == 1
    cii.refresh_from_db()
    assert cii.tier == "national"


def test_a_sweep_with_nothing_due_acts_on_nothing(demo, now):
    submitted(demo, now)
    assert deadlines_sweep(now=now + timedelta(minutes=1)) == 0
    assert deadlines_sweep(now=now + timedelta(minutes=30)) == 1
    assert deadlines_sweep(now=now + timedelta(minutes=30)) == 0
    beat = SweepHeartbeat.objects.get(pk=1)
    assert (beat.last_run_at, beat.acted) == (now + timedelta(minutes=30), 0)


@pytest.mark.parametrize("batch", [1, 2])
def test_the_sweep_goes_through_every_batch(demo, now, batch):
    reports = [submitted(demo, now) for _ in range(3)]
    assert deadlines_sweep(now=now + timedelta(minutes=30), batch=batch) == 3
    for report in reports:
        assert report.events.filter(kind="reminded").count() == 1


def values(deadline) -> list:
    return [getattr(deadline, f.attname) for f in Deadline._meta.concrete_fields]


def test_the_locked_read_of_the_clocks_gives_the_orms_rows_in_order(demo, now):
    # compiled once per process and run raw (core.compiled): the same rows, values and order
    # as the ORM's query, for each report, and the rows locked
    first, second = submitted(demo, now), submitted(demo, now + timedelta(minutes=1))
    for report in (first, second, first):
        expected = list(Deadline.objects.filter(report=report).order_by("opened_at", "pk"))
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            clocks = clocks_for_update(report)
        assert [d.pk for d in clocks] == [d.pk for d in expected] and len(clocks) == 2
        assert [values(d) for d in clocks] == [values(d) for d in expected]
        (read,) = [q["sql"] for q in queries if "escalation_deadline" in q["sql"]]
        assert "FOR UPDATE" in read
