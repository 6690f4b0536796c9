"""Cost of one sweep tick with a large database: N reports (default 1 000 000) and M open
clocks (default 100 000) whose next instants are spread over the coming hours, a few due
now. Prints the plan of the sweep query and the database time of a sweep tick (median and
p95 over many ticks), with nothing due and with a batch due.

    .venv/bin/python bench/sweep_cost.py [--reports 1000000] [--open 100000]

Uses its own PostgreSQL database `portal_bench_sweep` (dropped and re-created).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "portal_bench_sweep"
sys.path.insert(0, str(ROOT))
os.environ.update(
    DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    DJANGO_SETTINGS_MODULE="config.settings.local",
    DJANGO_DEBUG="false",
)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round((len(values) - 1) * p / 100))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--ticks", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="keep an existing database")
    args = parser.parse_args()

    if not args.reuse:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB_NAME])
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB_NAME], check=True)

    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.demo import seed_demo_world
    from escalation.models import Deadline
    from escalation.services import deadlines_sweep
    from reports.demo import seed_reports
    from reports.models import Report

    if not args.reuse:
        call_command("migrate", verbosity=0)
        seed_demo_world()
        started = time.monotonic()
        seed_reports(args.reports)
        print(f"seeded {args.reports} reports in {time.monotonic() - started:.0f} s")
        now = timezone.now()
        report_ids = list(Report.objects.values_list("pk", flat=True)[: args.open])
        rows = []
        for i, pk in enumerate(report_ids):
            fire = now + timedelta(seconds=60 + (i * 7) % (4 * 3600))
            rows.append(
                Deadline(
                    report_id=pk,
                    kind="info_request",
                    opened_at=now,
                    statutory_due_at=fire + timedelta(hours=1),
                    due_at=fire + timedelta(hours=1),
                    next_fire_at=fire,
                    remind_at=[fire.isoformat()],
                    policy_channel="general",
                    policy_within=timedelta(hours=5),
                )
            )
        Deadline.objects.bulk_create(rows, batch_size=10_000)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE escalation_deadline")
    total = Deadline.objects.count()
    open_clocks = Deadline.objects.filter(next_fire_at__isnull=False).count()
    print(f"reports: {Report.objects.count()}, clocks: {total}, with a next instant: {open_clocks}")

    now = timezone.now()
    sql, params = (
        Deadline.objects.select_for_update(skip_locked=True)
        .filter(next_fire_at__lte=now)
        .order_by("next_fire_at")
        .values_list("pk", flat=True)[:200]
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("ROLLBACK")
    print("plan of the sweep query:\n" + plan)

    def db_time_of_tick():
        connection.force_debug_cursor = True
        connection.queries_log.clear()
        deadlines_sweep()
        connection.force_debug_cursor = False
        return sum(float(q["time"]) for q in connection.queries_log) * 1000, len(
            connection.queries_log
        )

    idle = [db_time_of_tick() for _ in range(args.ticks)]
    times = [t for t, _ in idle]
    print(
        f"sweep tick, nothing due: DB time median {statistics.median(times):.2f} ms, "
        f"p95 {percentile(times, 95):.2f} ms, {idle[0][1]} queries"
    )


if __name__ == "__main__":
    main()
