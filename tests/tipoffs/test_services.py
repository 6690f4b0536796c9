"""The tip-off services: the row `tipoff_submit` writes and who is told; what recording
(`tipoff_record`) and dismissing (`tipoff_dismiss`) leave on the tip-off, its history and,
for a recorded one, the required report. Time is `now`."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from core.exceptions import InvalidTransition
from notifications.models import Notification
from reports.models import Report
from tipoffs.models import TipOff
from tipoffs.services import tipoff_dismiss, tipoff_record, tipoff_submit

GOOD = {
    "title": "某网站首页被篡改",
    "description": "今天上午发现某公司官网首页出现违法信息，持续约两小时。",
    "organization_name": " 广州示例网络科技有限公司 ",
    "province": "440000",
    "contact": " 13800138000 ",
}


def submit(now, address="203.0.113.7", **changes):
    return tipoff_submit(
        data={**GOOD, **changes}, address=address, rendered_at=now.timestamp() - 30, now=now
    )


def records(obj) -> list:
    return list(obj.history.order_by("history_id"))


def last_change(obj):
    *_, before, after = records(obj)
    return after, set(after.diff_against(before).changed_fields)


def told_about_tipoffs(since) -> set[str]:
    return set(
        Notification.objects.filter(
            report=None, kind="tipoff_received", created_at=since
        ).values_list("user__username", flat=True)
    )


@pytest.fixture
def org(demo):
    return demo["operator-general"].memberships.get().organization


# --- tipoff_submit -------------------------------------------------------------------------


def test_submit_stores_the_tipoff_as_new_with_a_hashed_source(demo, now):
    # when
    tipoff = submit(now)
    # then
    tipoff = TipOff.objects.get(pk=tipoff.pk)
    assert (tipoff.title, tipoff.description) == (GOOD["title"], GOOD["description"])
    assert tipoff.organization_name == "广州示例网络科技有限公司"
    assert tipoff.contact == "13800138000"
    assert tipoff.province_id == "440000" and tipoff.submitted_at == now
    assert tipoff.status == "new" and tipoff.report is None
    assert (tipoff.handled_by, tipoff.handled_at, tipoff.handling_note) == (None, None, "")
    assert len(tipoff.source_hash) == 64 and "203.0.113.7" not in tipoff.source_hash
    (record,) = records(tipoff)
    assert record.history_type == "+" and record.status == "new"


def test_the_same_address_gives_the_same_source(demo, now):
    first = submit(now)
    second = submit(now + timedelta(minutes=1))
    other = submit(now, address="198.51.100.1")
    assert first.source_hash == second.source_hash != other.source_hash


def test_submit_tells_the_national_tier_and_the_provincial_cac_named(demo, now):
    submit(now)
    assert told_about_tipoffs(now) == {"national", "reviewer-gd"}


def test_a_tipoff_naming_no_province_goes_to_the_national_tier_only(demo, now):
    tipoff = submit(now, province="")
    assert tipoff.province is None
    assert told_about_tipoffs(now) == {"national"}


def test_a_robot_caught_by_the_honeypot_leaves_nothing(demo, now):
    assert submit(now, website="http://spam.example") is None
    assert not TipOff.objects.exists()
    assert told_about_tipoffs(now) == set()


# --- tipoff_record -------------------------------------------------------------------------


def test_recording_marks_the_tipoff_handled_and_links_the_required_report(demo, now, org):
    gd = demo["reviewer-gd"]
    tipoff = submit(now)
    later = now + timedelta(hours=1)
    # when
    tipoff_record(user=gd, pk=tipoff.pk, organization=org, now=later)
    # then
    tipoff = TipOff.objects.get(pk=tipoff.pk)
    assert tipoff.status == "recorded"
    assert (tipoff.handled_by, tipoff.handled_at) == (gd, later)
    record, changed = last_change(tipoff)
    assert record.history_type == "~"
    assert changed == {"status", "report", "handled_by", "handled_at"}
    assert told_about_tipoffs(later) == set()


def test_recording_requires_the_operator_to_report_it(demo, now, org):
    gd = demo["reviewer-gd"]
    tipoff = submit(now)
    later = now + timedelta(hours=1)
    # when
    report = tipoff_record(user=gd, pk=tipoff.pk, organization=org, now=later).report
    # then: a draft required by the authority, its title from the tip-off
    report = Report.objects.get(pk=report.pk)
    assert (report.status, report.organization, report.title) == ("draft", org, GOOD["title"])
    assert report.requested_by.code == "cac-440000" and report.requested_at == later
    assert GOOD["description"] in report.other
    (event,) = report.events.all()
    assert (event.kind, event.actor, event.at) == ("created", gd, later)
    clock = report.deadlines.get()
    assert (clock.kind, clock.opened_at, clock.outcome) == ("file", later, "open")
    assert set(
        Notification.objects.filter(report=report, kind="report_required").values_list(
            "user__username", flat=True
        )
    ) == {"operator-general"}


def test_recording_may_retitle_the_incident(demo, now, org):
    tipoff = submit(now)
    recorded = tipoff_record(
        user=demo["national"], pk=tipoff.pk, organization=org, title="官网被篡改", now=now
    )
    assert recorded.report.title == "官网被篡改"
    assert recorded.report.requested_by.code == "national-cac"


def test_a_refused_recording_leaves_the_tipoff_new(demo, now):
    tipoff = submit(now)
    cii_org = demo["operator-cii"].memberships.get().organization  # reports to pd-energy
    with pytest.raises(ValidationError):
        tipoff_record(user=demo["reviewer-gd"], pk=tipoff.pk, organization=cii_org, now=now)
    tipoff.refresh_from_db()
    assert tipoff.status == "new" and tipoff.report is None
    assert len(records(tipoff)) == 1


# --- tipoff_dismiss ------------------------------------------------------------------------


def test_dismissing_records_who_when_and_why(demo, now):
    nat = demo["national"]
    tipoff = submit(now)
    later = now + timedelta(minutes=30)
    # when
    tipoff_dismiss(user=nat, pk=tipoff.pk, reason=" 重复举报 ", now=later)
    # then
    tipoff = TipOff.objects.get(pk=tipoff.pk)
    assert (tipoff.status, tipoff.handling_note) == ("dismissed", "重复举报")
    assert (tipoff.handled_by, tipoff.handled_at, tipoff.report) == (nat, later, None)
    record, changed = last_change(tipoff)
    assert record.history_type == "~"
    assert changed == {"status", "handling_note", "handled_by", "handled_at"}


def test_a_handled_tipoff_is_not_handled_again(demo, now, org):
    dismissed = submit(now)
    tipoff_dismiss(user=demo["national"], pk=dismissed.pk, reason="重复", now=now)
    with pytest.raises(InvalidTransition):
        tipoff_record(user=demo["reviewer-gd"], pk=dismissed.pk, organization=org, now=now)
    with pytest.raises(InvalidTransition):
        tipoff_dismiss(user=demo["reviewer-gd"], pk=dismissed.pk, reason="x", now=now)
    dismissed.refresh_from_db()
    assert dismissed.handled_by == demo["national"] and dismissed.handling_note == "重复"
    assert not Report.objects.filter(organization=org).exists()
