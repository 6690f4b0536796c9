"""Reports recorded by the 12387 service count in the dashboard, the statistics API and the
exports under their route."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.validators import make_uscc
from dashboard.summary import summary_refresh
from intake.services.recording import intake_report_record
from reports.constants import ReceivedVia
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from tests.helpers import serious_report_data

pytestmark = pytest.mark.django_db
PERIOD = {"date_from": (date.today() - timedelta(days=2)).isoformat()}


@pytest.fixture
def routes(demo):
    operator = demo["operator-general"]
    web = report_create(user=operator, data=serious_report_data())
    report_submit(user=operator, pk=web.pk, via="web")
    data = serious_report_data()
    for via in ("hotline", "hotline", "fax"):
        intake_report_record(
            user=demo["intake-12387"],
            organization_code=make_uscc("440100", 1),
            data=data,
            via=via,
            caller_name="张三",
            caller_contact="138",
            received_at=timezone.now() - timedelta(minutes=5),
        )
    summary_refresh(full=True)
    return demo


def test_the_statistics_count_and_filter_by_route(routes, api_for):
    client = api_for("national")
    summary = client.get(reverse("dashboard-api:summary"), PERIOD).json()
    by_route = {row["key"]: row["count"] for row in summary["by_route"]}
    assert by_route == {"web": 1, "api": 0, "hotline": 2, "email": 0, "fax": 1, "wechat": 0}
    hotline = client.get(reverse("dashboard-api:summary"), {**PERIOD, "route": "hotline"}).json()
    assert hotline["total"] == 2
    reviewer = api_for("reviewer-gd").get(reverse("dashboard-api:summary"), PERIOD).json()
    assert {r["key"]: r["count"] for r in reviewer["by_route"]}["hotline"] == 2


def test_an_incremental_refresh_sees_a_new_hotline_report(routes, api_for, demo):
    intake_report_record(
        user=demo["intake-12387"],
        organization_code=make_uscc("440100", 1),
        data=serious_report_data(),
        via="wechat",
        caller_name="王五",
        caller_contact="wx",
    )
    summary_refresh()
    summary = api_for("national").get(reverse("dashboard-api:summary"), PERIOD).json()
    assert {r["key"]: r["count"] for r in summary["by_route"]}["wechat"] == 1


def test_the_export_has_the_route_and_filters_by_it(routes, web_for):
    client = web_for("reviewer-gd")
    url = reverse("dashboard:export", args=["reports", "csv"])
    body = b"".join(client.get(url, {**PERIOD, "route": "hotline"}).streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header, rows = rows[0], rows[1:]
    with translation.override("zh-hans"):  # the pages' default language
        column = header.index(str(translation.gettext("Received via")))
        hotline = str(ReceivedVia.HOTLINE.label)
    assert len(rows) == 2
    assert [row[column] for row in rows] == [hotline, hotline]


def test_the_dashboard_page_offers_the_route_filter(routes, web_for):
    page = web_for("national").get(reverse("dashboard:index"), {"route": "fax"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="route"' in html and 'id="chart-route"' in html
