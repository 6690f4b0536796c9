"""The report page at size (issue 12, TARGETS.md: < 100 ms, constant queries): one report
with 50 follow-ups and 200 history rows, requested by its reviewer and by its operator.

    .venv/bin/python bench/report_page.py [--iterations 30]

Uses its own PostgreSQL database `portal_bench_report_page` (dropped and re-created),
migrates it, runs `seed_demo`, files one serious report through the services, adds the
follow-ups through the follow-up service and history rows up to 200, then requests the page
server-side with Django's test Client and prints the median and 95th percentile wall time in
ms and the number of SQL queries (with 3 follow-ups and with 50: they must be equal).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "portal_bench_report_page"
sys.path.insert(0, str(ROOT))
from bench.common import percentile, recreate_database  # noqa: E402

os.environ.update(
    DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    DJANGO_SETTINGS_MODULE="config.settings.local",
    DJANGO_DEBUG="false",
    DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
)
recreate_database(DB_NAME)

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from reports.models import Report  # noqa: E402
from reports.services.drafting import report_create  # noqa: E402
from reports.services.followups import report_followup  # noqa: E402
from reports.services.submission import report_submit  # noqa: E402
from review.services.triage import report_claim  # noqa: E402
from tests.helpers import login  # noqa: E402

DRAFT = {
    "title": "官网遭受攻击",
    "affected_systems": "门户网站",
    "location": "广州",
    "category": "0208",
    "severity_declared": "major",
    "impact_description": "业务中断",
    "measures_taken": "已隔离受影响主机",
}


def grow(report, operator, followups: int, history: int, now) -> None:
    done = report.followups.count()
    for i in range(done, followups):
        report_followup(
            user=operator,
            pk=report.pk,
            data={"kind": "progress", "body": f"续报 {i}", "trend": f"态势 {i}"},
            now=now + timedelta(seconds=i),
        )
    historical = Report.history.model
    latest = Report.history.filter(id=report.pk).latest("history_id")
    rows = []
    for i in range(history - Report.history.filter(id=report.pk).count()):
        row = historical.objects.get(pk=latest.pk)
        row.history_id = None
        row.history_date = latest.history_date + timedelta(seconds=i + 1)
        rows.append(row)
    historical.objects.bulk_create(rows)


def measure(client, url: str, iterations: int) -> tuple[float, float, int]:
    client.get(url)  # warm
    times = []
    for _ in range(iterations):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return statistics.median(times) * 1000, percentile(times, 95) * 1000, len(captured)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    operator = User.objects.get(username="operator-general")
    reviewer = User.objects.get(username="reviewer-gd")
    now = timezone.now() - timedelta(hours=2)
    draft = report_create(
        user=operator, data={**DRAFT, "discovered_at": now - timedelta(minutes=20)}, now=now
    )
    report = report_submit(user=operator, pk=draft.pk, now=now)
    report_claim(user=reviewer, pk=report.pk, now=now)
    url = reverse("review:report", args=[report.pk])
    clients = {
        "reviewer-gd": login(Client(), reviewer),
        "operator-general": login(Client(), operator),
    }

    grow(report, operator, 3, 10, now)
    small = {name: measure(c, url, 3)[2] for name, c in clients.items()}
    grow(report, operator, 50, 200, now)
    print(
        f"report with {report.followups.count()} follow-ups, "
        f"{Report.history.filter(id=report.pk).count()} history rows, "
        f"{report.events.count()} events"
    )
    for name, client in clients.items():
        median, p95, queries = measure(client, url, args.iterations)
        print(
            f"{name}: median {median:.0f} ms, p95 {p95:.0f} ms, {queries} queries "
            f"({small[name]} with 3 follow-ups)"
        )


if __name__ == "__main__":
    main()
