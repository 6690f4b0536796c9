"""The dashboard's figures: correct on a seeded set (checked against a count in Python over
the rows themselves), scoped (national: all; an authority's staff: their authority's;
operators: 403), filtered, kept live, and in a constant number of queries."""

import csv
import io
import statistics
from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Authority
from dashboard.exports import neutralise
from dashboard.selectors import _percentile
from dashboard.summary import summary_refresh
from demo.bulk import seed_reports
from escalation.models import Deadline
from reports.constants import SERIOUS
from reports.models import Forwarding, Report
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from review.services.forwarding import report_forward
from review.services.triage import report_claim
from tests.helpers import serious_report_data

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
# the demo reports span the year before now
YEAR = {"date_from": (date.today() - timedelta(days=400)).isoformat()}
ENDPOINTS = ["summary", "trend", "compliance", "late-operators", "watchlist", "health"]


@pytest.fixture
def seeded(demo):
    seed_reports(300)
    summary_refresh(full=True)
    return demo


def stats(client, name, **params):
    response = client.get(reverse(f"dashboard-api:{name}"), {**YEAR, **params})
    assert response.status_code == 200, response.content
    return response.json()


def counts(rows):
    return {row["key"]: row["count"] for row in rows if row["count"]}


def submitted_reports(**filters):
    return Report.objects.filter(submitted_at__isnull=False, **filters)


def gd_cac():
    return Authority.objects.get(kind="provincial_cac", province_id="440000")


class TestFigures:
    def test_counts_by_level_status_channel_category_province(self, seeded, api_for):
        data = stats(api_for("national"), "summary")
        reports = list(submitted_reports().select_related("organization", "category"))
        assert data["total"] == len(reports) > 150
        assert counts(data["by_level"]) == Counter(r.severity for r in reports)
        assert counts(data["by_status"]) == Counter(r.status for r in reports)
        assert counts(data["by_channel"]) == Counter(r.channel for r in reports)
        assert counts(data["by_route"]) == Counter(r.received_via for r in reports)
        assert len(counts(data["by_route"])) > 2  # the generator spreads the routes
        assert counts(data["by_province"]) == Counter(r.organization.province_id for r in reports)
        assert counts(data["by_category"]) == Counter(
            r.category.parent_id or r.category_id for r in reports
        )
        # labels in Chinese by default
        assert {row["label"] for row in data["by_level"]} >= {"重大 (重大)"} or any(
            "重大" in row["label"] for row in data["by_level"]
        )
        assert any(row["label"] == "广东省" for row in data["by_province"])
        assert data["as_of"]

    def test_trend_per_local_day(self, seeded, api_for):
        data = stats(api_for("national"), "trend", date_from="2025-01-01")
        expected = Counter(
            timezone.localtime(r.submitted_at, BEIJING).date().isoformat()
            for r in submitted_reports()
        )
        got = {d["date"]: d["count"] for d in data["days"] if d["count"]}
        assert got == expected
        dates = [d["date"] for d in data["days"]]
        assert dates == sorted(dates) and dates[0] == "2025-01-01"
        assert dates[-1] == timezone.localtime(timezone.now(), BEIJING).date().isoformat()

    def test_trend_default_period_is_thirty_days(self, seeded, api_for):
        response = api_for("national").get(reverse("dashboard-api:trend"))
        assert len(response.json()["days"]) == 30

    def test_compliance_on_time_per_channel(self, seeded, api_for):
        data = stats(api_for("national"), "compliance")
        for row in data["channels"]:
            clocks = Deadline.objects.filter(
                kind="file",
                outcome__in=["met", "late"],
                report__channel=row["channel"],
                report__submitted_at__isnull=False,
            )
            due = clocks.values("report").distinct().count()
            late = clocks.filter(lateness__isnull=False).values("report").distinct().count()
            assert (row["due"], row["late"], row["on_time"]) == (due, late, due - late)
            if due:
                assert row["on_time_share"] == pytest.approx((due - late) / due, abs=1e-4)
        assert sum(row["due"] for row in data["channels"]) > 0

    def test_compliance_per_authority(self, seeded, api_for):
        data = stats(api_for("national"), "compliance")
        by_authority = {row["authority"]: row for row in data["authorities"]}
        delays: dict = {}
        for f in Forwarding.objects.select_related("report"):
            seconds = (f.at - f.report.submitted_at).total_seconds()
            delays.setdefault(f.report.receiving_authority_id, []).append((seconds, f.automatic))
        assert delays, "the seeded set has forwarded reports"
        for authority, values in delays.items():
            row = by_authority[authority]
            seconds = [s for s, _a in values]
            assert row["forwarded"] == len(values)
            assert row["automatic_forwards"] == sum(1 for _s, a in values if a)
            assert row["median_seconds"] == pytest.approx(statistics.median(seconds), abs=0.1)
            assert row["p95_seconds"] == pytest.approx(_percentile(seconds, 0.95), abs=0.1)
        late = Counter(
            d.report.receiving_authority_id
            for d in Deadline.objects.filter(kind="forward", lateness__isnull=False).select_related(
                "report"
            )
        )
        for authority, n in late.items():
            assert by_authority[authority]["late_forwards"] == n
        assert sum(r["reports"] for r in data["authorities"]) == submitted_reports().count()

    def test_late_summary_reports_are_counted(self, seeded, api_for, now):
        report = submitted_reports().first()
        Deadline.objects.create(
            report=report,
            kind="summary",
            opened_at=report.submitted_at,
            statutory_due_at=report.submitted_at + timedelta(days=30),
            due_at=report.submitted_at + timedelta(days=30),
            met_at=report.submitted_at + timedelta(days=31),
            outcome="late",
            lateness=timedelta(days=1),
            policy_channel=report.channel,
            policy_within=timedelta(days=30),
        )
        data = stats(api_for("national"), "compliance")
        row = next(
            r for r in data["authorities"] if r["authority"] == report.receiving_authority_id
        )
        assert row["late_summaries"] == 1

    def test_operators_with_most_late_reports(self, seeded, api_for):
        data = stats(api_for("national"), "late-operators")
        late = Counter(
            d.report.organization_id
            for d in Deadline.objects.filter(
                kind="file", lateness__isnull=False, report__submitted_at__isnull=False
            ).select_related("report")
        )
        assert data["operators"], "the seeded set has late reports"
        got = [(o["organization"], o["late"]) for o in data["operators"]]
        assert [n for _o, n in got] == sorted((n for n in late.values()), reverse=True)[: len(got)]
        for org, n in got:
            assert late[org] == n
        assert all(o["name"] and o["province"] for o in data["operators"])

    def test_watchlist_awaiting_and_forwarded(self, seeded, api_for):
        data = stats(api_for("national"), "watchlist")
        expected = set(
            submitted_reports(tier="receiving", severity__in=list(SERIOUS))
            .exclude(status="closed")
            .filter(deadlines__kind="forward", deadlines__outcome="open")
            .values_list("pk", flat=True)
        )
        assert {r["id"] for r in data["awaiting"]} == expected
        assert data["awaiting_total"] == len(expected)
        dues = [r["due_at"] for r in data["awaiting"]]
        assert dues == sorted(dues)
        recent = set(
            Forwarding.objects.filter(at__gte=timezone.now() - timedelta(hours=24)).values_list(
                "report_id", flat=True
            )
        )
        assert {r["id"] for r in data["forwarded"]} == recent
        for row in data["awaiting"]:
            assert row["url"] == reverse("review:report", args=[row["id"]])

    def test_health_reports_a_stale_sweep(self, seeded, api_for):
        data = api_for("national").get(reverse("dashboard-api:health")).json()
        assert data["stale"] is True and data["last_sweep_at"] is None


class TestLive:
    def test_a_new_report_counts_at_once(self, seeded, api_for, demo):
        client = api_for("national")
        before = stats(client, "summary")
        user = demo["operator-general"]
        data = serious_report_data()
        report = report_create(user=user, data=data)
        report_submit(user=user, pk=report.pk)
        after = stats(client, "summary")
        assert after["total"] == before["total"] + 1
        assert counts(after["by_level"])["major"] == counts(before["by_level"]).get("major", 0) + 1
        watch = stats(client, "watchlist")
        assert report.pk in {r["id"] for r in watch["awaiting"]}
        # forwarded: the watch list moves it, the figures follow
        report_claim(user=demo["reviewer-gd"], pk=report.pk)
        report_forward(user=demo["reviewer-gd"], pk=report.pk)
        watch = stats(client, "watchlist")
        assert report.pk not in {r["id"] for r in watch["awaiting"]}
        assert report.pk in {r["id"] for r in watch["forwarded"]}
        tiers = stats(client, "compliance")
        gd = next(r for r in tiers["authorities"] if r["authority"] == gd_cac().pk)
        assert gd["forwarded"] >= 1


class TestScope:
    def test_reviewer_sees_only_their_authority(self, seeded, api_for):
        authority = gd_cac()
        data = stats(api_for("reviewer-gd"), "summary")
        assert data["total"] == submitted_reports(receiving_authority=authority).count()
        assert data["total"] < submitted_reports().count()
        compliance = stats(api_for("reviewer-gd"), "compliance")
        assert {r["authority"] for r in compliance["authorities"]} <= {authority.pk}
        trend = stats(api_for("reviewer-gd"), "trend")
        assert sum(d["count"] for d in trend["days"]) == data["total"]
        watch = stats(api_for("reviewer-gd"), "watchlist")
        ids = [r["id"] for r in watch["awaiting"] + watch["forwarded"]]
        assert not Report.objects.filter(pk__in=ids).exclude(receiving_authority=authority).exists()

    @pytest.mark.parametrize("name", ENDPOINTS)
    def test_operators_are_refused(self, seeded, api_for, name):
        response = api_for("operator-general").get(reverse(f"dashboard-api:{name}"))
        assert response.status_code == 403

    @pytest.mark.parametrize("name", ENDPOINTS)
    def test_anonymous_is_refused(self, seeded, client, name):
        assert client.get(reverse(f"dashboard-api:{name}")).status_code in (401, 403)

    def test_pages_refuse_operators(self, seeded, web_for):
        client = web_for("operator-cii")
        assert client.get(reverse("dashboard:index")).status_code == 403
        url = reverse("dashboard:export", args=["reports", "csv"])
        assert client.get(url).status_code == 403

    def test_national_lists_only_what_visible_to_allows(self, seeded, web_for, demo):
        """Figures cover every report; the exported list is `visible_to`'s."""
        client = web_for("national")
        body = b"".join(
            client.get(reverse("dashboard:export", args=["reports", "csv"]), YEAR).streaming_content
        ).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body)))[1:]
        visible = Report.objects.visible_to(demo["national"]).filter(submitted_at__isnull=False)
        assert {r[0] for r in rows} == set(visible.values_list("reference", flat=True))
        assert len(rows) < submitted_reports().count()


class TestFilters:
    @pytest.mark.parametrize(
        ("params", "lookup"),
        [
            ({"province": "440000"}, {"organization__province_id": "440000"}),
            ({"level": "major"}, {"severity": "major"}),
            ({"channel": "cii"}, {"channel": "cii"}),
            ({"route": "hotline"}, {"received_via": "hotline"}),
            ({"route": "api"}, {"received_via": "api"}),
            ({"sector": "energy"}, {"organization__sector_id": "energy"}),
            ({"category": "0208"}, {"category_id": "0208"}),
            ({"category": "02"}, {"category__parent_id": "02"}),
        ],
    )
    def test_each_filter_narrows_every_figure(self, seeded, api_for, params, lookup):
        client = api_for("national")
        expected = submitted_reports(**lookup).count()
        assert stats(client, "summary", **params)["total"] == expected
        trend = stats(client, "trend", **params, date_from="2025-01-01")
        assert sum(d["count"] for d in trend["days"]) == expected
        compliance = stats(client, "compliance", **params)
        assert sum(r["reports"] for r in compliance["authorities"]) == expected

    def test_period(self, seeded, api_for):
        today = timezone.localtime(timezone.now(), BEIJING).date()
        start = today - timedelta(days=60)
        end = today - timedelta(days=10)
        expected = sum(
            1
            for r in submitted_reports()
            if start <= timezone.localtime(r.submitted_at, BEIJING).date() <= end
        )
        data = stats(
            api_for("national"), "summary", date_from=start.isoformat(), date_to=end.isoformat()
        )
        assert data["total"] == expected

    @pytest.mark.parametrize(
        "params",
        [
            {"level": "huge"},
            {"province": "999999"},
            {"date_from": "2026-02-01", "date_to": "2026-01-01"},
            {"date_from": "yesterday"},
            {"category": "9999"},
            {"route": "pigeon"},
        ],
    )
    def test_bad_filters_are_400(self, seeded, api_for, params):
        response = api_for("national").get(reverse("dashboard-api:summary"), params)
        assert response.status_code == 400
        assert set(response.json()) & set(params)


class TestQueries:
    @pytest.mark.parametrize("name", ENDPOINTS)
    def test_constant_number_of_queries(self, seeded, api_for, name):
        client = api_for("national")
        url = reverse(f"dashboard-api:{name}")
        client.get(url, YEAR)

        def measure():
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url, YEAR).status_code == 200
            return len(ctx.captured_queries)

        first = measure()
        seed_reports(200)
        summary_refresh()
        assert measure() == first
        assert first <= 19  # the whole months, and the days before and after them


def test_neutralise():
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise("+1") == "'+1"
    assert neutralise("-1") == "'-1"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("网站=首页") == "网站=首页"
    assert neutralise(-3) == -3
    assert neutralise(None) == ""
