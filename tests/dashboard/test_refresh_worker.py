"""A large backlog (a bulk load) is not refreshed in the request: the request answers with the
summary it has, and a real Celery worker catches the summary up."""

import pytest
from django.urls import reverse

from dashboard import summary
from dashboard.models import MonthlyFigure, ReportFact, SummaryState
from demo.bulk import seed_reports
from reports.models import Report
from tests.workers import poll

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]
YEAR = {"date_from": "2025-01-01"}


def total(client) -> int:
    response = client.get(reverse("dashboard-api:summary"), YEAR)
    assert response.status_code == 200, response.content
    return response.json()["total"]


def test_a_bulk_load_is_refreshed_by_the_worker(demo, api_for, celery_processes, monkeypatch):
    seed_reports(60)
    summary.summary_refresh(full=True)
    client = api_for("national")
    before = total(client)
    assert before == Report.objects.exclude(submitted_at=None).count() > 0

    monkeypatch.setattr(summary, "INLINE_LIMIT", 50)  # in this process: the request's check
    seed_reports(120)
    # the request hands the backlog to the worker and shows what the summary holds
    assert total(client) == before
    assert SummaryState.objects.get().max_report_id < Report.objects.latest("pk").pk

    celery_processes("worker", "worker", "--pool=solo", "--without-mingle", "--without-gossip")
    submitted = Report.objects.exclude(submitted_at=None).count()
    assert poll(lambda: ReportFact.objects.count() == submitted, 60), "the worker did not refresh"
    assert sum(MonthlyFigure.objects.values_list("reports", flat=True)) == submitted
    assert total(client) == submitted > before
