"""The clock worker's query budget (issue 12, "Clocks first"): one automatic forward, one
reminder, and a sweep of many reminders cost a fixed number of SQL queries, and nothing is
skipped. Counted with CaptureQueriesContext inside the test's transaction: the queries that
read or write data (transaction control — BEGIN, COMMIT, SAVEPOINT, RELEASE — apart).
bench/clock_cost.py measures the same paths with their CPU."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from escalation.models import Deadline
from escalation.services.engine import deadline_act, deadlines_sweep
from notifications.models import Notification
from reports.models import Forwarding, ReportEvent
from reports.services.drafting import report_create
from reports.services.submission import report_submit

FORWARD_BUDGET = 15  # was 30 (issue 12)
REMINDER_BUDGET = 6
# heartbeat, the clocks coming within the horizon (their ETA tasks), the due clocks, then the
# batch: whatever its size (was 6 a clock)
SWEEP_BUDGET = 11
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def data(queries) -> list[str]:
    return [q["sql"] for q in queries if not q["sql"].upper().startswith(CONTROL)]


def check(queries, budget: int) -> None:
    sql = data(queries)
    assert len(sql) <= budget, f"{len(sql)} queries:\n" + "\n".join(s[:120] for s in sql)


def serious(demo, username, at):
    user = demo[username]
    data = {
        "title": "攻击",
        "affected_systems": "ERP",
        "discovered_at": at - timedelta(minutes=10),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "中断",
        "measures_taken": "隔离",
    }
    report = report_create(user=user, data=data, now=at)
    report = report_submit(user=user, pk=report.pk, now=at)
    return report, report.deadlines.get(kind="forward")


def act(clock, at):
    with CaptureQueriesContext(connection) as queries:
        deadline_act(deadline_id=clock.pk, now=at, last_sweep=at - timedelta(seconds=1))
    return queries


@pytest.mark.parametrize("operator", ["operator-general", "operator-cii"])
def test_an_automatic_forward_fits_its_budget_and_does_everything(demo, now, operator):
    serious(demo, operator, now - timedelta(hours=1))  # warm: reference tables in memory
    report, clock = serious(demo, operator, now)
    act(clock, clock.act_at)  # the first forward warms its paths
    report, clock = serious(demo, operator, now + timedelta(seconds=1))

    queries = act(clock, clock.act_at)

    check(queries, FORWARD_BUDGET)
    report.refresh_from_db()
    clock.refresh_from_db()
    assert report.tier == "national" and report.forwarded_at == clock.act_at
    assert report.next_due_at is None and report.version == 3
    assert clock.outcome == Deadline.Outcome.MET and clock.met_at == clock.act_at
    assert clock.acted_at == clock.act_at and clock.next_fire_at is None
    assert Forwarding.objects.get(report=report).automatic
    forwarded = report.events.get(kind=ReportEvent.Kind.FORWARDED)
    assert forwarded.automatic and forwarded.actor is None
    told = set(
        Notification.objects.filter(report=report, kind="forwarded").values_list(
            "user__username", flat=True
        )
    )
    assert {"national", operator} <= told
    # one history row for the clock's act (met and acted together), one for the report's
    assert [h.history_type for h in clock.history.order_by("history_id")] == ["+", "~"]
    assert report.history.count() == 3


def test_a_reminder_fits_its_budget(demo, now):
    serious(demo, "operator-general", now - timedelta(hours=1))
    _report, warm = serious(demo, "operator-general", now)
    act(warm, warm.next_fire_at)
    report, clock = serious(demo, "operator-general", now + timedelta(seconds=1))
    first = clock.next_fire_at

    queries = act(clock, first)

    check(queries, REMINDER_BUDGET)
    clock.refresh_from_db()
    assert clock.reminders_sent == 1 and clock.next_fire_at > first
    assert report.events.filter(kind=ReportEvent.Kind.REMINDED).count() == 1
    assert Notification.objects.filter(report=report, kind="reminder").exists()


def test_a_sweep_of_many_reminders_costs_the_same_as_one(demo, now):
    serious(demo, "operator-general", now - timedelta(days=1))
    deadlines_sweep(now=now - timedelta(hours=1))  # warm: forwards it, nothing left due
    clocks = [serious(demo, "operator-general", now)[1] for _ in range(5)]
    first = clocks[0].next_fire_at

    with CaptureQueriesContext(connection) as queries:
        assert deadlines_sweep(now=first) == 5

    check(queries, SWEEP_BUDGET)
    for clock in clocks:
        clock.refresh_from_db()
        assert clock.reminders_sent == 1
        assert clock.report.events.filter(kind=ReportEvent.Kind.REMINDED).count() == 1
        assert Notification.objects.filter(report=clock.report, kind="reminder").exists()


def test_the_budget_fails_when_the_path_grows(demo, now):
    serious(demo, "operator-general", now - timedelta(hours=1))
    _report, clock = serious(demo, "operator-general", now)
    queries = act(clock, clock.next_fire_at)
    grown = queries.captured_queries + [{"sql": "SELECT 1"}] * (
        REMINDER_BUDGET - len(data(queries)) + 1
    )
    with pytest.raises(AssertionError):
        check(grown, REMINDER_BUDGET)


def _what_a_forward_left(report, clock) -> dict:
    """Everything an automatic forward writes, with the report's own reference taken out."""
    report.refresh_from_db()
    clock.refresh_from_db()
    forwarding = Forwarding.objects.get(report=report)

    def plain(text):
        return text.replace(report.reference, "REF")

    return {
        "report": [
            getattr(report, f)
            for f in ("tier", "status", "assignee_id", "forwarded_at", "next_due_at", "version")
        ],
        "copied_to": sorted(report.copied_to.values_list("pk", flat=True)),
        "forwarding": [
            forwarding.at,
            forwarding.automatic,
            forwarding.actor_id,
            forwarding.from_authority_id,
            forwarding.same_level_reason,
            sorted(forwarding.same_level_departments.values_list("pk", flat=True)),
        ],
        "clock": [
            getattr(clock, f)
            for f in (
                "outcome",
                "met_at",
                "acted_at",
                "lateness",
                "late_cause",
                "next_fire_at",
                "reminders_sent",
            )
        ],
        "events": [
            (e.kind, e.at, e.actor_id, e.automatic, plain(e.note)) for e in report.events.all()
        ],
        "notifications": sorted(
            (n.user_id, n.kind, plain(n.message), n.created_at)
            for n in Notification.objects.filter(report=report)
        ),
        "report history": [h.history_type for h in report.history.order_by("history_id")],
        "clock history": [h.history_type for h in clock.history.order_by("history_id")],
        "forwarding history": forwarding.history.count(),
    }


@pytest.mark.parametrize("operator", ["operator-general", "operator-cii"])
@pytest.mark.parametrize("late", [False, True])
def test_a_sweep_forwards_in_bulk_exactly_as_one_by_one(demo, now, operator, late):
    """The sweep's batch of forwards writes what the ETA task's forward of one clock writes:
    the same report, copies, forwarding, clock, events, notifications and history (late:
    acted after a gap in the sweeps, the cause recorded)."""
    one, one_clock = serious(demo, operator, now)
    batch = [serious(demo, operator, now) for _ in range(3)]
    if not late:  # punctual: the reminders at their instants (late: none, a gap in sweeps)
        for instant in one_clock.times.remind_at:
            deadlines_sweep(now=instant)
    at = one_clock.act_at + (timedelta(minutes=30) if late else timedelta(0))
    last_sweep = at - timedelta(minutes=31 if late else 0, seconds=1)

    deadline_act(deadline_id=one_clock.pk, now=at, last_sweep=last_sweep)
    with CaptureQueriesContext(connection) as queries:
        from escalation.services.engine import deadlines_act

        deadlines_act(ids=[c.pk for _r, c in batch], now=at, last_sweep=last_sweep)

    expected = _what_a_forward_left(one, one_clock)
    assert ("DEADLINE_BREACHED" not in str(expected["events"])) and expected["report"][0] == (
        "national"
    )
    assert bool(expected["clock"][4]) is late  # the cause of a late act
    for report, clock in batch:
        assert _what_a_forward_left(report, clock) == expected
    check(queries, SWEEP_BUDGET + 8)  # a fixed number for the whole batch


@pytest.mark.parametrize("late", [timedelta(milliseconds=150), timedelta(seconds=5)])
def test_a_clock_task_behind_acts_on_every_clock_due_in_one_pass(demo, now, late):
    """The ETA task of one clock acts on the others already due too (a worker that fell
    behind catches up in bulk); their own tasks then find nothing to do. Behind = more
    than 0.1 s after the instant it was sent for (docs/DECISIONS.md, "Escalation")."""
    from escalation.services.engine import deadline_act_and_due

    clocks = [serious(demo, "operator-general", now)[1] for _ in range(4)]
    at = clocks[0].act_at

    deadline_act_and_due(
        deadline_id=clocks[2].pk,
        now=at + late,
        last_sweep=at - timedelta(seconds=1),
        scheduled=at,
    )

    for clock in clocks:
        clock.refresh_from_db()
        assert clock.outcome == Deadline.Outcome.MET
        assert clock.acted_at == at + late
        assert clock.reminders_sent == 2  # due with the act: counted, not sent late
        assert clock.report.events.filter(kind=ReportEvent.Kind.FORWARDED).count() == 1
    with CaptureQueriesContext(connection) as queries:
        deadline_act_and_due(deadline_id=clocks[0].pk, now=at + late)
    assert len(data(queries)) == 2  # nothing due: the due clocks, then the clock itself
    assert Forwarding.objects.filter(report__in=[c.report_id for c in clocks]).count() == 4


@pytest.mark.parametrize("late", [timedelta(0), timedelta(milliseconds=50)])
def test_a_clock_task_on_time_acts_on_its_clock_alone(demo, now, late):
    """Within 0.1 s of its instant a task acts on its own clock, though the other is due."""
    clocks = [serious(demo, "operator-general", now)[1] for _ in range(2)]
    at = clocks[0].next_fire_at
    assert clocks[1].next_fire_at == at
    from escalation.services.engine import deadline_act_and_due

    with CaptureQueriesContext(connection) as queries:
        deadline_act_and_due(deadline_id=clocks[0].pk, now=at + late, scheduled=at)
    check(queries, REMINDER_BUDGET)
    clocks[0].refresh_from_db()
    clocks[1].refresh_from_db()
    assert (clocks[0].reminders_sent, clocks[1].reminders_sent) == (1, 0)


def test_the_clock_task_reads_the_instant_it_was_sent_for(now):
    from escalation.tasks import _instant

    assert _instant(now.isoformat()) == now
    assert _instant(now) == now
    assert _instant(None) is None
    assert _instant(now.replace(tzinfo=None).isoformat()) is None  # naive: taken as behind
    assert _instant("not a date") is None
