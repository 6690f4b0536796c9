"""The inbox (MEASURES.md §7: e-mail is ingested, not retyped): each message becomes an
item, or is added by itself to the report whose reference it quotes when it comes from a
user of that report's organisation; the intake officers triage the rest."""

import hashlib
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import Role
from accounts.models import Membership
from core.exceptions import InvalidTransition
from reports.constants import Status
from reports.models import Report
from reports.services.evidence import evidence_errors, sanitize_filename
from reports.services.receipt import report_message_add

from ..mail import parse_message
from ..models import InboxAttachment, InboxItem
from .recording import check_intake_officer, intake_report_record


def route_of(sender: str) -> str:
    """A message from the fax gateway is a fax; anything else is e-mail."""
    gateways = {s.lower() for s in settings.FAX_GATEWAY_SENDERS}
    return InboxItem.Route.FAX if sender.lower() in gateways else InboxItem.Route.EMAIL


def _store_attachments(item: InboxItem, attachments) -> list[dict]:
    refused = []
    for attachment in attachments:
        name = sanitize_filename(attachment.name)
        content = attachment.content
        content_type, reason = evidence_errors(name, len(content), content[:8192])
        if reason:
            refused.append({"name": name, "reason": str(reason)})
            continue
        stored = InboxAttachment(
            item=item,
            name=name,
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        stored.file.save(name, ContentFile(content), save=False)
        stored.save()
    return refused


def organization_user(*, address: str, organization_id: int):
    """The active reporter of the organisation whose account has this e-mail address."""
    if not address:
        return None
    return (
        get_user_model()
        .objects.filter(
            email__iexact=address,
            is_active=True,
            memberships__role=Role.REPORTER,
            memberships__organization_id=organization_id,
        )
        .first()
    )


def item_attachments(item: InboxItem) -> list[tuple[str, bytes, str]]:
    out = []
    for stored in item.files.all():
        with stored.file.open("rb") as fh:
            out.append((stored.name, fh.read(), stored.content_type))
    return out


def _message_onto_report(item: InboxItem, report: Report, *, actor, automatic, now, **extra):
    """The message, its text and its accepted attachments, on the report's timeline."""
    report_message_add(
        report_pk=report.pk,
        route=item.route,
        sender=item.sender,
        subject=item.subject,
        message_id=item.message_id,
        body=item.body,
        received_at=item.received_at,
        attachments=item_attachments(item),
        actor=actor,
        automatic=automatic,
        now=now,
        **extra,
    )


def add_to_report(item: InboxItem, report: Report, *, actor, automatic: bool, now) -> None:
    _message_onto_report(item, report, actor=actor, automatic=automatic, now=now)
    item.status = InboxItem.Status.ADDED
    item.report = report
    item.automatic = automatic
    item.handled_by = None if automatic else actor
    item.handled_at = now
    item.save()


def _route_by_reference(item: InboxItem, references: list[str], now: datetime) -> None:
    """A reference quoted from the address of a user of that report's organisation: the
    message joins that report's timeline by itself. Otherwise it stays in the inbox."""
    for reference in references:
        report = Report.objects.filter(reference=reference).first()
        if report is None:
            continue
        item.quoted_reference = reference
        item.save(update_fields=["quoted_reference"])
        user = organization_user(address=item.sender, organization_id=report.organization_id)
        if user is None or report.status in (Status.DRAFT, Status.CLOSED):
            return
        add_to_report(item, report, actor=user, automatic=True, now=now)
        return


def inbox_ingest(
    *, raw: bytes, received_at: datetime | None = None, now: datetime | None = None
) -> tuple[InboxItem, bool]:
    """One RFC 822 message → one inbox item (the same Message-ID twice is one item:
    returns (item, False)). A message over `INBOUND_EMAIL_MAX_BYTES` is refused (nothing
    stored); one that cannot be parsed is kept raw with the reason."""
    now = now or timezone.now()
    received_at = received_at or now
    if len(raw) > settings.INBOUND_EMAIL_MAX_BYTES:
        raise ValidationError(
            {
                "message": _(
                    "The message is larger than the limit of %(max)s bytes: it was not accepted."
                )
                % {"max": settings.INBOUND_EMAIL_MAX_BYTES}
            }
        )
    parsed = parse_message(raw)
    existing = InboxItem.objects.filter(key=parsed.key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            item = InboxItem.objects.create(
                key=parsed.key,
                message_id=parsed.message_id,
                route=route_of(parsed.sender),
                sender=parsed.sender,
                sender_name=parsed.sender_name,
                subject=parsed.subject,
                body=parsed.body,
                sent_at=parsed.sent_at,
                received_at=received_at,
                raw=raw,
                parse_error=parsed.error,
            )
            if not parsed.error:
                item.refused_attachments = _store_attachments(item, parsed.attachments)
                item.save(update_fields=["refused_attachments"])
                _route_by_reference(item, parsed.references, now)
    except IntegrityError:  # the same message, ingested concurrently
        return InboxItem.objects.get(key=parsed.key), False
    return item, True


# -- triage (intake officers) ---------------------------------------------------------------


def inbox_items(*, user):
    check_intake_officer(user)
    return InboxItem.objects.select_related("report", "handled_by")


def inbox_counts(*, user) -> dict:
    """How many items each status holds: one query, grouped by status."""
    rows = inbox_items(user=user).order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def inbox_item_get(*, user, pk, lock: bool = False) -> InboxItem:
    queryset = inbox_items(user=user)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (InboxItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _open_item(*, user, pk) -> InboxItem:
    item = inbox_item_get(user=user, pk=pk, lock=True)
    if item.status != InboxItem.Status.NEW:
        raise InvalidTransition(
            _("This message was already handled (%(status)s).")
            % {"status": item.get_status_display()}
        )
    return item


def report_for_reference(reference: str) -> Report:
    reference = (reference or "").strip().upper()
    report = Report.objects.filter(reference=reference).first()
    if report is None:
        raise ValidationError({"reference": _("No report has this reference.")})
    if report.status in (Status.DRAFT, Status.CLOSED):
        raise ValidationError(
            {"reference": _("Messages are added to submitted reports that are not closed.")}
        )
    return report


@transaction.atomic
def inbox_item_add(*, user, pk, reference: str, now: datetime | None = None) -> InboxItem:
    """Add the message (its text and accepted attachments) to an existing report's
    timeline; the reviewers holding it are told."""
    now = now or timezone.now()
    item = _open_item(user=user, pk=pk)
    report = report_for_reference(reference)
    add_to_report(item, report, actor=user, automatic=False, now=now)
    return item


@transaction.atomic
def inbox_item_dismiss(*, user, pk, reason: str, now: datetime | None = None) -> InboxItem:
    now = now or timezone.now()
    item = _open_item(user=user, pk=pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for dismissing the message.")})
    item.status = InboxItem.Status.DISMISSED
    item.dismissed_reason = reason
    item.handled_by = user
    item.handled_at = now
    item.save()
    return item


@transaction.atomic
def inbox_item_report(*, user, pk, now: datetime | None = None, **record) -> Report:
    """Turn the message into a report (`intake_report_record`): its route is the message's
    (`email` or `fax`), received when the message arrived unless said otherwise; the
    message and its attachments join the new report's timeline."""
    now = now or timezone.now()
    item = _open_item(user=user, pk=pk)
    defaults = {
        "via": item.route,
        "received_at": item.received_at,
        "caller_name": item.sender_name or item.sender,
        "caller_contact": item.sender,
    }
    for name, value in defaults.items():
        if not record.get(name):
            record[name] = value
    report = intake_report_record(user=user, now=now, **record)
    _message_onto_report(item, report, actor=user, automatic=False, now=now, notify=False)
    item.status = InboxItem.Status.REPORTED
    item.report = report
    item.handled_by = user
    item.handled_at = now
    item.save()
    return report


def prefill(item: InboxItem) -> dict:
    """The recording form's initial values from a message."""
    initial = {
        "received_via": item.route,  # received_at left empty: the message's arrival
        "caller_name": item.sender_name or item.sender,
        "caller_contact": item.sender,
        "title": item.subject[:200],
    }
    membership = (
        Membership.objects.filter(
            role=Role.REPORTER, user__email__iexact=item.sender, user__is_active=True
        )
        .select_related("organization")
        .first()
        if item.sender
        else None
    )
    if membership is not None:
        initial["organization_code"] = membership.organization.uscc
    return initial
