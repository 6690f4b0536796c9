"""The report page at size (issue 12, TARGETS.md): a report with 50 follow-ups and 200
history rows renders in the same number of queries as one with a handful (its time is
bench/report_page.py's)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import FollowUp, Report
from reports.services.drafting import report_create
from reports.services.followups import report_followup
from reports.services.submission import report_submit
from review.services.triage import report_claim
from tests.reports.test_query_budget import major_draft

pytestmark = pytest.mark.django_db


def grow(report: Report, *, followups: int, history: int, user, now) -> None:
    """Follow-ups through the service (each one a history row and an event too), then
    history rows up to `history` (as edits of the report would leave them)."""
    have = FollowUp.objects.filter(report=report).count()
    for i in range(have, followups):
        report_followup(
            user=user,
            pk=report.pk,
            data={"kind": "progress", "body": f"续报 {i}", "trend": f"态势 {i}"},
            now=now + timedelta(minutes=i),
        )
    historical = Report.history.model
    latest = Report.history.filter(id=report.pk).latest("history_id")
    missing = history - Report.history.filter(id=report.pk).count()
    rows = []
    for i in range(max(0, missing)):
        row = historical.objects.get(pk=latest.pk)
        row.history_id = None
        row.history_date = latest.history_date + timedelta(seconds=i + 1)
        row.title = f"{latest.title} ({i})"
        rows.append(row)
    historical.objects.bulk_create(rows)


def page_queries(client, report) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("review:report", args=[report.pk]))
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("viewer", ["operator-general", "reviewer-gd"])
def test_the_report_page_costs_the_same_with_50_followups_and_200_history_rows(
    demo, web_for, now, viewer
):
    operator = demo["operator-general"]
    with time_machine.travel(now, tick=False):
        data = major_draft() | {"discovered_at": now - timedelta(minutes=20)}
        draft = report_create(user=operator, data=data, now=now)
        report = report_submit(user=operator, pk=draft.pk, now=now)
        report_claim(user=demo["reviewer-gd"], pk=report.pk, now=now)
        grow(report, followups=3, history=10, user=operator, now=now)
        client = web_for(viewer)
        few, _page = page_queries(client, report)

        grow(report, followups=50, history=200, user=operator, now=now)
        many, page = page_queries(client, report)

    assert FollowUp.objects.filter(report=report).count() == 50
    assert Report.history.filter(id=report.pk).count() >= 200
    assert many == few, f"{few} queries with 3 follow-ups, {many} with 50"
    assert "续报 49" in page and "续报 0" in page  # all of them shown
