"""The operator's report form in a real browser: autosave never submits, whatever has focus
(issue 13, point 11). Browser timers run on Playwright's controlled clock, never waited for."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from reports.constants import Status
from reports.models import Report
from reports.services.drafting import report_create
from tests.conftest import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def complete_draft(demo) -> Report:
    """A draft with every field required to submit (discovered 30 minutes ago)."""
    return report_create(
        user=demo["operator-general"],
        data={
            "title": "官网遭受拒绝服务攻击",
            "affected_systems": "门户网站",
            "discovered_at": timezone.now() - timedelta(minutes=30),
            "location": "广州",
            "category": "0208",
            "severity_declared": "significant",
            "impact_description": "无法访问",
            "measures_taken": "流量清洗",
        },
    )


def open_form(page, live_server, report):
    page.clock.install()
    login(
        page, live_server, "operator-general", DEMO_PASSWORD, next_url=f"/reports/{report.pk}/edit/"
    )
    page.goto(f"{live_server.url}/reports/{report.pk}/edit/")
    page.wait_for_selector("#report-form")


def test_tabbing_onto_submit_and_waiting_autosaves_and_does_not_submit(
    demo, live_server, page, console_errors
):
    # given: a complete draft, open in the form
    report = complete_draft(demo)
    console_errors.watch(page)
    open_form(page, live_server, report)

    # when: the operator types in a field, moves focus onto "提交报告" and waits past the
    # autosave delay without pressing anything
    page.locator("#id_title").click()
    page.keyboard.press("End")
    page.keyboard.type("（更新）")
    submit = page.locator("button[name=action][value=submit]")
    submit.focus()
    assert page.evaluate("document.activeElement.getAttribute('value')") == "submit"
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.clock.run_for(10_000)
    response = posted.value

    # then: the request went to the autosave endpoint; the report is still a draft, with the
    # new title saved, and the page still shows the form (not the report page in the status)
    assert response.url.endswith(f"/reports/{report.pk}/autosave/"), response.url
    page.locator("#autosave-status .autosave-ok").wait_for()
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    assert report.title == "官网遭受拒绝服务攻击（更新）"
    assert page.locator("#autosave-status #report-form, #autosave-status h1").count() == 0
    assert page.url.endswith(f"/reports/{report.pk}/edit/")
    assert console_errors == []


def test_clicking_submit_still_submits(demo, live_server, page):
    # given
    report = complete_draft(demo)
    open_form(page, live_server, report)
    # when
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url(f"**/reports/{report.pk}/")
    # then
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_enter_on_the_focused_submit_button_submits(demo, live_server, page):
    report = complete_draft(demo)
    open_form(page, live_server, report)
    page.locator("button[name=action][value=submit]").press("Enter")
    page.wait_for_url(f"**/reports/{report.pk}/")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_the_follow_up_kind_radios_read_on_one_line(demo, live_server, page, artifacts):
    """Issue 13, point 1: the 补报/续报 labels wrapped one character per line."""
    from reports.services.submission import report_submit

    # given: a submitted report, open on the operator's report page
    draft = complete_draft(demo)
    report = report_submit(user=demo["operator-general"], pk=draft.pk)
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "operator-general", DEMO_PASSWORD, next_url=f"/reports/{report.pk}/")
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    form = page.locator("form[data-action=followup]")
    page.locator("details", has=form).locator("summary").click()

    # then: each kind's label is one line high and its text is not squeezed
    radios = form.locator("input[name=kind]")
    assert radios.count() == 2
    for index in range(2):
        label = form.locator(f"label[for='{radios.nth(index).get_attribute('id')}']")
        box = label.bounding_box()
        font = float(label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        assert box is not None and box["height"] < 2 * font * 1.6, (label.inner_text(), box)
        text = label.inner_text().strip()
        assert box["width"] >= len(text) * font * 0.9, (text, box)
    form.screenshot(path=str(artifacts / "followup-kind.png"))


def test_answering_no_creates_no_draft_until_something_is_typed(demo, live_server, page):
    """Issue 13, point 9: the state-secret answer opens a blank form; the first autosave of
    something typed creates the numbered draft, and the address becomes the draft's."""
    page.clock.install()
    login(page, live_server, "operator-general", DEMO_PASSWORD, next_url="/reports/new/")
    page.goto(f"{live_server.url}/reports/new/")
    page.check("input[name=involves_state_secrets][value=no]")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#report-form")
    assert Report.objects.count() == 0
    page.clock.run_for(30_000)  # nothing typed: nothing saved
    assert Report.objects.count() == 0

    page.locator("#id_title").fill("官网首页被篡改")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.clock.run_for(10_000)
    page.locator("#autosave-status .autosave-ok").wait_for()
    report = Report.objects.get()
    assert report.title == "官网首页被篡改" and report.status == Status.DRAFT
    assert page.locator("#draft-reference").inner_text() == report.reference
    assert page.url.endswith(f"/reports/{report.pk}/edit/")


def test_typing_is_saved_within_two_seconds_and_the_deadline_header_goes_live(
    demo, live_server, page
):
    """Issue 13, point 2: autosave within 2 s of the last keystroke; the filing deadline
    appears in the header as soon as the discovery time is saved, without a reload."""
    report = report_create(user=demo["operator-general"], data={"title": "草稿"})
    open_form(page, live_server, report)
    assert page.locator("#file-clock .clock").count() == 0  # no discovery time yet: "—"

    discovered = timezone.localtime(timezone.now() - timedelta(minutes=20))
    page.fill("#id_discovered_at", discovered.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_location").click()
    page.keyboard.type("广州")
    # the save that carries what was typed (the discovery time's own change may have been
    # saved just before it, the browser's clock running on meanwhile)
    typed = "location=" + quote("广州")
    with page.expect_response(lambda r: typed in (r.request.post_data or "")) as answer:
        page.clock.run_for(2_000)
    assert answer.value.ok
    page.locator("#autosave-status .autosave-ok").wait_for()
    report.refresh_from_db()
    assert report.location == "广州" and report.discovered_at is not None
    assert page.locator("#file-clock .clock").count() == 1  # live, no reload


def test_typing_while_a_save_is_on_its_way_is_saved_after_it_not_refused_as_stale(
    demo, live_server, page
):
    """A slow server: the first autosave is still on its way when more is typed. The next
    save waits for it (and for the version it returns) instead of cancelling it in the
    browser while the server has already saved it, which sent the old version and was
    refused as a stale edit ("someone else changed the draft")."""
    report = report_create(user=demo["operator-general"], data={"title": "草稿"})
    open_form(page, live_server, report)
    held, sent = [], []

    def hold_the_first(route):
        sent.append(route.request.post_data)
        if not held:
            held.append(route)  # answered below, after more typing
        else:
            route.continue_()

    page.route("**/autosave/", hold_the_first)
    page.locator("#id_location").click()
    page.keyboard.type("广州")
    page.clock.run_for(2_000)  # the first save leaves and is held on its way
    page.locator("#id_affected_systems").click()
    page.keyboard.type("门户网站")
    page.clock.run_for(2_000)  # more typed: its save must wait for the first
    assert len(sent) == 1
    second = "affected_systems=" + quote("门户网站")
    with page.expect_response(lambda r: second in (r.request.post_data or "")) as answer:
        held[0].continue_()  # the first is answered; the second leaves after it
    assert answer.value.ok and len(sent) == 2
    page.locator("#autosave-status .autosave-ok").wait_for()
    assert page.locator("#autosave-status [role=alert]").count() == 0
    report.refresh_from_db()
    assert (report.location, report.affected_systems) == ("广州", "门户网站")


def test_leaving_with_unsaved_typing_warns_and_saves_it(demo, live_server, page):
    """Issue 13, point 2: a menu link clicked right after typing warns before leaving, and
    what was typed is sent as the page goes."""
    report = report_create(user=demo["operator-general"], data={"title": "草稿"})
    open_form(page, live_server, report)
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", accept)
    page.locator("#id_title").click()
    page.keyboard.press("End")
    page.keyboard.type("（未保存）")
    page.locator("a.nav-link[href='/reports/']").click()
    page.wait_for_url("**/reports/")
    assert dialogs == ["beforeunload"]
    for _attempt in range(50):  # the beacon is answered after the page has gone
        report.refresh_from_db()
        if report.title == "草稿（未保存）":
            break
        page.wait_for_timeout(100)
    assert report.title == "草稿（未保存）"


def test_a_printed_report_page_shows_the_report_not_the_controls(demo, live_server, page):
    """The print stylesheet of the report page (issue 13, "a print stylesheet")."""
    from reports.services.submission import report_submit

    report = report_submit(user=demo["operator-general"], pk=complete_draft(demo).pk)
    login(page, live_server, "operator-general", DEMO_PASSWORD, next_url=f"/reports/{report.pk}/")
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    assert page.locator(".portal-navbar").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".portal-navbar").is_visible()
    assert not page.locator("#operator-actions").is_visible()
    assert page.locator(".report-reference").is_visible()
    assert page.locator("#timeline").is_visible()
