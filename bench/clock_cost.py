"""Cost of the clock worker's work, in process: SQL queries, this process's CPU and the
database backend's CPU per reminder and per automatic forward, as the engine does them —
one by one (the ETA task: `deadline_act`) and in one sweep (`deadlines_sweep`).

N serious reports on the general channel (policy: 60 s forward limit, 10 s margin, as
bench/escalation_lag.py) are filed through the services at T; their forward clocks remind
at T+30 s and T+48 s and forward at T+50 s. Half are acted on one clock at a time
(`deadline_act`: what the ETA task does on time), the other half in one batch at the same
instants (`deadlines_sweep`: the sweep, or an ETA task that finds itself behind).

    .venv/bin/python bench/clock_cost.py [--reports 100] [--reuse]

Uses its own PostgreSQL database `portal_bench_clocks` (dropped and re-created); tasks
are not published (counted instead).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "portal_bench_clocks"
sys.path.insert(0, str(ROOT))
from bench.common import recreate_database  # noqa: E402

os.environ.update(
    DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    DJANGO_SETTINGS_MODULE="config.settings.local",
    DJANGO_DEBUG="false",
    REDIS_URL="",
)


def backend_cpu(connection) -> float:
    """CPU seconds of this connection's PostgreSQL backend (None when not readable)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--reuse", action="store_true", help="keep an existing database")
    args = parser.parse_args()
    if not args.reuse:
        recreate_database(DB_NAME)

    import django

    django.setup()
    from collections import deque
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    import core.tasks
    from demo.world import seed_demo_world
    from escalation.models import Deadline, EscalationPolicy
    from escalation.services.engine import deadline_act, deadlines_sweep
    from reports.services.drafting import report_create
    from reports.services.submission import report_submit

    connection.queries_log = deque(maxlen=1_000_000)  # count them all (Django keeps 9 000)
    published = []
    core.tasks.send_task_now = lambda name, *a, eta=None: published.append(name) or True

    if not args.reuse:
        call_command("migrate", verbosity=0)
        seed_demo_world()
    EscalationPolicy.objects.filter(channel="general").update(
        forward_within=timedelta(seconds=60), auto_forward_margin=timedelta(seconds=10)
    )
    from django.contrib.auth import get_user_model

    operator = get_user_model().objects.get(username="operator-general")

    def file(at, n):
        ids = []
        for i in range(n):
            data = {
                "title": f"bench {i}",
                "affected_systems": "ERP",
                "discovered_at": at - timedelta(minutes=5),
                "location": "广州",
                "category": "0208",
                "severity_declared": "major",
                "impact_description": "中断",
                "measures_taken": "隔离",
            }
            report = report_create(user=operator, data=data, now=at)
            report_submit(user=operator, pk=report.pk, now=at)
            ids.append(report.pk)
        return ids

    t0 = timezone.now().replace(microsecond=0) + timedelta(days=1)
    warm = file(t0 - timedelta(hours=1), 4)  # the reference tables in memory, warm paths
    for step in (30, 48, 50):
        deadlines_sweep(now=t0 - timedelta(hours=1) + timedelta(seconds=step))
    half = args.reports // 2
    one_by_one = file(t0, half)
    swept = file(t0, args.reports - half)
    assert warm and swept
    clocks = list(
        Deadline.objects.filter(report_id__in=one_by_one, kind="forward").values_list(
            "pk", flat=True
        )
    )

    print(f"{args.reports} serious reports, {len(clocks)} acted on one by one, rest by sweeps")
    print(f"{'what':<34}{'queries':>9}{'CPU ms':>9}{'db CPU ms':>11}{'wall ms':>9}")
    for step, what in ((30, "reminder"), (48, "reminder"), (50, "automatic forward")):
        at = t0 + timedelta(seconds=step)
        published.clear()
        db0, cpu0, wall0 = backend_cpu(connection), time.process_time(), time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            for pk in clocks:
                deadline_act(deadline_id=pk, now=at, last_sweep=at - timedelta(seconds=1))
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        db = backend_cpu(connection) - db0
        n = len(clocks)
        print(
            f"{what + ' (one clock)':<34}{len(queries) / n:>9.1f}{cpu / n * 1000:>9.2f}"
            f"{db / n * 1000:>11.2f}{wall / n * 1000:>9.2f}"
            f"   tasks/clock {len(published) / n:.1f}"
        )
        published.clear()
        db0, cpu0, wall0 = backend_cpu(connection), time.process_time(), time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            done = deadlines_sweep(now=at)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        db = backend_cpu(connection) - db0
        assert done == args.reports - half, done
        print(
            f"{what + ' (batch)':<34}{len(queries) / done:>9.1f}{cpu / done * 1000:>9.2f}"
            f"{db / done * 1000:>11.2f}{wall / done * 1000:>9.2f}"
            f"   tasks/clock {len(published) / done:.1f}"
        )
    left = Deadline.objects.filter(kind="forward", outcome="open").count()
    print(f"forward clocks still open: {left}")


if __name__ == "__main__":
    main()
