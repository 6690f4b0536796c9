"""`manage.py ingest_email` reads one real RFC 822 message on stdin: the inbox, the timeline
of a report the message quotes, and the clocks."""

import io
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from intake.models import InboxItem
from notifications.models import Notification
from reports.models import Attachment, ReportEvent
from reports.services.drafting import report_create
from reports.services.evidence import evidence_errors
from reports.services.submission import report_submit
from tests.helpers import serious_report_data

from . import messages

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def ingest(raw: bytes) -> str:
    out = io.StringIO()
    call_command("ingest_email", stdin=io.BytesIO(raw), stdout=out)
    return out.getvalue()


def test_utf8_quoted_printable_with_an_accepted_and_a_refused_attachment(db):
    ingest(messages.utf8_qp_with_attachments())
    item = InboxItem.objects.get()
    assert item.status == "new" and item.route == "email" and not item.parse_error
    assert item.sender == "ops@example.cn" and item.sender_name == "Zhang San"
    assert item.subject == "网站遭受攻击的报告"
    assert "门户网站于今日上午遭受攻击" in item.body
    assert item.sent_at == datetime(2026, 11, 25, 1, 30, tzinfo=UTC)  # 09:30 in Beijing
    assert [(f.name, f.content_type) for f in item.files.all()] == [("log.pdf", "application/pdf")]
    with item.files.get().file.open("rb") as fh:
        assert fh.read() == messages.PDF
    assert [r["name"] for r in item.refused_attachments] == ["tool.exe"]
    refused = evidence_errors("tool.exe", len(messages.EXE), messages.EXE)[1]
    assert refused and item.refused_attachments[0]["reason"] == str(refused)
    assert bytes(item.raw) == messages.utf8_qp_with_attachments()


def test_gb2312_labelled_mail_with_gbk_characters_in_base64(db):
    ingest(messages.gb2312_base64())
    item = InboxItem.objects.get()
    assert item.body == messages.GB2312_TEXT
    assert item.subject == "挖矿程序" and item.sender_name == "李四"


def test_gbk_quoted_printable(db):
    ingest(messages.gbk_quoted_printable())
    item = InboxItem.objects.get()
    assert item.body.strip() == messages.GBK_TEXT
    assert item.subject == messages.GBK_TEXT[:5]


def test_gb18030_html_only(db):
    ingest(messages.gb18030_html())
    item = InboxItem.objects.get()
    assert item.body == messages.GB18030_TEXT  # the script is not text
    assert item.subject == "会员数据泄露"


def test_a_broken_message_is_kept_raw_with_the_reason(db):
    output = ingest(messages.BROKEN)
    item = InboxItem.objects.get()
    assert item.parse_error and "kept raw" in output
    assert bytes(item.raw) == messages.BROKEN
    assert item.status == "new" and item.body == "" and item.key.startswith("sha256:")
    ingest(messages.BROKEN)  # the same bytes again: the same item
    assert InboxItem.objects.count() == 1


def test_the_same_message_id_twice_is_one_item(db):
    ingest(messages.gb2312_base64())
    output = ingest(messages.gb2312_base64(extra="（重发）"))
    assert "already received" in output
    assert InboxItem.objects.count() == 1
    assert InboxItem.objects.get().body == messages.GB2312_TEXT


@override_settings(INBOUND_EMAIL_MAX_BYTES=1024)
def test_a_message_over_the_size_cap_is_refused_and_nothing_is_stored(db):
    with pytest.raises(CommandError) as exc:
        ingest(messages.utf8_qp_with_attachments())
    assert exc.value.returncode == 65 and "1024" in str(exc.value)  # names the limit
    assert not InboxItem.objects.exists()


@override_settings(FAX_GATEWAY_SENDERS=["fax-gateway@12387.example.cn"])
def test_a_fax_from_the_gateway_has_the_route_fax_and_its_tiff_is_kept(db):
    ingest(messages.fax_from_gateway())
    item = InboxItem.objects.get()
    assert item.route == "fax"
    assert [(f.name, f.content_type) for f in item.files.all()] == [("fax-0001.tif", "image/tiff")]
    assert item.refused_attachments == []


def test_a_fax_from_anyone_else_is_e_mail(db):
    ingest(messages.fax_from_gateway(sender="someone@example.cn"))
    assert InboxItem.objects.get().route == "email"


@pytest.fixture
def submitted(demo):
    user = demo["operator-general"]
    user.email = "Ops@Example.cn"
    user.save()
    report = report_create(user=user, data=serious_report_data())
    return report_submit(user=user, pk=report.pk)


def test_a_reference_quoted_by_a_user_of_the_organisation_joins_the_timeline(submitted):
    clocks_before = list(submitted.deadlines.values_list("kind", "outcome", "due_at"))
    output = ingest(
        messages.quoting(
            submitted.reference, sender="ops@example.cn", message_id="<re-1@example.cn>"
        )
    )
    assert submitted.reference in output
    item = InboxItem.objects.get()
    assert item.status == "added" and item.automatic and item.report_id == submitted.pk
    event = ReportEvent.objects.get(report=submitted, kind="message_added")
    assert event.automatic and event.actor.username == "operator-general"
    assert "<re-1@example.cn>" in event.note and "203.0.113.7" in event.note
    attachment = Attachment.objects.get(report=submitted)
    assert attachment.name == "more.pdf" and attachment.uploaded_by.username == "operator-general"
    assert ReportEvent.objects.filter(report=submitted, kind="attachment_added").count() == 1
    told = Notification.objects.filter(report=submitted, kind="inbox_message")
    assert {n.user.username for n in told} == {"reviewer-gd"}
    # a message is no filing: the clocks are as they were
    assert list(submitted.deadlines.values_list("kind", "outcome", "due_at")) == clocks_before


def test_a_reference_quoted_by_a_stranger_goes_to_the_inbox(submitted):
    ingest(
        messages.quoting(
            submitted.reference, sender="stranger@example.org", message_id="<re-2@example.org>"
        )
    )
    item = InboxItem.objects.get()
    assert item.status == "new" and item.report_id is None
    assert item.quoted_reference == submitted.reference
    assert not ReportEvent.objects.filter(report=submitted, kind="message_added").exists()
    assert not Attachment.objects.filter(report=submitted).exists()


def test_an_unknown_reference_goes_to_the_inbox(submitted):
    ingest(
        messages.quoting(
            "CSIR-2026-999999", sender="ops@example.cn", message_id="<re-3@example.cn>"
        )
    )
    item = InboxItem.objects.get()
    assert item.status == "new" and item.quoted_reference == ""


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_pipes_a_message_into_the_command(demo):
    """The real pipe: `manage.py ingest_email < message` in its own process."""
    settings_dict = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}"
        f"/{settings_dict['NAME']}"
    )
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "ingest_email"],
        input=messages.gb2312_base64(message_id="<pipe-1@example.cn>"),
        cwd=ROOT,
        env=env,
        capture_output=True,
    )
    assert result.returncode == 0, result.stderr.decode()
    item = InboxItem.objects.get(message_id="<pipe-1@example.cn>")
    assert item.body == messages.GB2312_TEXT
