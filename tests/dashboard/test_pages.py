"""The dashboard page and its exports (CSV with a BOM, XLSX; Chinese intact; formulas
neutralised)."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboard.summary import summary_refresh
from demo.bulk import seed_reports
from reports.models import Report

pytestmark = pytest.mark.django_db
# the demo reports span the year before now
YEAR = {"date_from": (date.today() - timedelta(days=400)).isoformat()}


@pytest.fixture
def seeded(demo):
    seed_reports(300)
    summary_refresh(full=True)
    return demo


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def formula_report(seeded):
    """A report the national official may list, whose title a spreadsheet would run."""
    report = Report.objects.filter(tier="national").order_by("pk").first()
    Report.objects.filter(pk=report.pk).update(title='=HYPERLINK("http://evil","点我")')
    return report


class TestPage:
    def test_national_dashboard(self, seeded, web_for):
        response = web_for("national").get(reverse("dashboard:index"))
        page = response.content.decode()
        assert response.status_code == 200
        assert "vendor/echarts.min.js" in page and "js/dashboard.js" in page
        assert "<script>" not in page  # no inline script
        for chart in ("trend", "level", "status", "channel", "category", "province", "ontime"):
            assert f'data-chart="{chart}"' in page
        assert reverse("dashboard-api:summary") in page
        assert 'data-locale="ZH"' in page
        assert "全国" in page  # scope label, Chinese by default
        assert 'id="sweep-warning" class="alert alert-danger"' in page  # never swept: shown

    def test_english_follows_the_page_language(self, seeded, web_for):
        client = web_for("national")
        client.cookies["django_language"] = "en"
        page = client.get(reverse("dashboard:index")).content.decode()
        assert 'data-locale="EN"' in page and "Nationwide" in page

    def test_filters_go_to_the_api_and_the_exports(self, seeded, web_for):
        page = (
            web_for("reviewer-gd")
            .get(reverse("dashboard:index"), {"province": "440000", "level": "major"})
            .content.decode()
        )
        assert "province=440000" in page and "level=major" in page
        assert reverse("dashboard:export", args=["compliance", "xlsx"]) + "?" in page
        assert "广东省" in page  # the reviewer's authority

    def test_nav_link(self, seeded, web_for):
        assert reverse("dashboard:index") in web_for("national").get("/").content.decode()
        assert (
            reverse("dashboard:index") not in web_for("operator-general").get("/").content.decode()
        )


class TestExports:
    def test_reports_csv_has_bom_chinese_and_no_formula(self, formula_report, web_for):
        response = web_for("national").get(
            reverse("dashboard:export", args=["reports", "csv"]), YEAR
        )
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        raw = body(response)
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0][1:3] == ["标题", "级别"]
        row = next(r for r in rows if r[0] == formula_report.reference)
        assert row[1] == '\'=HYPERLINK("http://evil","点我")'
        assert any("省" in r[8] for r in rows[1:])

    def test_reports_xlsx_opens_with_chinese(self, formula_report, web_for):
        response = web_for("national").get(
            reverse("dashboard:export", args=["reports", "xlsx"]), YEAR
        )
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(body(response))).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][1:3] == ("标题", "级别")
        row = next(r for r in rows if r[0] == formula_report.reference)
        assert row[1] == '\'=HYPERLINK("http://evil","点我")'
        assert sheet.cell(row=rows.index(row) + 1, column=2).data_type == "s"

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_compliance_table(self, seeded, web_for, fmt):
        response = web_for("national").get(
            reverse("dashboard:export", args=["compliance", fmt]), YEAR
        )
        assert response.status_code == 200
        if fmt == "csv":
            raw = body(response)
            assert raw.startswith(b"\xef\xbb\xbf")
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        else:
            sheet = load_workbook(io.BytesIO(body(response))).active
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert "渠道" in rows[0][0]
        names = [r[0] for r in rows[1:]]
        assert "关键信息基础设施" in names
        assert any("广东省" in str(n) for n in names)

    def test_reviewer_exports_only_their_reports(self, seeded, web_for):
        response = web_for("reviewer-gd").get(
            reverse("dashboard:export", args=["reports", "csv"]), YEAR
        )
        rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))[1:]
        assert rows
        assert {r[9] for r in rows} == {"广东省互联网信息办公室"} or len({r[9] for r in rows}) == 1

    def test_bad_filter_is_400(self, seeded, web_for):
        url = reverse("dashboard:export", args=["reports", "csv"])
        assert web_for("national").get(url, {"level": "x"}).status_code == 400
        url = reverse("dashboard:export", args=["reports", "pdf"])
        assert web_for("national").get(url).status_code == 404
