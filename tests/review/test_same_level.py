"""Issue 11, item 2 (Art. 4, general channel, serious): the provincial CAC reports to the
national CAC "and at the same time notifies the relevant departments at the same level". At
forwarding the same-level departments are notified and recorded — the reviewer picks them
(or says why none), the automatic forward notifies the province's configured ones — and both
are on the report's timeline and page, and in the API."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import SameLevelDepartment
from escalation.services.engine import deadlines_sweep
from notifications.models import Notification
from reports.contents import SUMMARY_FIELDS
from reports.models import Forwarding, Report
from review.services.forwarding import report_forward
from tests.helpers import submitted_report

HTMX = {"HTTP_HX_REQUEST": "true"}
GD_POLICE, GD_TELECOM = "sl-ps-440000", "sl-ca-440000"  # the demo's configured departments


submitted = submitted_report


def told(report, kind) -> set[str]:
    return set(
        Notification.objects.filter(report=report, kind=kind).values_list(
            "user__username", flat=True
        )
    )


def notified_codes(report) -> list[str]:
    return sorted(
        Forwarding.objects.get(report=report).same_level_departments.values_list("code", flat=True)
    )


def test_every_province_starts_with_its_public_security_department_and_the_demo_adds_more(demo):
    gd = SameLevelDepartment.objects.filter(province_id="440000", active=True)
    assert sorted(gd.values_list("code", flat=True)) == [GD_TELECOM, GD_POLICE]
    police = gd.get(code=GD_POLICE)
    assert (police.name, police.authority.code) == ("广东省公安厅", "ps-440000")
    assert gd.get(code=GD_TELECOM).authority is None  # recorded by name only
    assert SameLevelDepartment.objects.filter(province_id="310000", code="sl-ps-310000").exists()


def test_a_reviewer_forwards_notifying_the_departments_picked(demo, now, api_for):
    report = submitted(demo, now)
    liaison = api_for("police-liaison")
    assert liaison.get(f"/api/v1/reports/{report.pk}/").status_code == 404  # not copied yet
    report_forward(
        user=demo["reviewer-gd"], pk=report.pk, now=now, same_level_departments=[GD_POLICE]
    )
    assert notified_codes(report) == [GD_POLICE]
    assert Forwarding.objects.get(report=report).same_level_reason == ""
    # the department with a portal authority gets a copy, is told and can read the report
    assert report.copied_to.filter(code="ps-440000").exists()
    assert "police-liaison" in told(report, "report_received")
    assert "police-liaison" not in told(report, "forwarded")
    body = liaison.get(f"/api/v1/reports/{report.pk}/").json()
    assert body["reference"] == report.reference
    assert body["forwarded"]["same_level_departments"] == [
        {"code": GD_POLICE, "name": "广东省公安厅"}
    ]
    assert body["forwarded"]["same_level_reason"] == ""


def test_a_reviewer_may_notify_none_with_a_reason_and_no_copy_is_made(demo, now):
    report = submitted(demo, now)
    report_forward(
        user=demo["reviewer-gd"],
        pk=report.pk,
        now=now,
        same_level_departments=[],
        same_level_reason="已电话通报，书面通报待领导批示",
    )
    forwarding = Forwarding.objects.get(report=report)
    assert notified_codes(report) == []
    assert forwarding.same_level_reason == "已电话通报，书面通报待领导批示"
    assert not report.copied_to.filter(code="ps-440000").exists()
    assert "police-liaison" not in told(report, "report_received")


@pytest.mark.parametrize(
    ("picks", "reason", "field"),
    [
        ([], "", "same_level_departments"),  # neither
        ([], "   ", "same_level_departments"),  # a blank reason is none
        (["sl-ps-110000"], "", "same_level_departments"),  # another province's
        (["nonsense"], "", "same_level_departments"),
        ([GD_POLICE], "也写了理由", "same_level_reason"),  # a reason is for none only
    ],
)
def test_picking_none_without_a_reason_or_a_foreign_department_is_a_field_error(
    demo, now, picks, reason, field
):
    report = submitted(demo, now)
    with pytest.raises(ValidationError) as exc:
        report_forward(
            user=demo["reviewer-gd"],
            pk=report.pk,
            now=now,
            same_level_departments=picks,
            same_level_reason=reason,
        )
    assert list(exc.value.message_dict) == [field]
    report.refresh_from_db()
    assert report.tier == "receiving" and not Forwarding.objects.filter(report=report).exists()


def test_not_saying_notifies_the_configured_departments_and_with_none_configured_asks(demo, now):
    report = submitted(demo, now)
    report_forward(user=demo["reviewer-gd"], pk=report.pk, now=now)  # as before this change
    assert notified_codes(report) == [GD_TELECOM, GD_POLICE]
    # a province with none configured: the reviewer must say why
    SameLevelDepartment.objects.filter(province_id="440000").update(active=False)
    other = submitted(demo, now)
    with pytest.raises(ValidationError) as exc:
        report_forward(user=demo["reviewer-gd"], pk=other.pk, now=now)
    assert "same_level_departments" in exc.value.message_dict
    with pytest.raises(ValidationError):  # an inactive department cannot be picked
        report_forward(
            user=demo["reviewer-gd"], pk=other.pk, now=now, same_level_departments=[GD_POLICE]
        )


def test_the_automatic_forward_notifies_the_configured_departments(demo, now):
    report = submitted(demo, now)
    clock = report.deadlines.get(kind="forward")
    with time_machine.travel(clock.act_at, tick=False):
        deadlines_sweep()
    report.refresh_from_db()
    assert report.tier == "national" and report.forwarding.automatic
    assert notified_codes(report) == [GD_TELECOM, GD_POLICE]
    assert report.copied_to.filter(code="ps-440000").exists()
    assert "police-liaison" in told(report, "report_received")


def test_the_automatic_forward_with_none_configured_records_why(demo, now):
    SameLevelDepartment.objects.filter(province_id="440000").update(active=False)
    report = submitted(demo, now)
    clock = report.deadlines.get(kind="forward")
    with time_machine.travel(clock.act_at, tick=False):
        deadlines_sweep()
    forwarding = Forwarding.objects.get(report=report)
    assert forwarding.automatic and notified_codes(report) == []
    assert forwarding.same_level_reason in (
        "本省未配置同级部门。",
        "No same-level department is configured for this province.",
    )


def test_other_channels_notify_no_same_level_department_at_forwarding(demo, now):
    report = submitted(demo, now, username="operator-cii")
    with pytest.raises(ValidationError) as exc:
        report_forward(
            user=demo["reviewer-energy"],
            pk=report.pk,
            now=now,
            same_level_departments=[GD_POLICE],
        )
    assert "same_level_departments" in exc.value.message_dict
    report_forward(user=demo["reviewer-energy"], pk=report.pk, now=now)
    forwarding = Forwarding.objects.get(report=report)
    assert notified_codes(report) == [] and forwarding.same_level_reason == ""


def test_the_api_takes_picks_a_reason_or_nothing_and_refuses_neither(demo, now, api_for):
    api = api_for("reviewer-gd")
    url = "/api/v1/reports/{}/forward/".format
    # neither: a field error, nothing forwarded
    report = submitted(demo, now)
    response = api.post(url(report.pk), {"same_level_departments": []}, format="json")
    assert response.status_code == 400
    assert "same_level_departments" in response.json()
    response = api.post(url(report.pk), {"same_level_departments": "x"}, format="json")
    assert response.status_code == 400 and "same_level_departments" in response.json()
    assert Report.objects.get(pk=report.pk).tier == "receiving"
    # picks
    response = api.post(url(report.pk), {"same_level_departments": [GD_TELECOM]}, format="json")
    assert response.status_code == 200, response.content
    forwarded = response.json()["forwarded"]
    assert forwarded["same_level_departments"] == [{"code": GD_TELECOM, "name": "广东省通信管理局"}]
    # a reason
    second = submitted(demo, now)
    response = api.post(url(second.pk), {"same_level_reason": "已口头通报"}, format="json")
    assert response.status_code == 200, response.content
    forwarded = response.json()["forwarded"]
    assert (forwarded["same_level_departments"], forwarded["same_level_reason"]) == (
        [],
        "已口头通报",
    )
    # nothing said: the configured ones
    third = submitted(demo, now)
    response = api.post(url(third.pk), {}, format="json")
    assert response.status_code == 200
    assert [d["code"] for d in response.json()["forwarded"]["same_level_departments"]] == [
        GD_TELECOM,
        GD_POLICE,
    ]
    # with none configured, nothing said is a field error
    SameLevelDepartment.objects.filter(province_id="440000").update(active=False)
    fourth = submitted(demo, now)
    response = api.post(url(fourth.pk), {}, format="json")
    assert response.status_code == 400 and "same_level_departments" in response.json()


def test_the_web_form_offers_the_configured_departments_and_shows_what_was_notified(
    demo, now, web_for
):
    report = submitted(demo, now)
    reviewer = web_for("reviewer-gd")
    page = reviewer.get(f"/reports/{report.pk}/").content.decode()
    form = page.split('data-action="forward"')[1].split("</form>")[0]
    for code in (GD_POLICE, GD_TELECOM):  # offered, pre-ticked
        assert re.search(rf'<input[^>]*value="{code}"[^>]*checked', form), code
    assert 'name="same_level_reason"' in form and 'name="same_level_shown"' in form
    action = reverse("review:action", args=[report.pk, "forward"])
    version = Report.objects.get(pk=report.pk).version
    # neither picks nor a reason: the error is on the field, nothing forwarded
    response = reviewer.post(action, {"version": version, "same_level_shown": "1"}, **HTMX)
    assert response.status_code == 422
    failed = response.content.decode().split('data-action="forward"')[1].split("</form>")[0]
    invalid = r'field-same_level_departments field-invalid".*?invalid-feedback'
    assert re.search(invalid, failed, re.S)
    assert Report.objects.get(pk=report.pk).tier == "receiving"
    # picks
    response = reviewer.post(
        action,
        {"version": version, "same_level_shown": "1", "same_level_departments": [GD_TELECOM]},
        **HTMX,
    )
    assert response.status_code == 200
    assert notified_codes(report) == [GD_TELECOM]
    page = reviewer.get(f"/reports/{report.pk}/").content.decode()
    routing = page.split('id="same-level-departments"')[1].split("</dd>")[0]
    assert "广东省通信管理局" in routing and "广东省公安厅" not in routing
    timeline = page.split('id="timeline"')[1]
    forwarded = timeline.split('data-kind="forwarded"')[1].split("</li>")[0]
    assert "广东省通信管理局" in forwarded
    # a reason instead, on another report
    other = submitted(demo, now)
    action = reverse("review:action", args=[other.pk, "forward"])
    response = reviewer.post(
        action,
        {
            "version": Report.objects.get(pk=other.pk).version,
            "same_level_shown": "1",
            "same_level_reason": "同级部门已在现场",
        },
        **HTMX,
    )
    assert response.status_code == 200
    page = reviewer.get(f"/reports/{other.pk}/").content.decode()
    routing = page.split('id="same-level-departments"')[1].split("</dd>")[0]
    assert "同级部门已在现场" in routing
    assert Forwarding.objects.get(report=other).same_level_reason == "同级部门已在现场"


@pytest.mark.parametrize(("suspected_crime", "police_told"), [(False, False), (True, True)])
def test_the_summary_goes_through_the_operators_channel_not_to_a_same_level_notice(
    demo, now, suspected_crime, police_told
):
    """Art. 8 "原渠道": a department the CAC notified as same-level is not on the operator's
    channel; public security copied by the route (a suspected crime) still is."""
    from reports.services.followups import report_handling_ended, report_summary

    op = demo["operator-general"]
    report = submitted(demo, now, suspected_crime=suspected_crime)
    report_forward(user=demo["reviewer-gd"], pk=report.pk, now=now)
    assert report.copied_to.filter(code="ps-440000").exists()  # notified: a copy either way
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=now, now=now)
    summary = dict.fromkeys(SUMMARY_FIELDS, "已完成")
    report_summary(user=op, pk=report.pk, data=summary, now=now + timedelta(days=1))
    told_ = told(report, "summary_filed")
    assert {"national", "reviewer-gd"} <= told_
    assert ("police-liaison" in told_) is police_told
