"""The intake services, one by one: the row each writes, the timeline event it records, the
history entry it leaves, and the notifications and clocks it is responsible for. State is
driven through the services only; time is the `now` each one is given."""

import hashlib
import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.exceptions import InvalidTransition, StaleVersion
from escalation.models import Deadline
from notifications.models import Notification
from reports.models import Attachment, FollowUp, IdempotencyKey, Report, SummaryReport
from reports.services.clocks import report_mark_missed, sync_file_clock, sync_forward_clock
from reports.services.drafting import report_create, report_create_idempotent, report_update
from reports.services.evidence import attachment_add
from reports.services.followups import report_followup, report_handling_ended, report_summary
from reports.services.submission import report_submit
from review.services.forwarding import report_forward
from review.services.requests import report_request_info, report_require
from review.services.triage import report_claim, report_close


def _pdf_one_page() -> bytes:
    """A complete one-page PDF (catalogue, page tree, page, cross-reference table)."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


PDF = _pdf_one_page()


def _png_1x1() -> bytes:
    """A complete 1×1 transparent PNG (signature, IHDR, IDAT, IEND with their CRCs)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png_1x1()
SUMMARY = {
    "cause": "弱口令",
    "emergency_measures": "隔离主机",
    "harm": "服务中断两小时",
    "accountability": "已问责",
    "rectification": "启用双因素",
    "lessons": "加强口令管理",
}


def data(now, **changes) -> dict:
    """A complete report of an incident discovered 30 minutes before `now`."""
    return {
        "title": "官网遭受拒绝服务攻击",
        "affected_systems": "门户网站",
        "discovered_at": now - timedelta(minutes=30),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "无法访问",
        "measures_taken": "流量清洗",
        **changes,
    }


def draft(demo, now, username="operator-general", **changes) -> Report:
    return report_create(user=demo[username], data=data(now, **changes), now=now)


def submitted(demo, now, username="operator-general", **changes) -> Report:
    report = draft(demo, now, username, **changes)
    return report_submit(user=demo[username], pk=report.pk, now=now)


def records(obj) -> list:
    """The object's history, oldest first."""
    return list(obj.history.order_by("history_id"))


def last_change(obj):
    """The newest historical record and the fields it changed against the one before."""
    *_, before, after = records(obj)
    return after, set(after.diff_against(before).changed_fields)


def told(report, kind) -> set[str]:
    return set(
        Notification.objects.filter(report=report, kind=kind).values_list(
            "user__username", flat=True
        )
    )


def events(report) -> list[tuple]:
    return list(report.events.values_list("kind", "actor__username", "automatic"))


# --- report_create -------------------------------------------------------------------------


def test_create_writes_a_routed_draft_with_its_reference(demo, now):
    op = demo["operator-general"]
    report = draft(demo, now)
    report.refresh_from_db()
    assert report.status == "draft" and report.tier == "receiving" and report.version == 1
    assert report.reference == f"CSIR-2026-{report.pk:06d}"
    assert report.organization.name == "广州示例网络科技有限公司"
    assert report.created_by == op and report.submitted_at is None
    assert report.channel == "general"
    assert report.receiving_authority.code == "cac-440000"
    assert list(report.copied_to.all()) == []
    assert report.title == "官网遭受拒绝服务攻击" and report.severity == "major"


def test_create_records_the_created_event_by_the_reporter(demo, now):
    report = draft(demo, now)
    (event,) = report.events.all()
    assert (event.kind, event.actor, event.automatic, event.at) == (
        "created",
        demo["operator-general"],
        False,
        now,
    )


def test_create_leaves_one_creation_record_that_carries_the_reference(demo, now):
    report = draft(demo, now)
    (record,) = records(report)
    assert record.history_type == "+"
    assert record.reference == report.reference
    assert (record.status, record.title, record.version) == ("draft", report.title, 1)


def test_create_opens_the_filing_clock_from_discovery(demo, now):
    report = draft(demo, now)
    (clock,) = report.deadlines.all()
    discovered = now - timedelta(minutes=30)
    assert (clock.kind, clock.outcome) == ("file", "open")
    assert clock.opened_at == discovered
    assert clock.statutory_due_at == clock.due_at == discovered + timedelta(hours=4)
    assert clock.next_fire_at == discovered + timedelta(hours=2)  # the 50 % reminder
    assert clock.history.get().history_type == "+"
    report.refresh_from_db()
    assert report.next_due_at == clock.due_at


def test_create_without_discovery_opens_no_clock_and_tells_nobody(demo, now):
    report = report_create(user=demo["operator-general"], data={"title": "草稿"}, now=now)
    assert not report.deadlines.exists()
    assert not Notification.objects.filter(report=report).exists()


def test_a_retry_with_the_same_idempotency_key_returns_the_same_report(demo, now):
    op = demo["operator-general"]
    # given
    first, created = report_create_idempotent(
        user=op, data=data(now), idempotency_key="key-1", now=now
    )
    # when the client retries
    again = report_create(
        user=op, data=data(now), idempotency_key="key-1", now=now + timedelta(seconds=5)
    )
    # then
    assert created is True
    assert again.pk == first.pk
    assert Report.objects.filter(created_by=op).count() == 1
    assert first.events.filter(kind="created").count() == 1
    assert len(records(first)) == 1
    assert IdempotencyKey.objects.get(user=op, key="key-1").report_id == first.pk


def test_a_new_idempotency_key_creates_a_new_report(demo, now):
    op = demo["operator-general"]
    first = report_create(user=op, data=data(now), idempotency_key="key-1", now=now)
    second, created = report_create_idempotent(
        user=op, data=data(now), idempotency_key="key-2", now=now
    )
    assert created is True and second.pk != first.pk


def test_idempotency_keys_belong_to_one_user(demo, now):
    mine = report_create(
        user=demo["operator-general"], data=data(now), idempotency_key="k", now=now
    )
    theirs = report_create(user=demo["operator-cii"], data=data(now), idempotency_key="k", now=now)
    assert theirs.pk != mine.pk and theirs.organization_id != mine.organization_id


# --- report_update -------------------------------------------------------------------------


def test_update_changes_the_draft_and_its_version_and_history_shows_what_changed(demo, now):
    op = demo["operator-general"]
    report = draft(demo, now)
    # when
    updated = report_update(user=op, pk=report.pk, data={"title": "官网被篡改"}, version=1, now=now)
    # then
    updated.refresh_from_db()
    assert updated.title == "官网被篡改" and updated.version == 2 and updated.status == "draft"
    record, changed = last_change(updated)
    assert record.history_type == "~"
    assert changed == {"title", "version"}


def test_update_records_no_timeline_event(demo, now):
    report = draft(demo, now)
    report_update(
        user=demo["operator-general"], pk=report.pk, data={"cause": "x"}, version=1, now=now
    )
    assert events(report) == [("created", "operator-general", False)]


def test_update_of_discovery_moves_the_same_filing_clock(demo, now):
    report = draft(demo, now)
    clock = report.deadlines.get()
    earlier = now - timedelta(hours=1)
    report_update(
        user=demo["operator-general"],
        pk=report.pk,
        data={"discovered_at": earlier},
        version=1,
        now=now,
    )
    clock.refresh_from_db()
    assert report.deadlines.count() == 1
    assert clock.opened_at == earlier and clock.statutory_due_at == earlier + timedelta(hours=4)
    assert clock.outcome == "open"
    _record, changed = last_change(clock)
    assert {"opened_at", "statutory_due_at", "due_at", "next_fire_at"} <= changed


def test_declaring_general_cancels_the_filing_clock(demo, now):
    report = draft(demo, now, severity_declared="significant")
    later = now + timedelta(minutes=5)
    report_update(
        user=demo["operator-general"],
        pk=report.pk,
        data={"severity_declared": "general"},
        version=1,
        now=later,
    )
    clock = report.deadlines.get()
    assert clock.outcome == "not_required" and clock.acted_at == later
    assert clock.next_fire_at is None and clock.closed_reason
    report.refresh_from_db()
    assert report.next_due_at is None


def test_a_stale_update_is_refused_and_changes_nothing(demo, now):
    op = demo["operator-general"]
    report = draft(demo, now)
    report_update(user=op, pk=report.pk, data={"title": "一"}, version=1, now=now)
    with pytest.raises(StaleVersion):
        report_update(user=op, pk=report.pk, data={"title": "二"}, version=1, now=now)
    report.refresh_from_db()
    assert report.title == "一" and len(records(report)) == 2


def test_a_submitted_report_cannot_be_edited(demo, now):
    report = submitted(demo, now)
    with pytest.raises(InvalidTransition):
        report_update(
            user=demo["operator-general"], pk=report.pk, data={"title": "x"}, version=2, now=now
        )


# --- report_submit -------------------------------------------------------------------------


def test_submit_sets_status_time_and_submitter(demo, now):
    op = demo["operator-general"]
    report = submitted(demo, now)
    report.refresh_from_db()
    assert report.status == "submitted" and report.tier == "receiving"
    assert report.submitted_at == now and report.submitted_by == op
    assert report.version == 2


def test_submit_records_the_submitted_event_and_the_change_in_history(demo, now):
    report = submitted(demo, now)
    assert events(report) == [
        ("created", "operator-general", False),
        ("submitted", "operator-general", False),
    ]
    assert report.events.get(kind="submitted").at == now
    record, changed = last_change(report)
    assert record.history_type == "~"
    assert changed == {
        "status",
        "submitted_at",
        "submitted_by",
        "received_at",
        "version",
        "submitted_sha256",  # the receipt's hash of the content as submitted
    }


def test_submit_meets_the_filing_clock_and_opens_the_forward_clock(demo, now):
    report = submitted(demo, now)
    filing = report.deadlines.get(kind="file")
    assert filing.outcome == "met" and filing.met_at == now and filing.lateness is None
    assert filing.next_fire_at is None
    forward = report.deadlines.get(kind="forward")
    assert forward.outcome == "open" and forward.opened_at == now
    assert forward.statutory_due_at == now + timedelta(hours=1)
    assert forward.act_at == now + timedelta(minutes=55)
    report.refresh_from_db()
    assert report.next_due_at == forward.due_at


def test_submit_tells_the_receiving_reviewers(demo, now):
    report = submitted(demo, now)
    assert told(report, "report_received") == {"reviewer-gd"}
    assert Notification.objects.filter(report=report).count() == 1


def test_a_cii_submission_runs_a_30_minute_forward_clock_and_tells_the_copies(demo, now):
    report = submitted(demo, now, username="operator-cii")
    assert report.channel == "cii" and report.receiving_authority.code == "pd-energy"
    forward = report.deadlines.get(kind="forward")
    assert forward.statutory_due_at == now + timedelta(minutes=30)
    assert told(report, "report_received") == {"reviewer-energy", "police-liaison"}


def test_a_significant_submission_opens_no_forward_clock(demo, now):
    report = submitted(demo, now, severity_declared="significant")
    assert report.deadlines.get().kind == "file"
    assert not report.deadlines.filter(kind="forward").exists()


def test_a_general_submission_is_voluntary_and_opens_no_clock(demo, now):
    report = submitted(demo, now, severity_declared="general")
    assert report.status == "submitted"
    assert not report.deadlines.filter(outcome__in=["open", "met", "late"]).exists()


def test_submitting_again_is_harmless(demo, now):
    op = demo["operator-general"]
    report = submitted(demo, now)
    history_before = len(records(report))
    # when the client repeats the request
    again = report_submit(user=op, pk=report.pk, now=now + timedelta(minutes=1))
    # then
    assert again.submitted_at == now
    assert report.events.filter(kind="submitted").count() == 1
    assert len(records(report)) == history_before
    assert Notification.objects.filter(report=report).count() == 1
    assert report.deadlines.filter(kind="forward").count() == 1


def test_a_late_submission_needs_a_reason_and_its_filing_clock_is_late(demo, now):
    op = demo["operator-general"]
    report = draft(demo, now, discovered_at=now - timedelta(hours=5))
    with pytest.raises(ValidationError) as refused:
        report_submit(user=op, pk=report.pk, now=now)
    assert "late_reason" in refused.value.message_dict
    report_submit(user=op, pk=report.pk, data={"late_reason": "夜间无人值守"}, now=now)
    filing = report.deadlines.get(kind="file")
    assert filing.outcome == "late" and filing.lateness == timedelta(hours=1)
    report.refresh_from_db()
    assert report.late_reason == "夜间无人值守"


# --- report_followup -----------------------------------------------------------------------


def test_a_supplement_writes_the_followup_and_updates_the_report(demo, now):
    op = demo["operator-general"]
    report = submitted(demo, now, severity_declared="significant")
    later = now + timedelta(minutes=20)
    # when
    followup = report_followup(
        user=op,
        pk=report.pk,
        data={"kind": "supplement", "body": "补充原因分析", "cause": "未修补的漏洞"},
        now=later,
    )
    # then the row
    followup.refresh_from_db()
    assert (followup.kind, followup.body, followup.cause) == (
        "supplement",
        "补充原因分析",
        "未修补的漏洞",
    )
    assert followup.created_by == op and followup.created_at == later
    assert followup.answers is None
    assert followup.history.get().history_type == "+"
    # the report
    report.refresh_from_db()
    assert report.cause == "未修补的漏洞" and report.version == 3
    record, changed = last_change(report)
    assert record.history_type == "~" and changed == {"cause", "version"}


def test_a_followup_records_its_event_with_kind_and_body(demo, now):
    report = submitted(demo, now)
    report_followup(
        user=demo["operator-general"],
        pk=report.pk,
        data={"kind": "progress", "body": "已恢复访问"},
        now=now,
    )
    event = report.events.get(kind="followup")
    assert event.actor == demo["operator-general"] and not event.automatic
    assert event.note.endswith(": 已恢复访问")
    assert event.note.startswith(str(FollowUp.Kind.PROGRESS.label))


def test_a_followup_tells_the_assignee_or_else_the_receiving_reviewers(demo, now):
    op, gd = demo["operator-general"], demo["reviewer-gd"]
    unclaimed = submitted(demo, now)
    report_followup(user=op, pk=unclaimed.pk, data={"kind": "progress", "body": "a"}, now=now)
    # a 续报 is notified as a follow-up, not as "information supplied" (issue 13, point 8)
    assert told(unclaimed, "followup_filed") == {"reviewer-gd"}
    claimed = submitted(demo, now)
    report_claim(user=gd, pk=claimed.pk, now=now)
    report_followup(user=op, pk=claimed.pk, data={"kind": "progress", "body": "b"}, now=now)
    assert told(claimed, "followup_filed") == {"reviewer-gd"}


def test_a_followup_answers_the_open_request_and_meets_its_clock(demo, now):
    op, gd = demo["operator-general"], demo["reviewer-gd"]
    report = submitted(demo, now)
    report_claim(user=gd, pk=report.pk, now=now)
    request = report_request_info(
        user=gd, pk=report.pk, question="请提供日志", due_at=now + timedelta(hours=2), now=now
    )
    answered_at = now + timedelta(minutes=40)
    # when
    followup = report_followup(
        user=op, pk=report.pk, data={"kind": "supplement", "body": "日志见附件"}, now=answered_at
    )
    # then
    assert followup.answers == request
    request.refresh_from_db()
    assert request.answered_at == answered_at
    assert last_change(request)[1] == {"answered_at"}
    clock = report.deadlines.get(kind="info_request")
    assert clock.outcome == "met" and clock.met_at == answered_at
    report.refresh_from_db()
    assert report.status == "in_review"  # back to the reviewer who holds it
    assert "status" in last_change(report)[1]
    kinds = [kind for kind, *_ in events(report)]
    assert kinds[-2:] == ["followup", "info_supplied"]
    assert report.events.get(kind="info_supplied").actor == op


def test_a_followup_that_makes_the_report_serious_opens_the_forward_clock_then(demo, now):
    report = submitted(demo, now, severity_declared="significant")
    later = now + timedelta(minutes=30)
    report_followup(
        user=demo["operator-general"],
        pk=report.pk,
        data={"kind": "progress", "body": "影响扩大", "severity_declared": "major"},
        now=later,
    )
    report.refresh_from_db()
    assert report.severity == "major"
    forward = report.deadlines.get(kind="forward")
    assert forward.opened_at == later and forward.statutory_due_at == later + timedelta(hours=1)


# --- report_handling_ended -----------------------------------------------------------------


def test_handling_ended_records_the_moment_and_opens_the_30_day_summary_clock(demo, now):
    op = demo["operator-general"]
    report = submitted(demo, now)
    ended = now + timedelta(hours=3)
    later = now + timedelta(hours=4)
    # when
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=ended, now=later)
    # then
    report.refresh_from_db()
    assert report.handling_ended_at == ended and report.version == 3
    record, changed = last_change(report)
    assert record.history_type == "~" and changed == {"handling_ended_at", "version"}
    event = report.events.get(kind="handling_ended")
    assert (event.actor, event.at, event.automatic) == (op, later, False)
    clock = report.deadlines.get(kind="summary")
    assert clock.outcome == "open" and clock.opened_at == ended
    # 13:00 on 25 Nov in Beijing: due at 24:00 on 25 Dec, Beijing (issue 11, item 14)
    assert clock.statutory_due_at == datetime(2026, 12, 25, 16, 0, tzinfo=UTC)
    assert told(report, "summary_due") == {"operator-general"}


def test_handling_ends_once(demo, now):
    op = demo["operator-general"]
    report = submitted(demo, now)
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=now, now=now)
    with pytest.raises(InvalidTransition):
        report_handling_ended(user=op, pk=report.pk, handling_ended_at=now, now=now)
    assert report.deadlines.filter(kind="summary").count() == 1


def test_handling_cannot_end_in_the_future_or_before_discovery(demo, now):
    op = demo["operator-general"]
    report = submitted(demo, now)
    for when in (now + timedelta(minutes=1), now - timedelta(hours=1)):
        with pytest.raises(ValidationError):
            report_handling_ended(user=op, pk=report.pk, handling_ended_at=when, now=now)
    report.refresh_from_db()
    assert report.handling_ended_at is None and not report.deadlines.filter(kind="summary")


# --- report_summary ------------------------------------------------------------------------


def test_the_summary_report_is_written_and_meets_its_clock(demo, now):
    op = demo["operator-general"]
    report = submitted(demo, now)
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=now, now=now)
    filed_at = now + timedelta(days=10)
    # when
    summary = report_summary(user=op, pk=report.pk, data=SUMMARY, now=filed_at)
    # then
    summary = SummaryReport.objects.get(report=report)
    assert {name: getattr(summary, name) for name in SUMMARY} == SUMMARY
    assert summary.filed_by == op and summary.filed_at == filed_at
    assert summary.history.get().history_type == "+"
    clock = report.deadlines.get(kind="summary")
    assert clock.outcome == "met" and clock.met_at == filed_at and clock.lateness is None
    event = report.events.get(kind="summary_filed")
    assert (event.actor, event.at) == (op, filed_at)
    # notified as the summary report, not "information supplied" (issue 13, point 8)
    assert told(report, "summary_filed") == {"reviewer-gd"}


def test_the_summary_report_goes_to_the_national_tier_once_forwarded(demo, now):
    """…and through the original channel too (issue 11, item 19)."""
    op = demo["operator-general"]
    report = submitted(demo, now)
    report_forward(user=demo["reviewer-gd"], pk=report.pk, now=now)
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=now, now=now)
    report_summary(user=op, pk=report.pk, data=SUMMARY, now=now)
    assert told(report, "summary_filed") == {"national", "reviewer-gd"}


def test_a_summary_filed_after_30_days_is_late(demo, now):
    op = demo["operator-general"]
    report = submitted(demo, now)
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=now, now=now)
    report_summary(user=op, pk=report.pk, data=SUMMARY, now=now + timedelta(days=31))
    clock = report.deadlines.get(kind="summary")
    # due at 24:00 on 25 Dec, Beijing (16:00 UTC); filed at 02:00 UTC on 26 Dec
    assert clock.outcome == "late" and clock.lateness == timedelta(hours=10)


def test_the_summary_needs_the_end_of_handling_first_and_is_filed_once(demo, now):
    op = demo["operator-general"]
    report = submitted(demo, now)
    with pytest.raises(InvalidTransition):
        report_summary(user=op, pk=report.pk, data=SUMMARY, now=now)
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=now, now=now)
    report_summary(user=op, pk=report.pk, data=SUMMARY, now=now)
    with pytest.raises(InvalidTransition):
        report_summary(user=op, pk=report.pk, data=SUMMARY, now=now)
    assert report.events.filter(kind="summary_filed").count() == 1


# --- attachment_add ------------------------------------------------------------------------


@pytest.fixture
def evidence_root(tmp_path, settings):
    settings.EVIDENCE_ROOT = str(tmp_path / "evidence")
    return Path(settings.EVIDENCE_ROOT)


def test_an_attachment_is_stored_with_its_type_size_hash_and_uploader(demo, now, evidence_root):
    op = demo["operator-general"]
    report = submitted(demo, now)
    # when
    attachment = attachment_add(
        user=op, pk=report.pk, upload=SimpleUploadedFile("流量 日志.pdf", PDF), now=now
    )
    # then
    attachment = Attachment.objects.get(pk=attachment.pk)
    assert attachment.report == report and attachment.followup is None
    assert attachment.name == "流量_日志.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.uploaded_by == op and attachment.uploaded_at == now
    assert Path(attachment.file.path).read_bytes() == PDF
    assert evidence_root in Path(attachment.file.path).parents
    assert attachment.history.get().history_type == "+"


def test_an_attachment_records_its_name_size_and_hash_on_the_timeline(demo, now, evidence_root):
    op = demo["operator-general"]
    report = submitted(demo, now)
    attachment = attachment_add(
        user=op, pk=report.pk, upload=SimpleUploadedFile("shot.png", PNG), now=now
    )
    event = report.events.get(kind="attachment_added")
    assert (event.actor, event.at, event.automatic) == (op, now, False)
    # the type and size in words, not a MIME type and "75 B" (issue 13, point 5)
    assert event.note == f"shot.png (PNG 图片, {len(PNG)} 字节, SHA-256 {attachment.sha256[:16]}…)"
    assert attachment.content_type == "image/png"
    assert not Notification.objects.filter(report=report).exclude(kind="report_received")


def test_an_attachment_can_belong_to_a_followup(demo, now, evidence_root):
    op = demo["operator-general"]
    report = submitted(demo, now)
    followup = report_followup(
        user=op, pk=report.pk, data={"kind": "supplement", "body": "截图"}, now=now
    )
    attachment = attachment_add(
        user=op, pk=report.pk, upload=SimpleUploadedFile("a.png", PNG), followup=followup, now=now
    )
    assert list(followup.attachments.all()) == [attachment]


def test_a_draft_takes_evidence_but_a_closed_report_does_not(demo, now, evidence_root):
    op = demo["operator-general"]
    open_draft = draft(demo, now)
    attachment_add(user=op, pk=open_draft.pk, upload=SimpleUploadedFile("a.pdf", PDF), now=now)
    assert open_draft.attachments.count() == 1
    closed = submitted(demo, now, severity_declared="significant")
    report_close(user=demo["reviewer-gd"], pk=closed.pk, reason="已处置", now=now)
    with pytest.raises(InvalidTransition):
        attachment_add(user=op, pk=closed.pk, upload=SimpleUploadedFile("b.pdf", PDF), now=now)
    assert not closed.attachments.exists()
    assert not closed.events.filter(kind="attachment_added").exists()


# --- sync_file_clock / sync_forward_clock / report_mark_missed ----------------------------


def test_syncing_an_unchanged_draft_keeps_its_filing_clock(demo, now):
    report = draft(demo, now)
    clock = report.deadlines.get()
    sync_file_clock(Report.objects.get(pk=report.pk), now + timedelta(minutes=5))
    assert list(report.deadlines.all()) == [clock]
    assert len(records(clock)) == 1


def test_the_filing_clock_opens_once_discovery_is_known(demo, now):
    op = demo["operator-general"]
    report = report_create(user=op, data={"title": "草稿"}, now=now)
    assert not report.deadlines.exists()
    discovered = now - timedelta(minutes=10)
    report_update(user=op, pk=report.pk, data={"discovered_at": discovered}, version=1, now=now)
    clock = report.deadlines.get()
    assert (clock.kind, clock.opened_at, clock.outcome) == ("file", discovered, "open")


def test_the_filing_clock_of_a_required_report_runs_from_the_requirement(demo, now):
    op = demo["operator-general"]
    required = report_require(
        user=demo["reviewer-gd"],
        organization=op.memberships.get().organization,
        title="泄露",
        now=now,
    )
    # the operator then says it was discovered earlier: the clock runs from discovery
    discovered = now - timedelta(hours=1)
    report_update(user=op, pk=required.pk, data={"discovered_at": discovered}, version=1, now=now)
    assert required.deadlines.get(outcome="open").opened_at == discovered


def test_syncing_the_forward_clock_leaves_drafts_and_national_reports_alone(demo, now):
    report = draft(demo, now)
    sync_forward_clock(Report.objects.get(pk=report.pk), now, "—")
    assert not report.deadlines.filter(kind="forward").exists()
    forwarded = submitted(demo, now)
    report_forward(user=demo["reviewer-gd"], pk=forwarded.pk, now=now)
    sync_forward_clock(Report.objects.get(pk=forwarded.pk), now + timedelta(minutes=1), "—")
    assert list(forwarded.deadlines.filter(kind="forward").values_list("outcome", flat=True)) == [
        "met"
    ]


def test_syncing_the_forward_clock_of_a_serious_report_keeps_the_clock_it_has(demo, now):
    report = submitted(demo, now)
    sync_forward_clock(Report.objects.get(pk=report.pk), now + timedelta(minutes=10), "—")
    clock = report.deadlines.get(kind="forward")
    assert clock.opened_at == now and clock.outcome == "open"


def test_a_required_draft_whose_filing_clock_breached_is_a_missed_report(demo, now):
    required = report_require(
        user=demo["reviewer-gd"],
        organization=demo["operator-general"].memberships.get().organization,
        title="监测发现数据泄露",
        now=now,
    )
    at = now + timedelta(hours=5)
    # when
    report_mark_missed(report=Report.objects.get(pk=required.pk), now=at)
    # then
    required.refresh_from_db()
    assert required.missed_at == at and required.status == "draft"
    record, changed = last_change(required)
    assert record.history_type == "~" and changed == {"missed_at"}


def test_an_ordinary_draft_or_a_submitted_required_report_is_not_missed(demo, now):
    op = demo["operator-general"]
    ordinary = draft(demo, now)
    report_mark_missed(report=Report.objects.get(pk=ordinary.pk), now=now)
    required = report_require(
        user=demo["reviewer-gd"], organization=op.memberships.get().organization, title="x", now=now
    )
    report_submit(user=op, pk=required.pk, data=data(now), now=now)
    report_mark_missed(report=Report.objects.get(pk=required.pk), now=now + timedelta(hours=5))
    assert set(
        Report.objects.filter(pk__in=[ordinary.pk, required.pk]).values_list("missed_at", flat=True)
    ) == {None}
    assert Deadline.objects.filter(report=required, kind="file").get().outcome == "met"
