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
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "portal_bench_sweep"
sys.path.insert(0, str(ROOT))
from bench.common import recreate_database  # noqa: E402

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
        recreate_database(DB_NAME)

    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from demo.bulk import seed_reports
    from demo.world import seed_demo_world
    from escalation.models import Deadline
    from escalation.services.engine import deadlines_sweep
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
    # Drain whatever came due while seeding, then move the open clocks into the future
    # again (relative to now) and make exactly `--due` of them due, as at a busy moment.
    deadlines_sweep()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE escalation_deadline SET next_fire_at = %s + (id %% 14400) * interval '1 second'"
            " + interval '60 seconds' WHERE next_fire_at IS NOT NULL",
            [now],
        )
        cursor.execute("ANALYZE escalation_deadline")
    total = Deadline.objects.count()
    open_clocks = Deadline.objects.filter(next_fire_at__isnull=False).count()
    print(f"reports: {Report.objects.count()}, clocks: {total}, with a next instant: {open_clocks}")

    with transaction.atomic(), connection.cursor() as cursor:
        sql, params = (
            Deadline.objects.select_for_update(skip_locked=True)
            .filter(next_fire_at__lte=timezone.now() + timedelta(minutes=5))
            .order_by("next_fire_at")
            .values_list("pk", flat=True)[:200]
            .query.sql_with_params()
        )
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print("plan of the sweep query (200 rows due):\n" + plan)

    timings = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append(time.perf_counter() - started)

    ticks = []
    for _ in range(args.ticks):
        timings.clear()
        with connection.execute_wrapper(timed):
            deadlines_sweep()
        ticks.append((sum(timings) * 1000, len(timings)))
    db = [t for t, _ in ticks]
    print(
        f"sweep tick, nothing due ({args.ticks} ticks): database time median "
        f"{statistics.median(db):.2f} ms, p95 {percentile(db, 95):.2f} ms, "
        f"max {max(db):.2f} ms, {ticks[0][1]} queries per tick"
    )


if __name__ == "__main__":
    main()
