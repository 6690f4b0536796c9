"""The dashboard in a real browser: the national official logs in through the login form
and every chart is drawn, with no console error; and the whole journey — an operator files
a serious report in the form, the Guangdong reviewer claims and forwards it, the national
official sees it on the dashboard — through real pages. Keeps a screenshot of the dashboard
in test-artifacts/ (git-ignored)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dashboard.summary import summary_refresh
from demo.bulk import seed_reports
from reports.constants import Status, Tier
from reports.models import Report
from tests.conftest import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BEIJING = ZoneInfo("Asia/Shanghai")
CHARTS = ["trend", "level", "status", "channel", "route", "category", "province", "ontime"]


def wait_for_dashboard(page):
    # a selector, not a JS predicate: the portal's CSP forbids eval (Playwright's string
    # predicates use it)
    page.locator("#dashboard[data-loaded='true']").wait_for(state="attached", timeout=20_000)


def test_national_dashboard_draws_every_chart(demo, live_server, page, console_errors, artifacts):
    # given: a year of demo reports
    seed_reports(300)
    summary_refresh(full=True)
    console_errors.watch(page)
    page.set_viewport_size({"width": 1400, "height": 1000})

    # when: the national official logs in through the form and opens the dashboard
    login(page, live_server, "national", DEMO_PASSWORD, next_url="/dashboard/")
    if "/dashboard/" not in page.url:
        page.click("a.nav-link[href='/dashboard/']")
    wait_for_dashboard(page)

    # then: every chart has a canvas, drawn, in Chinese; the tables are filled
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    for name in CHARTS:
        chart = page.locator(f"[data-chart='{name}']")
        assert chart.get_attribute("data-rendered") == "true", name
        assert chart.locator("canvas, svg").count() >= 1, name
        box = chart.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, name
    assert int(page.locator("#total").inner_text()) > 0
    assert page.locator("#authority-table tbody tr").count() > 1
    assert page.locator("#late-operators-table tbody tr").count() >= 1
    assert page.locator("#sweep-warning").is_visible()  # no worker runs in tests
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
    assert console_errors == []

    # and a filter narrows the figures
    page.select_option("#id_level", "especially_major")
    page.locator(".dashboard-filters button[type=submit]").click()
    wait_for_dashboard(page)
    assert "level=especially_major" in page.url
    assert int(page.locator("#total").inner_text()) > 0
    assert console_errors == []


def test_journey_operator_files_reviewer_forwards_national_sees_it(
    demo, live_server, browser, browser_context_args, console_errors, artifacts
):
    now = timezone.now()

    # the operator files a serious report through the form
    operator = console_errors.watch(browser.new_page(**browser_context_args))
    login(operator, live_server, "operator-general", DEMO_PASSWORD, next_url="/reports/new/")
    operator.goto(f"{live_server.url}/reports/new/")
    operator.check("input[name=involves_state_secrets][value=no]")
    operator.locator("main form button[type=submit]").click()
    operator.wait_for_selector("#report-form")
    discovered = (now - timedelta(minutes=20)).astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")
    operator.fill("#id_title", "省级政务门户网站遭勒索软件攻击")
    operator.fill("#id_affected_systems", "门户网站及数据库服务器")
    operator.fill("#id_discovered_at", discovered)
    operator.fill("#id_location", "广州")
    operator.select_option("#id_category", "0208")
    operator.select_option("#id_severity_declared", "major")
    operator.fill("#id_impact_description", "门户网站无法访问，影响全省用户")
    operator.fill("#id_measures_taken", "已隔离受影响主机")
    operator.locator("button[name=action][value=submit]").click()
    operator.wait_for_load_state()
    report = Report.objects.filter(title="省级政务门户网站遭勒索软件攻击").get()
    assert report.status == Status.SUBMITTED, operator.content()[:3000]
    assert report.severity == "major"
    operator.close()

    # the national official sees it waiting at the receiving authority, with its countdown
    national = console_errors.watch(browser.new_page(**browser_context_args))
    login(national, live_server, "national", DEMO_PASSWORD, next_url="/dashboard/")
    national.goto(f"{live_server.url}/dashboard/")
    wait_for_dashboard(national)
    row = national.locator("#awaiting-table tbody tr", has_text=report.reference)
    assert row.count() == 1
    assert row.locator(".countdown").count() == 1

    # the Guangdong reviewer claims and forwards it on the report's page
    reviewer = console_errors.watch(browser.new_page(**browser_context_args))
    login(reviewer, live_server, "reviewer-gd", DEMO_PASSWORD, next_url="/queue/")
    reviewer.goto(f"{live_server.url}/queue/")
    reviewer.click(f"a:has-text('{report.reference}')")
    reviewer.wait_for_selector("form[data-action=claim]")
    reviewer.locator("form[data-action=claim] button[type=submit]").click()
    reviewer.wait_for_selector("form[data-action=claim]", state="detached")  # htmx swapped
    forward = reviewer.locator("form[data-action=forward]")
    reviewer.locator("details", has=forward).locator("summary").click()
    forward.locator("button[type=submit]").click()
    reviewer.wait_for_selector("form[data-action=forward]", state="detached", timeout=10_000)
    report.refresh_from_db()
    assert report.tier == Tier.NATIONAL
    reviewer.close()

    # the national official's dashboard shows it forwarded in the last 24 hours
    national.reload()
    wait_for_dashboard(national)
    assert national.locator("#awaiting-table tbody tr", has_text=report.reference).count() == 0
    forwarded = national.locator("#forwarded-table tbody tr", has_text=report.reference)
    assert forwarded.count() == 1
    assert "重大" in forwarded.inner_text()
    assert int(national.locator("#total").inner_text()) >= 1
    national.screenshot(path=str(artifacts / "dashboard-journey.png"), full_page=True)
    national.close()  # its dashboard would go on polling the live server
    assert console_errors == []


def test_an_empty_pie_says_no_data(demo, live_server, page, console_errors):
    """Issue 13, point 6: with nothing to count, a pie is not four equal slices of nothing."""
    console_errors.watch(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "national", DEMO_PASSWORD, next_url="/dashboard/")
    page.goto(f"{live_server.url}/dashboard/")
    wait_for_dashboard(page)
    assert int(page.locator("#total").inner_text()) == 0
    for name in ("chart-level", "chart-channel"):
        chart = page.locator(f"#{name}")
        assert chart.get_attribute("data-rendered") == "true", name
        assert chart.get_attribute("data-empty") == "true", name
        title = page.evaluate(
            f"echarts.getInstanceByDom(document.getElementById('{name}')).getOption().title[0].text"
        )
        assert title == "暂无数据"
        series = page.evaluate(
            f"echarts.getInstanceByDom(document.getElementById('{name}')).getOption().series.length"
        )
        assert series == 0
    assert console_errors == []


def test_large_figures_read_in_wan_and_yi(demo, live_server, page):
    """Issue 13, point 10: 万/亿 for large figures on the Chinese dashboard."""
    login(page, live_server, "national", DEMO_PASSWORD, next_url="/dashboard/")
    page.goto(f"{live_server.url}/dashboard/")
    wait_for_dashboard(page)
    big = "n => PortalFigures.big(n)"
    assert page.evaluate(f"({big})(9999)") == "9999"
    assert page.evaluate(f"({big})(12345)") == "1.23万"
    assert page.evaluate(f"({big})(2000000)") == "200万"
    assert page.evaluate(f"({big})(345000000)") == "3.45亿"
    assert page.evaluate("PortalFigures.big(2000000, 'en')") == "2,000,000"
    total = page.locator("#total")
    assert total.inner_text() == total.get_attribute("data-count")  # small: exact
