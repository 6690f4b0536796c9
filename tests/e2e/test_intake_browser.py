"""In a real browser: the 12387 intake officer logs in with two factors, records a report
telephoned to the hotline through the compact form, and lands on the report: submitted,
routed to the Guangdong CAC, route hotline, filing deadline met at the start of the call."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.validators import make_uscc
from escalation.models import Deadline
from reports.models import Report
from tests.conftest import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_an_intake_officer_records_a_hotline_report(demo, live_server, page, console_errors):
    console_errors.watch(page)
    now = timezone.now()
    call_started = now - timedelta(minutes=12)
    login(page, live_server, "intake-12387", DEMO_PASSWORD, next_url="/inbox/")
    assert "/inbox/" in page.url
    page.click("a.nav-link[href='/intake/reports/new/']")

    form = page.locator("form.intake-form")
    form.locator("select[name=received_via]").select_option("hotline")
    form.locator("input[name=received_at]").fill(local(call_started))
    form.locator("input[name=caller_name]").fill("张三")
    form.locator("input[name=caller_contact]").fill("13800000000")
    form.locator("input[name=organization_code]").fill(make_uscc("440100", 1))
    form.locator("input[name=title]").fill("门户网站遭受拒绝服务攻击")
    form.locator("textarea[name=affected_systems]").fill("门户网站")
    form.locator("input[name=discovered_at]").fill(local(now - timedelta(minutes=40)))
    form.locator("input[name=location]").fill("广州")
    form.locator("select[name=category]").select_option("0208")
    form.locator("select[name=severity_declared]").select_option("major")
    form.locator("textarea[name=impact_description]").fill("网站无法访问")
    form.locator("textarea[name=measures_taken]").fill("启用流量清洗")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()

    report = Report.objects.get()
    assert page.url.endswith(f"/reports/{report.pk}/")
    assert report.reference in page.locator(".report-reference").inner_text()
    assert page.locator(".received-via").get_attribute("data-route") == "hotline"
    assert "张三" in page.locator(".caller").inner_text()
    assert report.status == "submitted" and report.received_via == "hotline"
    assert report.receiving_authority.code == "cac-440000"
    assert report.received_at == call_started.replace(second=0, microsecond=0)
    filing = Deadline.objects.get(report=report, kind="file")
    assert filing.met_at == report.received_at and filing.outcome == "met"
    assert console_errors == []
