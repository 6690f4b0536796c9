"""Triage of the 12387 inbox (`/inbox/`, `/api/v1/inbox/`): turn a message into a report
(filled in from it, route `email`, received when it arrived), add it to an existing report,
or dismiss it with a reason."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.validators import make_uscc
from escalation.models import Deadline
from intake.models import InboxItem
from notifications.models import Notification
from reports.models import Attachment, Report, ReportEvent
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from tests.helpers import serious_report_data

from . import messages

pytestmark = pytest.mark.django_db


def ingest(raw: bytes) -> InboxItem:
    call_command("ingest_email", stdin=io.BytesIO(raw), stdout=io.StringIO())
    return InboxItem.objects.order_by("-pk").first()


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_the_inbox_lists_messages_to_intake_officers_only(web_for, api_for):
    item = ingest(messages.gb2312_base64())
    page = web_for("intake-12387").get("/inbox/")
    assert page.status_code == 200 and "挖矿程序" in page.content.decode()
    detail = web_for("intake-12387").get(f"/inbox/{item.pk}/")
    assert messages.GB2312_TEXT in detail.content.decode()
    body = api_for("intake-12387").get("/api/v1/inbox/").json()
    assert body["count"] == 1 and body["results"][0]["subject"] == "挖矿程序"
    assert body["results"][0]["status"] == "new" and body["results"][0]["route"] == "email"
    for username in ("operator-general", "reviewer-gd", "national"):
        assert api_for(username).get("/api/v1/inbox/").status_code == 403
        assert web_for(username).get("/inbox/").status_code == 403


def test_turning_a_message_into_a_report_keeps_the_instant_it_arrived(demo, web_for):
    user = demo["operator-general"]
    user.email = "ops@example.cn"
    user.save()
    arrival = timezone.now().replace(microsecond=0) - timedelta(hours=5)
    with time_machine.travel(arrival, tick=False):
        item = ingest(messages.utf8_qp_with_attachments())
    assert item.received_at == arrival
    client = web_for("intake-12387")
    form = client.get(f"/inbox/{item.pk}/report/").context["form"]
    assert form.initial["received_via"] == "email"
    assert form.initial["title"] == "网站遭受攻击的报告"
    assert form.initial["caller_contact"] == "ops@example.cn"
    assert form.initial["organization_code"] == make_uscc("440100", 1)  # the sender's
    # discovered 3 h 50 min before the message arrived; typed in 5 hours after it arrived
    response = client.post(
        f"/inbox/{item.pk}/report/",
        {
            "received_via": "email",
            "received_at": "",
            "caller_name": "Zhang San",
            "caller_contact": "ops@example.cn",
            "organization_code": make_uscc("440100", 1),
            "title": "网站遭受攻击",
            "affected_systems": "门户网站",
            "discovered_at": local(arrival - timedelta(hours=3, minutes=50)),
            "location": "广州",
            "category": "0208",
            "severity_declared": "significant",
            "impact_description": "无法访问",
            "measures_taken": "流量清洗",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    report = Report.objects.get()
    assert report.received_via == "email" and report.received_at == arrival
    filing = Deadline.objects.get(report=report, kind="file")
    assert filing.met_at == arrival and filing.outcome == "met"
    item.refresh_from_db()
    assert item.status == "reported" and item.report == report
    assert item.handled_by.username == "intake-12387"
    event = ReportEvent.objects.get(report=report, kind="message_added")
    assert item.message_id in event.note
    assert list(Attachment.objects.filter(report=report).values_list("name", flat=True)) == [
        "log.pdf"
    ]
    # handled: a second attempt is refused and changes nothing
    again = client.post(f"/inbox/{item.pk}/dismiss/", {"reason": "重复"})
    assert again.status_code == 422
    item.refresh_from_db()
    assert item.status == "reported"


@pytest.fixture
def submitted(demo):
    user = demo["operator-general"]
    report = report_create(user=user, data=serious_report_data())
    return report_submit(user=user, pk=report.pk)


def test_adding_a_message_to_an_existing_report(submitted, web_for):
    item = ingest(
        messages.quoting(
            submitted.reference, sender="stranger@example.org", message_id="<s-1@example.org>"
        )
    )
    assert item.status == "new"
    client = web_for("intake-12387")
    page = client.get(f"/inbox/{item.pk}/")
    assert page.context["add_form"].initial["reference"] == submitted.reference
    wrong = client.post(f"/inbox/{item.pk}/add/", {"reference": "CSIR-2026-999999"})
    assert wrong.status_code == 422 and "reference" in wrong.context["add_form"].errors
    done = client.post(f"/inbox/{item.pk}/add/", {"reference": submitted.reference})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == "added" and item.report_id == submitted.pk and not item.automatic
    event = ReportEvent.objects.get(report=submitted, kind="message_added")
    assert event.actor.username == "intake-12387" and not event.automatic
    assert Attachment.objects.filter(report=submitted, name="more.pdf").exists()
    assert Notification.objects.filter(
        report=submitted, kind="inbox_message", user__username="reviewer-gd"
    ).exists()


def test_dismissing_needs_a_reason(api_for):
    item = ingest(messages.gbk_quoted_printable())
    client = api_for("intake-12387")
    url = f"/api/v1/inbox/{item.pk}/dismiss/"
    refused = client.post(url, {"reason": ""}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    item.refresh_from_db()
    assert item.status == "new"
    done = client.post(url, {"reason": "广告邮件"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "dismissed" and done.json()["dismissed_reason"] == "广告邮件"
    assert client.post(url, {"reason": "again"}, format="json").status_code == 409


def test_the_api_turns_a_fax_into_a_report(api_for, settings):
    settings.FAX_GATEWAY_SENDERS = ["fax-gateway@12387.example.cn"]
    item = ingest(messages.fax_from_gateway())
    now = timezone.now()
    response = api_for("intake-12387").post(
        f"/api/v1/inbox/{item.pk}/report/",
        {
            "organization_code": make_uscc("440100", 1),
            "title": "传真报告：网站被篡改",
            "affected_systems": "门户网站",
            "discovered_at": (now - timedelta(minutes=30)).isoformat(),
            "location": "广州",
            "category": "0208",
            "severity_declared": "significant",
            "impact_description": "首页被篡改",
            "measures_taken": "恢复页面",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["received_via"] == "fax"
    report = Report.objects.get(pk=body["id"])
    assert report.received_at == item.received_at
    assert report.caller_contact == "fax-gateway@12387.example.cn"
    assert Attachment.objects.get(report=report).content_type == "image/tiff"
    item.refresh_from_db()
    assert item.status == "reported"
