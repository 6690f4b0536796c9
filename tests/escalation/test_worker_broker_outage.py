"""A real worker and beat on a Redis of the test's own that is stopped, and frozen, while the
worker holds the clocks' ETA tasks (issue 14, TARGETS.md): the worker stays up, reconnects
by itself, and every clock that came due during the outage is acted on within 5 s of Redis's
return, marked late with the outage as cause, none twice. The only tests here that wait in
real time: they poll for the outcome with a bound."""

import time
from datetime import timedelta

import pytest
from celery import current_app
from django.utils import timezone

from core.tasks import broker_backoff_reset
from escalation.models import Deadline, EscalationPolicy, SweepHeartbeat
from reports.models import Report
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from tests.brokers import PrivateRedis, use_broker
from tests.workers import poll

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

RECOVERY_BOUND = 5.0  # TARGETS.md: every overdue clock acted on within 5 s of Redis's return


@pytest.fixture
def private_redis(tmp_path, settings):
    server = PrivateRedis(tmp_path)
    server.start()
    original = current_app.conf.broker_url
    settings.CELERY_BROKER_URL = server.url  # what tests/workers.py hands the processes
    use_broker(server.url)
    broker_backoff_reset()
    yield server
    server.stop()
    use_broker(original)
    broker_backoff_reset()


@pytest.fixture
def fast_policy(demo):
    # forward within 8 s, forward by itself 2 s before: act 6 s after receipt
    EscalationPolicy.objects.filter(channel="general").update(
        forward_within=timedelta(seconds=8),
        auto_forward_margin=timedelta(seconds=2),
        reminder_fractions=[0.5],
    )
    SweepHeartbeat.objects.all().delete()


def _serious_report(demo, title):
    user = demo["operator-general"]
    now = timezone.now()
    draft = report_create(
        user=user,
        data={
            "title": title,
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


def _all_forwarded(pks) -> bool:
    return Report.objects.filter(pk__in=pks, tier="national").count() == len(pks)


def _wait_past_the_limit(reports):
    last = max(r.deadlines.get(kind="forward").due_at for r in reports)
    time.sleep(max(0.0, (last - timezone.now()).total_seconds()) + 1)


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_the_worker_survives_an_outage_and_acts_on_every_overdue_clock(
    demo, fast_policy, private_redis, celery_processes, outage
):
    worker = celery_processes(
        "worker", "worker", "--pool=solo", "--without-mingle", "--without-gossip"
    )
    beat = celery_processes("beat", "beat", "--schedule", f"/tmp/portal-i14-beat-{outage}")
    assert poll(lambda: SweepHeartbeat.objects.filter(last_run_at__isnull=False).exists(), 30)

    # filed before the outage: the worker holds its ETA task, unacknowledged
    before = _serious_report(demo, "before")
    time.sleep(1)
    if outage == "stopped":
        private_redis.stop()
    else:
        private_redis.freeze()
    # filed during the outage: not enqueued at all
    during = _serious_report(demo, "during")
    reports = [before, during]
    _wait_past_the_limit(reports)
    assert not _all_forwarded([r.pk for r in reports])  # nothing could act meanwhile
    assert worker.poll() is None, "the worker exited during the outage"
    assert beat.poll() is None, "beat exited during the outage"

    if outage == "stopped":
        private_redis.start()
    else:
        private_redis.thaw()
    back = time.monotonic()
    assert poll(lambda: _all_forwarded([r.pk for r in reports]), 30), "not forwarded"
    assert time.monotonic() - back <= RECOVERY_BOUND + 1.0  # the poll's own granularity

    for report in reports:
        events = report.events.filter(kind="forwarded")
        assert events.count() == 1  # none twice
        assert events.get().automatic
        clock = report.deadlines.get(kind="forward")
        assert clock.outcome == Deadline.Outcome.LATE
        assert clock.late_cause, "lateness without a cause"
    assert worker.poll() is None and beat.poll() is None
