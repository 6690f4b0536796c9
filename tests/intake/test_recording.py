"""A report received by telephone, e-mail, fax or WeChat, recorded by the 12387 service's
intake officer: submitted on receipt, routed like any report, its filing clock judged on
the instant of receipt; the organisation's reporters are told and can supplement it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Organization
from accounts.validators import make_uscc
from core.exceptions import ActionForbidden
from escalation.models import Deadline
from intake.services.recording import intake_report_record
from notifications.models import Notification
from reports.models import Report
from reports.services.followups import report_followup

pytestmark = pytest.mark.django_db

GENERAL_ORG = make_uscc("440100", 1)  # operator-general's code (demo world)


def items(now, **changes) -> dict:
    return {
        "title": "官网被篡改",
        "affected_systems": "门户网站",
        "discovered_at": now - timedelta(minutes=40),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "首页被篡改",
        "measures_taken": "下线页面",
        **changes,
    }


def record(demo, now, *, code=GENERAL_ORG, data=None, **kwargs):
    kwargs.setdefault("via", "hotline")
    kwargs.setdefault("caller_name", "张三")
    kwargs.setdefault("caller_contact", "13800000000")
    return intake_report_record(
        user=demo["intake-12387"],
        organization_code=code,
        data=data if data is not None else items(now),
        now=now,
        **kwargs,
    )


def clock(report, kind) -> Deadline:
    return Deadline.objects.get(report=report, kind=kind)


def told(report, kind) -> set[str]:
    return set(
        Notification.objects.filter(report=report, kind=kind).values_list(
            "user__username", flat=True
        )
    )


def test_a_hotline_report_is_submitted_on_receipt_and_routed_like_any_report(demo, now):
    received = now - timedelta(minutes=15)
    report = record(demo, now, received_at=received)
    assert report.status == "submitted" and report.reference.startswith("CSIR-")
    assert report.received_via == "hotline"
    assert report.received_at == received and report.submitted_at == received
    assert report.organization.name == "广州示例网络科技有限公司"
    assert report.receiving_authority.code == "cac-440000" and report.channel == "general"
    assert report.caller_name == "张三" and report.caller_contact == "13800000000"
    assert report.received_by.code == "svc-12387"
    filing = clock(report, "file")
    assert filing.met_at == received and filing.outcome == "met" and filing.lateness is None
    forward = clock(report, "forward")  # serious: the receiving authority has it from now
    assert forward.opened_at == now and forward.outcome == "open"
    assert told(report, "report_received") == {"reviewer-gd"}
    assert told(report, "report_recorded") == {"operator-general"}
    submitted = report.events.get(kind="submitted")
    assert submitted.at == received and "张三" in submitted.note


def test_the_organisation_sees_it_and_supplements_it(demo, now):
    report = record(demo, now)
    operator = demo["operator-general"]
    assert Report.objects.visible_to(operator).filter(pk=report.pk).exists()
    assert Report.objects.visible_to(demo["intake-12387"]).filter(pk=report.pk).exists()
    assert not Report.objects.visible_to(demo["operator-cii"]).filter(pk=report.pk).exists()
    report_followup(
        user=operator,
        pk=report.pk,
        data={"kind": "supplement", "body": "补充原因", "cause": "弱口令"},
        now=now + timedelta(minutes=5),
    )
    report.refresh_from_db()
    assert report.cause == "弱口令"


def test_the_filing_clock_is_judged_on_the_instant_of_receipt_not_of_recording(demo, now):
    # general channel: 4 hours. Telephoned 3 h 50 min after discovery, typed in at 4 h 30.
    discovered = now - timedelta(hours=4, minutes=30)
    report = record(
        demo,
        now,
        data=items(now, discovered_at=discovered),
        received_at=discovered + timedelta(hours=3, minutes=50),
    )
    filing = clock(report, "file")
    assert filing.outcome == "met" and filing.lateness is None


def test_a_report_received_after_the_limit_is_late_and_needs_the_reason(demo, now):
    discovered = now - timedelta(hours=5)
    received = discovered + timedelta(hours=4, minutes=30)
    with pytest.raises(ValidationError) as exc:
        record(demo, now, data=items(now, discovered_at=discovered), received_at=received)
    assert "late_reason" in exc.value.message_dict
    assert not Report.objects.exists()
    report = record(
        demo,
        now,
        data=items(now, discovered_at=discovered, late_reason="值班电话占线"),
        received_at=received,
    )
    filing = clock(report, "file")
    assert filing.outcome == "late" and filing.lateness == timedelta(minutes=30)


def test_received_at_defaults_to_now(demo, now):
    report = record(demo, now, via="fax")
    assert report.received_at == now and report.received_via == "fax"


@pytest.mark.parametrize(
    "received, field",
    [
        (timedelta(minutes=1), "received_at"),  # in the future
        (timedelta(minutes=-50), "received_at"),  # before discovery (40 minutes ago)
    ],
)
def test_an_impossible_instant_of_receipt_is_refused(demo, now, received, field):
    with pytest.raises(ValidationError) as exc:
        record(demo, now, received_at=now + received)
    assert field in exc.value.message_dict
    assert not Report.objects.exists()


def test_only_the_staff_routes_may_be_recorded(demo, now):
    with pytest.raises(ValidationError) as exc:
        record(demo, now, via="web")
    assert "received_via" in exc.value.message_dict


def test_missing_items_and_caller_are_field_errors(demo, now):
    with pytest.raises(ValidationError) as exc:
        record(demo, now, data=items(now, title="", category=None), caller_name=" ")
    assert {"title", "category", "caller_name"} <= set(exc.value.message_dict)
    assert not Report.objects.exists()


def test_an_unknown_code_creates_the_organisation(demo, now):
    code = make_uscc("310100", 77)
    report = record(
        demo,
        now,
        code=code,
        organization_name="上海示例数据有限公司",
        organization_province="310000",
        organization_sector="energy",
    )
    org = Organization.objects.get(uscc=code)
    assert report.organization == org
    assert (org.name, org.province_id, org.sector_id) == (
        "上海示例数据有限公司",
        "310000",
        "energy",
    )
    assert report.receiving_authority.code == "cac-310000"
    assert told(report, "report_recorded") == set()  # nobody reports for it yet


def test_a_broken_or_incomplete_code_stores_nothing(demo, now):
    before = Organization.objects.count()
    broken = make_uscc("310100", 78)[:-1] + ("0" if make_uscc("310100", 78)[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        record(demo, now, code=broken, organization_name="x", organization_province="310000")
    assert set(exc.value.message_dict) == {"organization_code"}
    with pytest.raises(ValidationError) as exc:
        record(demo, now, code=make_uscc("310100", 79))
    assert {"organization_name", "organization_province"} <= set(exc.value.message_dict)
    # a valid new organisation, but the report is refused: the organisation is not kept
    with pytest.raises(ValidationError):
        record(
            demo,
            now,
            code=make_uscc("310100", 80),
            organization_name="上海某公司",
            organization_province="310000",
            received_at=now + timedelta(hours=1),
        )
    assert Organization.objects.count() == before
    assert not Report.objects.exists()


@pytest.mark.parametrize("username", ["operator-general", "reviewer-gd", "national"])
def test_only_intake_officers_record(demo, now, username):
    with pytest.raises(ActionForbidden):
        intake_report_record(
            user=demo[username],
            organization_code=GENERAL_ORG,
            data=items(now),
            via="hotline",
            caller_name="张三",
            caller_contact="138",
            now=now,
        )
