"""Issue 11 in a real browser: item 2 (the reviewer forwards a general-channel report picking
the same-level departments it notifies, and sees them on the report), item 12 (a report the
grading guide rates serious, graded below serious by the reviewer, is on the national
official's watch list as "downgraded") and item 21 (forwarded while the reviewer's own
request for information is open, the report stays in that reviewer's queue, and the
operator's answer reaches the reviewer). One browser test per item; state the test does not
look at is set up through the services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reports.constants import Tier
from reports.models import Forwarding, Report
from reports.services.drafting import report_create
from reports.services.followups import report_followup
from reports.services.submission import report_submit
from review.services.requests import report_request_info
from review.services.triage import report_claim
from tests.conftest import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def submitted(demo, now, **changes) -> Report:
    data = {
        "title": "勒索软件攻击",
        "affected_systems": "ERP",
        "discovered_at": now - timedelta(minutes=10),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "业务中断",
        "measures_taken": "隔离",
        **changes,
    }
    op = demo["operator-general"]
    report = report_create(user=op, data=data, now=now)
    return report_submit(user=op, pk=report.pk, now=now)


def open_action(page, action: str):
    """The action's form on the report page, its <details> opened."""
    form = page.locator(f"form[data-action={action}]")
    page.locator("details", has=form).locator("summary").click()
    return form


def test_item_2_the_reviewer_forwards_picking_the_same_level_departments(
    demo, live_server, page, console_errors
):
    report = submitted(demo, timezone.now())
    console_errors.watch(page)
    login(page, live_server, "reviewer-gd", DEMO_PASSWORD, next_url=f"/reports/{report.pk}/")
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    forward = open_action(page, "forward")
    police = forward.get_by_label("广东省公安厅")
    telecom = forward.get_by_label("广东省通信管理局")
    # offered pre-ticked: the province's configured departments
    assert police.is_checked() and telecom.is_checked()
    # neither a department nor a reason: a field error, nothing forwarded
    police.uncheck()
    telecom.uncheck()
    forward.locator("button[type=submit]").click()
    error = page.locator(
        "form[data-action=forward] .field-same_level_departments .invalid-feedback"
    )
    error.wait_for(timeout=10_000)
    assert "同级部门" in error.inner_text()
    assert Report.objects.get(pk=report.pk).tier == Tier.RECEIVING
    # the communications administration only
    forward = page.locator("form[data-action=forward]")  # swapped in by htmx
    assert not forward.get_by_label("广东省公安厅").is_checked()
    forward.get_by_label("广东省通信管理局").check()
    forward.locator("button[type=submit]").click()
    page.wait_for_selector("form[data-action=forward]", state="detached", timeout=10_000)
    assert Report.objects.get(pk=report.pk).tier == Tier.NATIONAL
    codes = Forwarding.objects.get(report=report).same_level_departments.values_list(
        "code", flat=True
    )
    assert list(codes) == ["sl-ca-440000"]
    # the report shows them: the routing panel and the forward's entry on the timeline
    page.reload()
    routing = page.locator("#same-level-departments")
    assert routing.inner_text().strip() == "广东省通信管理局"
    entry = page.locator("#timeline li[data-kind=forwarded]")
    assert "广东省通信管理局" in entry.inner_text() and "广东省公安厅" not in entry.inner_text()
    # the browser logs the refused post (422, the field error); nothing else went wrong
    assert [e for e in console_errors if "status of 422" not in e] == []
    assert len(console_errors) == 1


def test_item_12_a_downgrade_below_the_guide_is_on_the_national_watch_list(
    demo, live_server, browser, browser_context_args, console_errors
):
    report = submitted(
        demo,
        timezone.now(),
        severity_declared="significant",
        indicators={"people_affected": 1_000_000},
    )
    assert (report.severity_suggested, report.severity) == ("major", "major")
    # the receiving reviewer grades it below serious on the report's page
    reviewer = console_errors.watch(browser.new_page(**browser_context_args))
    login(reviewer, live_server, "reviewer-gd", DEMO_PASSWORD, next_url=f"/reports/{report.pk}/")
    reviewer.goto(f"{live_server.url}/reports/{report.pk}/")
    grade = open_action(reviewer, "grade")
    grade.locator("select[name=severity]").select_option("significant")
    grade.locator("textarea[name=reason]").fill("实际影响范围有限")
    grade.locator("button[type=submit]").click()
    reviewer.locator(".action-feedback.alert-success").wait_for(timeout=10_000)
    assert Report.objects.get(pk=report.pk).severity == "significant"
    reviewer.close()
    # the national official: on the watch list as downgraded, and told with the reason
    national = console_errors.watch(browser.new_page(**browser_context_args))
    login(national, live_server, "national", DEMO_PASSWORD, next_url="/national/")
    national.goto(f"{live_server.url}/national/")
    item = national.locator(".downgraded-list li", has_text=report.reference)
    assert item.count() == 1
    text = item.inner_text()
    assert "已降级" in text and "重大" in text and "较大" in text
    assert item.locator("a").get_attribute("href") == f"/reports/{report.pk}/"
    national.goto(f"{live_server.url}/notifications/")
    note = national.locator(".notifications li", has_text=report.reference)
    assert note.count() == 1 and "实际影响范围有限" in note.inner_text()
    # the national official can still open the report
    national.goto(f"{live_server.url}/reports/{report.pk}/")
    assert report.reference in national.locator("main").inner_text()
    national.close()
    assert console_errors == []


def test_item_21_forwarded_with_its_request_open_it_stays_in_the_reviewers_queue(
    demo, live_server, page, console_errors
):
    now = timezone.now()
    gd = demo["reviewer-gd"]
    report = submitted(demo, now)
    report_claim(user=gd, pk=report.pk, now=now)
    report_request_info(user=gd, pk=report.pk, question="请提供攻击源", now=now)
    console_errors.watch(page)
    login(page, live_server, "reviewer-gd", DEMO_PASSWORD, next_url=f"/reports/{report.pk}/")
    # the reviewer forwards while its own request is open
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    forward = open_action(page, "forward")
    forward.locator("button[type=submit]").click()
    page.wait_for_selector("form[data-action=forward]", state="detached", timeout=10_000)
    assert Report.objects.get(pk=report.pk).tier == Tier.NATIONAL
    # it stays in the reviewer's queue: the "forwarded" tab, and "waiting for the operator"
    # with a badge that says so
    page.goto(f"{live_server.url}/queue/?tab=forwarded")
    assert page.locator("a[data-tab=forwarded][aria-current=page]").count() == 1
    assert page.locator(f"tr[data-reference='{report.reference}']").count() == 1
    page.goto(f"{live_server.url}/queue/?tab=waiting")
    row = page.locator(f"tr[data-reference='{report.reference}']")
    assert row.count() == 1
    assert "等待运营者答复" in row.locator(".forwarded-waiting").inner_text()
    # the operator answers: the reviewer who asked is told, and the report leaves "waiting"
    report_followup(
        user=demo["operator-general"],
        pk=report.pk,
        data={"kind": "supplement", "body": "攻击源为境外 IP"},
        now=timezone.now(),
    )
    page.goto(f"{live_server.url}/notifications/")
    note = page.locator(".notifications li", has_text="已补充信息").filter(
        has_text=report.reference
    )
    assert note.count() == 1 and "广州示例网络科技有限公司" in note.inner_text()
    page.goto(f"{live_server.url}/queue/?tab=waiting")
    assert page.locator(f"tr[data-reference='{report.reference}']").count() == 0
    page.goto(f"{live_server.url}/queue/?tab=forwarded")
    assert page.locator(f"tr[data-reference='{report.reference}']").count() == 1
    assert console_errors == []
