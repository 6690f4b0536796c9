"""Past one machine (issue 12): two beat processes and two clock workers at once never
produce a duplicate reminder or escalation. Real Celery processes against Redis and
PostgreSQL, on a seconds-long policy; bounded polling."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from escalation.models import Deadline, EscalationPolicy, SweepHeartbeat
from notifications.models import Notification
from reports.models import Forwarding, Report, ReportEvent
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from tests.workers import poll

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

REPORTS = 6


@pytest.fixture
def fast_policy(demo):
    # forward within 8 s, a reminder at half of it, forward by itself 2 s before the limit
    EscalationPolicy.objects.filter(channel="general").update(
        forward_within=timedelta(seconds=8),
        auto_forward_margin=timedelta(seconds=2),
        reminder_fractions=[0.5],
    )
    SweepHeartbeat.objects.all().delete()


def serious(demo, i) -> Report:
    user = demo["operator-general"]
    now = timezone.now()
    draft = report_create(
        user=user,
        data={
            "title": f"勒索软件 {i}",
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


def test_two_beats_and_two_clock_workers_never_act_twice(
    demo, fast_policy, celery_processes, tmp_path
):
    for name in ("clocks-a", "clocks-b"):
        celery_processes(
            name, "worker", "-Q", "clocks", "-n", f"{name}@%h", "--pool=solo", "--without-mingle"
        )
    for name in ("beat-a", "beat-b"):
        celery_processes(name, "beat", "--schedule", str(tmp_path / name))
    assert poll(lambda: SweepHeartbeat.objects.filter(last_run_at__isnull=False).exists(), 60)

    reports = [serious(demo, i) for i in range(REPORTS)]
    ids = [r.pk for r in reports]

    def all_forwarded():
        return Report.objects.filter(pk__in=ids, tier="national").count() == REPORTS

    assert poll(all_forwarded, 60), "not every report was forwarded"
    # a few more sweeps from both beats, on both workers, after the acts
    seen = SweepHeartbeat.objects.get(pk=1).last_run_at
    assert poll(lambda: SweepHeartbeat.objects.get(pk=1).last_run_at > seen, 30)

    forwarded = Counter(
        ReportEvent.objects.filter(report_id__in=ids, kind="forwarded").values_list(
            "report_id", flat=True
        )
    )
    reminded = Counter(
        ReportEvent.objects.filter(report_id__in=ids, kind="reminded").values_list(
            "report_id", flat=True
        )
    )
    assert forwarded == Counter(ids)  # exactly one forward each
    assert Forwarding.objects.filter(report_id__in=ids, automatic=True).count() == REPORTS
    assert all(n <= 1 for n in reminded.values()), reminded  # never a reminder twice
    reminder_notes = Counter(
        Notification.objects.filter(report_id__in=ids, kind="reminder").values_list(
            "report_id", "user_id"
        )
    )
    assert all(n == 1 for n in reminder_notes.values()), reminder_notes
    for clock in Deadline.objects.filter(report_id__in=ids, kind="forward"):
        assert clock.outcome == Deadline.Outcome.MET and clock.next_fire_at is None
