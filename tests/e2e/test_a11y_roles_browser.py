"""Every page of the portal's own templates, for every role, at 1 366 px and 390 px (issue 13,
points 7 and 12): axe-core finds no WCAG 2.1 AA violation, nothing overflows the page, no
table is clipped outside a scroll container nor squeezed to a character per line, every
aria-describedby names an id on the page, every focus indicator is at 3:1 or more; a
screenshot of each page with a problem in test-artifacts/ (of every page with
A11Y_SCREENSHOTS=1). One test per role, its pages in one browser page
(tests/e2e/a11y.py does the checking). Where the issue names a symptom, a targeted check:
the sticky action bar never hides the focused field, focus and the live region after an
in-page review action, the organisation search announced, the dashboard's legends not paged,
its dates in the portal's format, its watch-list tables not clipped at 1 366 px, a table of
the figures beside each chart, the English navbar on one line."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone
from playwright.sync_api import expect

from config.errors import bad_request, server_error
from dashboard.summary import summary_refresh
from demo.bulk import seed_reports
from intake.services.inbox import inbox_ingest
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from review.services.forwarding import report_forward
from review.services.triage import report_claim
from tests.conftest import DEMO_PASSWORD
from tests.helpers import serious_report_data
from tests.intake.messages import utf8_qp_with_attachments
from tipoffs.services import tipoff_submit

from .a11y import LAPTOP, PHONE, Audit
from .conftest import _second_factor as second_factor
from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


@pytest.fixture
def audit(page, artifacts):
    """`audit(role)` → an Audit of the test's page (`assert_clean()` lists every problem)."""
    return lambda role: Audit(page, artifacts, role)


def submitted(demo, username="operator-general", **changes):
    user = demo[username]
    report = report_create(user=user, data=serious_report_data(**changes))
    return report_submit(user=user, pk=report.pk)


def forwarded(demo, **changes):
    report = submitted(demo, **changes)
    report_claim(user=demo["reviewer-gd"], pk=report.pk)
    return report_forward(user=demo["reviewer-gd"], pk=report.pk)


def wait_for_dashboard(page):
    page.locator("#dashboard[data-loaded='true']").wait_for(state="attached", timeout=20_000)


def error_page(handler) -> str:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return handler(request).content.decode()


def serve(status: int, html: str):
    def fulfil(route):
        route.fulfill(status=status, content_type="text/html; charset=utf-8", body=html)

    return fulfil


def go(page, live_server, path: str) -> None:
    page.goto(f"{live_server.url}{path}")


# --- the sticky action bar of the report form ------------------------------------------------

TAB_THROUGH_FORM = """
() => {
  const el = document.activeElement;
  const form = document.getElementById("report-form");
  if (!form || !form.contains(el)) return null;
  const bar = document.querySelector(".form-actions").getBoundingClientRect();
  const box = el.getBoundingClientRect();
  if (el.closest(".form-actions")) return "";
  const hidden = box.bottom > bar.top + 1 && box.top < bar.bottom;
  return hidden ? `${el.id || el.name}: ${Math.round(box.top)}–${Math.round(box.bottom)} under the `
    + `bar at ${Math.round(bar.top)}` : "";
}
"""


def fields_hidden_by_the_action_bar(page) -> list[str]:
    """Tab through the report form from its first field, as a keyboard user does: the field
    that has focus is never under the sticky action bar."""
    page.locator("#id_title").focus()
    page.evaluate("window.scrollTo(0, 0)")
    hidden, visited = [], 0
    for _ in range(120):
        page.keyboard.press("Tab")
        found = page.evaluate(TAB_THROUGH_FORM)
        if found is None:  # focus left the form
            break
        visited += 1
        if found:
            hidden.append(found)
    assert visited >= 15, visited  # the whole form, not a field or two
    return hidden


def test_anonymous_pages(demo, live_server, page, audit):
    check = audit("anonymous")
    go(page, live_server, "/accounts/login/")
    check.check("login")
    go(page, live_server, "/tipoff/")
    check.check("tip-off form")
    # the form sent empty: field errors, each named by its field's aria-describedby
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".invalid-feedback").count() >= 1
    check.check("tip-off form with errors")
    go(page, live_server, "/tipoff/thanks/")
    check.check("tip-off thanks")
    go(page, live_server, "/accounts/password-reset/")
    check.check("password reset")
    go(page, live_server, "/no-such-page/")
    check.check("404")
    # 400 and 500 as the portal's handlers draw them, served at the live server's address
    for status, handler in ((400, bad_request), (500, server_error)):
        page.route(f"{live_server.url}/error-{status}/", serve(status, error_page(handler)))
        go(page, live_server, f"/error-{status}/")
        assert str(status) in page.locator("main").inner_text()
        check.check(str(status))
    # a form left open past its CSRF cookie: the portal's own 403 page, in words
    go(page, live_server, "/accounts/login/")
    page.context.clear_cookies()
    page.fill("input[name=username]", "operator-general")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_load_state()
    check.check("CSRF failure")
    check.assert_clean()


def test_operator_pages(demo, live_server, page, audit):
    operator = demo["operator-general"]
    draft = report_create(user=operator, data=serious_report_data(title="草稿：门户网站被篡改"))
    incomplete = report_create(user=operator, data={"title": "未填完的草稿"})
    report = submitted(demo, title="已提交：门户网站遭受拒绝服务攻击")
    check = audit("operator")
    login(page, live_server, "operator-general", DEMO_PASSWORD, next_url="/reports/")
    go(page, live_server, "/reports/")
    check.check("report list")
    go(page, live_server, "/reports/new/")
    check.check("new report")
    page.check("input[name=involves_state_secrets][value=yes]")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    check.check("state secrets: the confidential channel")
    go(page, live_server, "/reports/new/")
    page.check("input[name=involves_state_secrets][value=no]")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#report-form")
    check.check("new draft form")
    go(page, live_server, f"/reports/{draft.pk}/edit/")
    page.wait_for_selector("#report-form")
    check.check("report form")
    # the sticky action bar never covers the field the keyboard moved to, on both widths
    for size in (LAPTOP, PHONE):
        page.set_viewport_size(size)
        assert fields_hidden_by_the_action_bar(page) == [], size
    go(page, live_server, f"/reports/{incomplete.pk}/edit/")
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() >= 1
    check.check("report form with errors")
    go(page, live_server, f"/reports/{draft.pk}/")
    check.check("draft report page")
    go(page, live_server, f"/reports/{report.pk}/")
    check.check("submitted report page")
    go(page, live_server, "/notifications/")
    check.check("notifications")
    go(page, live_server, "/organisation/providers/")
    check.check("service providers")
    go(page, live_server, "/profile/")
    check.check("profile")
    go(page, live_server, "/profile/password/")
    check.check("password change")
    go(page, live_server, "/queue/")
    assert page.locator("h1").count() == 1
    check.check("403")
    go(page, live_server, "/reports/999999/")
    check.check("404")
    page.set_viewport_size(LAPTOP)
    page.locator(".portal-navbar .dropdown-toggle").click()
    page.locator(".portal-navbar .dropdown-menu button[type=submit]").click()
    page.wait_for_load_state()
    check.check("logged out")
    check.assert_clean()


def test_provincial_reviewer_pages(demo, live_server, page, audit):
    report = submitted(demo, title="待审核：门户网站遭受拒绝服务攻击")
    submitted(demo, title="另一份：数据库被加密勒索", severity_declared="significant")
    forwarded(demo, title="已上报：政务云平台中断")
    tipoff_submit(
        data={
            "title": "某网站首页被篡改",
            "description": "今天上午发现某公司官网首页出现违法信息，持续约两小时。",
            "organization_name": "广州示例网络科技有限公司",
            "province": "440000",
            "contact": "",
        },
        address="203.0.113.9",
        rendered_at=(timezone.now() - timedelta(seconds=30)).timestamp(),
    )
    check = audit("provincial reviewer")
    go(page, live_server, "/accounts/login/?next=/queue/")
    page.fill("input[name=username]", "reviewer-gd")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("input[name=token]").count() == 1
    check.check("two-factor step")
    second_factor(page, "reviewer-gd")
    for tab in ("new", "mine", "waiting", "serious", "forwarded", "overdue", "closed"):
        go(page, live_server, f"/queue/?tab={tab}")
        check.check(f"queue {tab}", widths=("1366", "390") if tab == "new" else ("390",))

    # an in-page action: focus lands on the result, announced in a live region that was there
    go(page, live_server, f"/reports/{report.pk}/")
    assert page.locator("#live-status").text_content() == ""
    check.check("report page")
    page.locator("form[data-action=claim] button[type=submit]").click()
    page.wait_for_selector("form[data-action=claim]", state="detached")
    feedback = page.locator("#report-page .action-feedback")
    expect(feedback).to_be_focused()
    assert page.locator("#live-status").text_content().strip() == feedback.inner_text().strip()
    check.check("report page after claiming")
    # a refused action: focus on the reasons, announced as an alert
    request = page.locator("form[data-action=request_info]")
    page.locator("details", has=request).locator("summary").click()
    request.locator("button[type=submit]").click()
    errors = page.locator("form[data-action=request_info] .action-errors")
    expect(errors).to_be_focused()
    assert page.locator("#live-alert").text_content().strip() != ""
    check.check("report page with a refused action")

    # the organisation search on the require page is announced
    go(page, live_server, "/reports/require/")
    check.check("require a report")
    with page.expect_response(lambda r: "org_q=" in r.url):
        page.locator("#org-search").fill("广州示例")
    expect(page.locator("#live-status")).to_have_text(re.compile(r"\b1\b"))
    check.check("require a report, organisation found")

    go(page, live_server, "/dashboard/")
    wait_for_dashboard(page)
    check.check("dashboard", ready=wait_for_dashboard)
    go(page, live_server, "/notifications/")
    check.check("notifications")
    go(page, live_server, "/profile/")
    check.check("profile")
    go(page, live_server, "/tipoffs/")
    check.check("tip-off queue")
    page.locator("main table a").first.click()
    page.wait_for_load_state()
    check.check("tip-off")
    check.assert_clean()


def test_national_official_pages(demo, live_server, page, audit):
    seed_reports(60)
    report = forwarded(demo, title="已上报：政务云平台中断，影响全省政务服务")
    submitted(demo, title="待上报：省级政务门户网站遭勒索软件攻击")
    summary_refresh(full=True)
    check = audit("national official")
    login(page, live_server, "national", DEMO_PASSWORD, next_url="/national/")
    for tab in ("new", "mine", "waiting", "closed"):
        go(page, live_server, f"/national/?tab={tab}")
        check.check(f"national queue {tab}", widths=("1366", "390") if tab == "new" else ("390",))
    go(page, live_server, f"/reports/{report.pk}/")
    check.check("forwarded report page")

    go(page, live_server, "/dashboard/")
    wait_for_dashboard(page)
    check.check("dashboard", ready=wait_for_dashboard)
    page.set_viewport_size(LAPTOP)
    dashboard_holds_at_1366(page)

    # in English, the navbar stays on one line at 1 366 px
    page.set_viewport_size(LAPTOP)
    page.locator(".language-switch button[value=en]").click()
    page.wait_for_load_state()
    wait_for_dashboard(page)
    assert page.locator("html").get_attribute("lang") == "en"
    dashboard_holds_at_1366(page)
    tops = page.evaluate(
        "[...document.querySelectorAll('.portal-navbar .nav-link, .portal-navbar .btn')]"
        ".map(el => Math.round(el.getBoundingClientRect().top + el.offsetHeight / 2))"
    )
    assert max(tops) - min(tops) <= 4, tops
    check.check("dashboard in English", ready=wait_for_dashboard)
    go(page, live_server, "/notifications/")
    check.check("notifications in English")
    check.assert_clean()


def dashboard_holds_at_1366(page):
    """Issue 13, point 7, on the national dashboard at 1 366 px."""
    # the watch list and every other table fit their cards (no scroll bar, nothing clipped)
    clipped = page.evaluate(
        "[...document.querySelectorAll('#dashboard .card > .table-responsive')]"
        ".filter(el => el.scrollWidth > el.clientWidth + 1)"
        ".map(el => `${el.firstElementChild.id} ${el.scrollWidth} > ${el.clientWidth}`)"
    )
    assert clipped == []
    assert page.locator("#awaiting-table tbody tr a").count() >= 1
    # dates in the portal's format (Y-m-d H:i), as on every other page
    for cell in page.locator("#awaiting-table tbody tr td:nth-child(5)").all():
        assert DATE_TIME.match(cell.inner_text()), cell.inner_text()
    for cell in page.locator("#forwarded-table tbody tr td:nth-child(4)").all():
        assert DATE_TIME.match(cell.inner_text()), cell.inner_text()
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}$", page.locator("#as-of").inner_text())
    # legends are plain (three entries are not paged "1/3")
    for name in ("chart-level", "chart-channel", "chart-route"):
        legend = page.evaluate(
            f"echarts.getInstanceByDom(document.getElementById('{name}')).getOption().legend[0].type"
        )
        assert legend == "plain", name
    # the compliance chart's long channel names are on the vertical axis, broken into lines
    axis = page.evaluate(
        "(() => { const o = echarts.getInstanceByDom(document.getElementById('chart-ontime'))"
        ".getOption(); return [o.yAxis[0].type, o.yAxis[0].axisLabel.overflow]; })()"
    )
    assert axis == ["category", "break"]
    # a table of the figures under each chart
    for name in ("trend", "level", "status", "channel", "route", "category", "province", "ontime"):
        assert page.locator(f"#table-{name} tbody tr").count() >= 1, name
    channels = page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('chart-channel'))"
        ".getOption().series[0].data.map(d => d.name)"
    )
    assert page.locator("#table-channel tbody th").all_text_contents() == channels


def queue_report_and_dashboard(page, live_server, check, username, report, suffix=""):
    """The walk of a role whose pages are the queue, a report's page and the dashboard."""
    login(page, live_server, username, DEMO_PASSWORD, next_url="/queue/")
    go(page, live_server, "/queue/")
    check.check(f"queue{suffix}")
    go(page, live_server, f"/reports/{report.pk}/")
    check.check(f"report page{suffix}")
    go(page, live_server, "/dashboard/")
    wait_for_dashboard(page)
    check.check("dashboard", ready=wait_for_dashboard)
    check.assert_clean()


def test_department_reviewer_pages(demo, live_server, page, audit):
    report = submitted(demo, "operator-cii", title="电力调度系统遭受网络攻击", involves_cii=True)
    check = audit("protection department reviewer")
    queue_report_and_dashboard(page, live_server, check, "reviewer-energy", report)


def test_police_liaison_pages(demo, live_server, page, audit):
    report = submitted(demo, title="涉嫌犯罪：数据库被窃取", suspected_crime=True)
    check = audit("police liaison")
    queue_report_and_dashboard(
        page, live_server, check, "police-liaison", report, suffix=" (read only)"
    )


def test_intake_officer_pages(demo, live_server, page, audit):
    item, _ = inbox_ingest(raw=utf8_qp_with_attachments())
    check = audit("intake officer")
    login(page, live_server, "intake-12387", DEMO_PASSWORD, next_url="/inbox/")
    go(page, live_server, "/inbox/")
    check.check("inbox")
    go(page, live_server, f"/inbox/{item.pk}/")
    check.check("inbox item")
    go(page, live_server, "/intake/reports/new/")
    check.check("record a report")
    page.locator("form.intake-form button[type=submit]").last.click()
    page.wait_for_load_state()
    check.check("record a report with errors")
    check.assert_clean()
