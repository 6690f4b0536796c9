"""Review-queue page response times with 100 000 reports (issue "Review workflow").

    .venv/bin/python bench/queue_page.py [--reports 100000] [--iterations 30] [--reuse]

Uses its own PostgreSQL database `portal_bench_queue` (dropped and re-created unless
`--reuse`), migrates it, runs `seed_demo`, loads N reports with
`reports.demo.seed_reports(N)`, then requests the receiving queue (every tab, as
`reviewer-gd`) and the national queue (every tab, with its watch list, as `national`)
server-side with Django's test Client, many times each, and prints the median and 95th
percentile wall time in ms and the number of SQL queries per request.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("BENCH_DB", "portal_bench_queue")
sys.path.insert(0, str(ROOT))
from bench.common import recreate_database  # noqa: E402

os.environ.update(
    DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    DJANGO_SETTINGS_MODULE="config.settings.local",
    DJANGO_DEBUG="false",
    DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
)


def seed(n: int) -> None:
    recreate_database(DB_NAME)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from demo.bulk import seed_reports

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    started = time.monotonic()
    seed_reports(n)
    print(f"seeded {n} reports in {time.monotonic() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def measure(client, url: str, iterations: int) -> tuple[float, float, int, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up
    times, queries, status, size = [], 0, 0, 0
    for _ in range(iterations):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        queries, status, size = (
            len(ctx.captured_queries),
            response.status_code,
            len(response.content),
        )
    return statistics.median(times), percentile(times, 95), queries, status, size


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep an existing database")
    args = parser.parse_args()
    if not args.reuse:
        seed(args.reports)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from reports.models import Report
    from review.selectors import NATIONAL_TABS, RECEIVING_TABS
    from tests.helpers import login

    User = get_user_model()
    clients = {}
    for username in ("reviewer-gd", "national"):
        # logged in as after the two-factor page (authority accounts need it)
        clients[username] = login(Client(), User.objects.get(username=username))
    total = Report.objects.count()
    print(f"{total} reports in {DB_NAME}; {args.iterations} requests per row")
    rows = [("reviewer-gd", reverse("review:queue"), tab) for tab in RECEIVING_TABS]
    rows += [("national", reverse("review:national_queue"), tab) for tab in NATIONAL_TABS]
    rows.append(("reviewer-gd", reverse("review:queue"), "new&per_page=100"))
    rows.append(("reviewer-gd", reverse("review:queue"), "closed&page=50"))
    rows.append(("reviewer-gd", reverse("review:queue"), "closed&q=DEMO"))
    rows.append(("reviewer-gd", reverse("review:queue"), "closed&severity=major&channel=general"))
    print(f"{'user':<12} {'page':<52} {'median ms':>9} {'p95 ms':>8} {'queries':>7} {'status':>6}")
    for username, path, tab in rows:
        url = f"{path}?tab={tab}"
        median, p95, queries, status, _size = measure(clients[username], url, args.iterations)
        print(f"{username:<12} {url:<52} {median:9.1f} {p95:8.1f} {queries:7d} {status:6d}")


if __name__ == "__main__":
    main()
