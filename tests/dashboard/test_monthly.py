"""`MonthlyFigure`, the monthly roll-up of the dashboard's facts: kept in step with the facts by
every incremental refresh (the same rows as a rebuild from scratch), and giving the same
figures as counting the facts themselves, for any period and filter."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Authority
from dashboard import selectors
from dashboard.filters import DashboardFilters, today
from dashboard.models import MonthlyFigure, ReportFact
from dashboard.selectors import DashboardScope, _whole_months
from dashboard.summary import _monthly_source, summary_refresh
from demo.bulk import seed_reports
from reports.models import Category, Forwarding, Report
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from tests.helpers import serious_report_data

pytestmark = pytest.mark.django_db
FIELDS = [*MonthlyFigure.KEY, *MonthlyFigure.MEASURES]


@pytest.fixture
def seeded(demo):
    seed_reports(300)
    summary_refresh(full=True)
    return demo


def monthly_rows() -> list[tuple]:
    return sorted(MonthlyFigure.objects.values_list(*FIELDS))


def test_a_full_refresh_rolls_up_every_fact(seeded):
    assert MonthlyFigure.objects.filter(reports__lte=0).count() == 0
    total = sum(MonthlyFigure.objects.values_list("reports", flat=True))
    assert total == ReportFact.objects.count() == Report.objects.exclude(submitted_at=None).count()
    # far fewer rows than reports is the point, but a small set is spread thin
    assert MonthlyFigure.objects.count() <= total


def test_incremental_refreshes_keep_the_same_rows_as_a_rebuild(seeded, demo):
    submitted = Report.objects.exclude(submitted_at=None).order_by("submitted_at")
    # changes to reports of earlier months: status, level and category move between rows
    for report in submitted.exclude(status="closed")[:15]:
        report.status = "closed"
        report.save()
    for report in submitted.filter(severity="significant")[:5]:
        report.severity = "general"
        report.category = Category.objects.get(pk="0208")
        report.save()
    # an old serious report forwarded now, and a new one filed and submitted
    waiting = submitted.filter(tier="receiving", severity__in=["major", "especially_major"])
    report = waiting.filter(forwarding__isnull=True).first()
    if report is not None:
        Forwarding.objects.create(
            report=report, at=timezone.now(), automatic=True, from_authority_id=1
        )
        report.tier = "national"
        report.save()
    user = demo["operator-general"]
    new = report_create(user=user, data=serious_report_data())
    report_submit(user=user, pk=new.pk)
    seed_reports(40)  # bulk-loaded reports: read by id

    summary_refresh()
    kept = monthly_rows()
    assert MonthlyFigure.objects.filter(reports__lte=0).count() == 0
    # what a full refresh would write: the roll-up of every fact
    assert kept == sorted(_monthly_source(ReportFact.objects.all(), 1))
    assert sum(row[len(MonthlyFigure.KEY)] for row in kept) == ReportFact.objects.count()
    assert ReportFact.objects.filter(pk=new.pk, severity="major").exists()


def _periods() -> list[tuple[date, date]]:
    last = today()
    first_of_month = last.replace(day=1)
    return [
        (last - timedelta(days=400), last),  # the whole year, odd days at both ends
        ((first_of_month - timedelta(days=200)).replace(day=1), first_of_month - timedelta(1)),
        (last - timedelta(days=75), last - timedelta(days=5)),
        (first_of_month - timedelta(days=20), first_of_month - timedelta(days=2)),  # no month
    ]


FILTERS = [
    {},
    {"level": "major"},
    {"channel": "cii"},
    {"province": "440000"},
    {"sector": "energy"},
    {"category": "02", "category_is_class": True},
    {"category": "0208"},  # a sub-category: the facts only
    {"level": "significant", "channel": "general", "category": "01", "category_is_class": True},
]


@pytest.mark.parametrize("params", FILTERS)
@pytest.mark.parametrize("period", range(4))
def test_the_monthly_figures_count_as_the_facts_do(seeded, monkeypatch, params, period):
    start, end = _periods()[period]
    filters = DashboardFilters(date_from=start, date_to=end, **params)
    scopes = [
        DashboardScope(national=True),
        DashboardScope(
            national=False,
            authority_ids=(Authority.objects.get(kind="provincial_cac", province_id="440000").pk,),
        ),
    ]
    results = []
    for scope in scopes:
        results.append(
            (
                selectors.stats_summary(scope=scope, filters=filters),
                selectors.stats_compliance(scope=scope, filters=filters),
            )
        )
    with monkeypatch.context() as patched:  # the same figures from the facts alone
        patched.setattr(selectors, "_whole_months", lambda filters: None)
        for scope, result in zip(scopes, results, strict=True):
            assert result == (
                selectors.stats_summary(scope=scope, filters=filters),
                selectors.stats_compliance(scope=scope, filters=filters),
            )
    assert results[0][0]["total"] > 0 or period == 3 or params


def test_whole_months_of_a_period():
    def months(first, last):
        return _whole_months(DashboardFilters(date_from=first, date_to=last))

    assert months(date(2026, 1, 1), date(2026, 1, 31)) == (date(2026, 1, 1), date(2026, 2, 1))
    assert months(date(2026, 1, 2), date(2026, 3, 30)) == (date(2026, 2, 1), date(2026, 3, 1))
    assert months(date(2025, 12, 15), date(2026, 2, 28)) == (date(2026, 1, 1), date(2026, 3, 1))
    assert months(date(2026, 1, 2), date(2026, 2, 27)) is None
    assert months(date(2026, 2, 1), date(2026, 2, 27)) is None
