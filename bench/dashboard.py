"""Dashboard and review-queue response times with a large database (issue 5: every dashboard
figure under 300 ms, the review queues under 100 ms, with a million reports).

    .venv/bin/python bench/dashboard.py [--reports 1000000] [--iterations 7] [--reuse]
    .venv/bin/python bench/dashboard.py --seed-only        # build the database and stop

Uses its own PostgreSQL database `portal_bench_dash` (dropped and re-created unless
`--reuse`), migrates it, loads the demo world and N reports (`seed_reports`), refreshes the
dashboard's daily summary, then requests every `/api/v1/stats/…` endpoint, the dashboard
page, the exports and the review queues server-side (Django's test Client, logged in as
`national` — and `reviewer-gd` for the scoped dashboard and the receiving queue), a few
times each, and prints the median wall time and the number of SQL queries of each.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "portal_bench_dash"
sys.path.insert(0, str(ROOT))
from bench.common import recreate_database  # noqa: E402

os.environ.update(
    DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    DJANGO_SETTINGS_MODULE="config.settings.local",
    DJANGO_DEBUG="false",
    DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
)

DASHBOARD_LIMIT_MS = 300
# one filter at a time over the whole year: the least selective cases (a level, a channel,
# a category class, a sector) and a sub-category (counted on the facts, not the months)
YEAR_FILTERS = ["level=significant", "channel=general", "category=02", "sector=energy"]
YEAR_FILTERS += ["category=0208"]
QUEUE_LIMIT_MS = 100


def seed(n: int) -> None:
    recreate_database(DB_NAME)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from demo.bulk import seed_reports
    from demo.world import seed_demo_world

    call_command("migrate", verbosity=0)
    seed_demo_world()
    started = time.monotonic()
    seed_reports(n)
    print(f"seeded {n} reports in {time.monotonic() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def measure(client, url: str, iterations: int) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up (connection, caches of the database)
    times, queries, status = [], 0, 0
    for _ in range(iterations):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
        queries, status = len(ctx.captured_queries), response.status_code
    return statistics.median(times), queries, status


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep an existing database")
    parser.add_argument("--seed-only", action="store_true")
    args = parser.parse_args()

    if not args.reuse:
        seed(args.reports)
        if args.seed_only:
            return

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from dashboard.summary import summary_refresh, summary_vacuum
    from demo.world import seed_demo_world
    from reports.models import Report
    from tests.helpers import login

    call_command("migrate", verbosity=0)  # the dashboard's own tables, on a reused database
    users = seed_demo_world()
    started = time.monotonic()
    summary_refresh()
    print(f"dashboard summary refreshed in {time.monotonic() - started:.1f} s")
    summary_vacuum(analyze=True)  # as autovacuum would after a bulk load
    print(f"reports: {Report.objects.count()}")

    # logged in as after the two-factor page (authority accounts need it)
    national = login(Client(), users["national"])
    reviewer = login(Client(), users["reviewer-gd"])
    period = "date_from=" + (date.today() - timedelta(days=400)).isoformat()  # all of it
    stats = [
        "summary",
        "trend",
        "compliance",
        "late-operators",
        "watchlist",
        "health",
    ]
    limit = DASHBOARD_LIMIT_MS
    rows = []
    for name in stats:
        url = reverse(f"dashboard-api:{name}")
        year = f"{url}?{period}"
        rows.append((f"national    {url} (default: 30 days)", national, url, limit))
        rows.append((f"national    {url}?{period}", national, year, limit))
        filtered = f"{year}&province=440000&level=major"
        rows.append((f"national    {url}?…&province=440000&level=major", national, filtered, limit))
        for one in YEAR_FILTERS:
            rows.append((f"national    {url}?…&{one}", national, f"{year}&{one}", limit))
        rows.append((f"reviewer-gd {url}?{period}", reviewer, year, limit))
    dash = reverse("dashboard:index")
    rows.append((f"national    {dash}", national, dash, limit))
    rows.append((f"reviewer-gd {dash}", reviewer, dash, limit))
    for table in ("compliance", "reports"):
        url = reverse("dashboard:export", args=[table, "xlsx"])
        rows.append((f"national    {url} (30 days)", national, url, None))
    url = reverse("dashboard:export", args=["reports", "csv"])
    rows.append((f"reviewer-gd {url} (30 days)", reviewer, url, None))
    rows.append(("reviewer-gd /queue/", reviewer, reverse("review:queue"), QUEUE_LIMIT_MS))
    rows.append(
        ("national    /national/", national, reverse("review:national_queue"), QUEUE_LIMIT_MS)
    )
    print(f"\n{'request':<70} {'median ms':>10} {'queries':>8} {'status':>6}  limit")
    failed = 0
    for label, client, url, limit in rows:
        median, queries, status = measure(client, url, args.iterations)
        ok = "" if limit is None else ("ok" if median < limit else f"OVER {limit} ms")
        failed += bool(limit and median >= limit) or status != 200
        print(f"{label:<70} {median:>10.1f} {queries:>8} {status:>6}  {ok}", flush=True)
    print(f"\n{failed} request(s) over their limit or not 200")


if __name__ == "__main__":
    main()
