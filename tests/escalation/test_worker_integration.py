"""A real Celery worker and beat against Redis and PostgreSQL, on a seconds-long policy.
The only tests that wait in real time: they poll for the outcome with a bound."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from escalation.models import Deadline, EscalationPolicy, SweepHeartbeat
from reports.models import Report
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from tests.workers import poll, ready_at, stop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def _serious_report(demo):
    user = demo["operator-general"]
    now = timezone.now()
    draft = report_create(
        user=user,
        data={
            "title": "勒索软件",
            "affected_systems": "ERP",
            "discovered_at": now - timedelta(minutes=5),
            "location": "广州",
            "category": "0208",
            "severity_declared": "major",
            "impact_description": "中断",
            "measures_taken": "隔离",
        },
    )
    return report_submit(user=user, pk=draft.pk)


@pytest.fixture
def fast_policy(demo):
    # forward within 8 s, forward by itself 2 s before: act 6 s after receipt
    EscalationPolicy.objects.filter(channel="general").update(
        forward_within=timedelta(seconds=8),
        auto_forward_margin=timedelta(seconds=2),
        reminder_fractions=[0.5],
    )
    SweepHeartbeat.objects.all().delete()


def _forwarded(pk):
    return Report.objects.filter(pk=pk, tier="national").exists()


def test_a_serious_report_left_alone_is_forwarded_at_act_at(
    demo, fast_policy, celery_processes, tmp_path
):
    celery_processes("worker", "worker", "--pool=solo", "--without-mingle", "--without-gossip")
    celery_processes("beat", "beat", "--schedule", str(tmp_path / "celerybeat"))
    assert poll(lambda: SweepHeartbeat.objects.filter(last_run_at__isnull=False).exists(), 30)

    report = _serious_report(demo)
    clock = report.deadlines.get(kind="forward")

    assert poll(lambda: _forwarded(report.pk), 30), "not forwarded"
    event = report.events.get(kind="forwarded")
    assert event.automatic and event.actor is None
    lag = (event.at - clock.act_at).total_seconds()
    assert 0 <= lag <= 1.0, lag
    clock.refresh_from_db()
    assert clock.outcome == Deadline.Outcome.MET


def test_after_the_worker_comes_back_it_forwards_at_once_marked_late(
    demo, fast_policy, celery_processes, tmp_path
):
    beat = celery_processes("beat", "beat", "--schedule", str(tmp_path / "celerybeat"))
    # no worker yet: a sweep task sits in the broker; the heartbeat stays empty
    report = _serious_report(demo)
    clock = report.deadlines.get(kind="forward")
    time.sleep(max(0.0, (clock.due_at - timezone.now()).total_seconds()) + 1)  # past the limit
    ready_file = tmp_path / "worker-ready"
    celery_processes(
        "worker",
        "worker",
        "--pool=solo",
        "--without-mingle",
        "--without-gossip",
        ready_file=ready_file,
    )

    assert poll(lambda: _forwarded(report.pk), 30), "not forwarded after restart"
    # the bound runs from the worker's readiness: booting a process is not the portal's lag
    ready = ready_at(ready_file)
    event = report.events.get(kind="forwarded")
    assert (event.at - ready).total_seconds() <= 5, event.at - ready
    clock.refresh_from_db()
    assert clock.outcome == Deadline.Outcome.LATE
    assert clock.late_cause, "lateness without a cause"
    stop(beat)


def test_instants_beyond_the_horizon_are_published_by_the_sweep_and_acted_on_at_once(
    demo, settings, celery_processes, tmp_path
):
    # a 6 s horizon and a sweep every 4 s; forward within 20 s, a reminder at half of it,
    # forward by itself 2 s before: at submission the reminder (10 s) and the act (18 s) are
    # beyond the horizon, so their tasks come from the sweeps that reach them. Acted on by
    # the sweep alone, each would be up to 4 s late (both within 1 s: a chance in 16).
    EscalationPolicy.objects.filter(channel="general").update(
        forward_within=timedelta(seconds=20),
        auto_forward_margin=timedelta(seconds=2),
        reminder_fractions=[0.5],
    )
    SweepHeartbeat.objects.all().delete()
    settings.ESCALATION_ETA_HORIZON_SECONDS = 6
    env = {"ESCALATION_ETA_HORIZON_SECONDS": "6", "ESCALATION_SWEEP_SECONDS": "4"}
    worker = ("worker", "--pool=solo", "--without-mingle", "--without-gossip")
    celery_processes("worker", *worker, env=env)
    celery_processes("beat", "beat", "--schedule", str(tmp_path / "celerybeat"), env=env)
    assert poll(lambda: SweepHeartbeat.objects.filter(last_run_at__isnull=False).exists(), 30)

    report = _serious_report(demo)
    clock = report.deadlines.get(kind="forward")
    assert clock.next_fire_at - timezone.now() > timedelta(seconds=6)  # not sent at opening

    assert poll(lambda: _forwarded(report.pk), 40), "not forwarded"
    reminded = report.events.get(kind="reminded")
    forwarded = report.events.get(kind="forwarded")
    assert forwarded.automatic
    reminder_at = clock.opened_at + timedelta(seconds=10)
    assert 0 <= (reminded.at - reminder_at).total_seconds() <= 1.0, reminded.at - reminder_at
    assert 0 <= (forwarded.at - clock.act_at).total_seconds() <= 1.0, forwarded.at - clock.act_at
