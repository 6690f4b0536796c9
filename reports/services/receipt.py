"""A report received by telephone, e-mail, fax or WeChat (MEASURES.md §7): the 12387
service's intake officer records it for the operator. It is submitted on receipt, routes
like any report, and its filing clock is judged on the instant it was received
(`received_at`), not on the moment it was typed in."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import roles_of
from core.exceptions import ActionForbidden
from escalation.constants import Kind
from escalation.services.clocks import deadline_meet, deadline_open
from notifications.models import Notification
from notifications.services import notify_users

from ..constants import REPORTABLE, STAFF_ROUTES, ReceivedVia, Status
from ..digest import content_sha256
from ..events import report_event_create
from ..models import Report, ReportEvent
from .clocks import file_clock_start, sync_file_clock
from .drafting import apply_draft_data, derive, insert_with_reference, validate
from .evidence import attachment_store
from .recipients import copied_staff, holding_staff, reporters
from .submission import submit_errors

CALLER_MAX = 200


def receipt_errors(
    *, via: str, received_at: datetime, caller_name: str, caller_contact: str, now: datetime
) -> dict:
    errors = {}
    if via not in STAFF_ROUTES:
        errors["received_via"] = _("Choose how the report was received: %(routes)s.") % {
            "routes": ", ".join(sorted(STAFF_ROUTES))
        }
    if received_at > now:
        errors["received_at"] = _("Cannot be in the future.")
    for name, value in (("caller_name", caller_name), ("caller_contact", caller_contact)):
        if len(value) > CALLER_MAX:
            errors[name] = _("At most %(max)d characters.") % {"max": CALLER_MAX}
    if not caller_name.strip():
        errors["caller_name"] = _("Give the name of the caller or sender.")
    if not caller_contact.strip():
        errors["caller_contact"] = _("Give a telephone number or address to reach them.")
    return errors


@transaction.atomic
def report_record(
    *,
    user,
    organization,
    data: dict,
    via: str,
    caller_name: str,
    caller_contact: str,
    received_at: datetime | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Report:
    """Record, for `organization`, a report the 12387 service received by `via` at
    `received_at` (default: now; never in the future, never before discovery). It is
    submitted on receipt: `submitted_at` and `received_at` are the instant of receipt, it
    routes like any report, the filing clock is met at that instant (late if the limit had
    passed then), a serious report's forward clock opens now (when the receiving authority
    gets it), and the receiving staff and the organisation's reporters are told. Items
    3–8 may follow from the operator's reporters, as for any report."""
    now = now or timezone.now()
    membership = roles_of(user).intake_membership
    if membership is None:
        raise ActionForbidden(_("Only the 12387 service's intake officers record reports."))
    received_at = received_at or now
    caller_name, caller_contact = (caller_name or "").strip(), (caller_contact or "").strip()
    errors = receipt_errors(
        via=via,
        received_at=received_at,
        caller_name=caller_name,
        caller_contact=caller_contact,
        now=now,
    )
    report = Report(
        organization=organization,
        created_by=user,
        status=Status.DRAFT,
        involves_cii=organization.is_cii_operator,
        received_via=via,
        received_by_id=membership.authority_id,
        caller_name=caller_name[:CALLER_MAX],
        caller_contact=caller_contact[:CALLER_MAX],
    )
    derived = False
    try:
        apply_draft_data(report, data)
        derive(report)
        derived = True
        validate(report, now)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if "received_at" not in errors and report.discovered_at and received_at < report.discovered_at:
        errors["received_at"] = _("Cannot be before the incident was discovered.")
    checks = submit_errors(report, min(received_at, now)) if derived else {}
    for field, message in checks.items():
        if field == "discovered_at" and "received_at" in errors:
            continue  # the same fault, named once on the instant of receipt
        errors.setdefault(field, message)
    if errors:
        raise ValidationError(errors)

    report.status = Status.SUBMITTED
    report.submitted_at = received_at
    report.submitted_by = user
    report.received_at = received_at
    report.submitted_sha256 = content_sha256(report, organization_uscc=organization.uscc)
    insert_with_reference(report, now)
    route = ReceivedVia(via).label
    report_event_create(
        report=report,
        kind=ReportEvent.Kind.SUBMITTED,
        at=received_at,
        actor=user,
        note=(
            _("Received via %(route)s from %(caller)s (%(contact)s); recorded by %(service)s.")
            % {
                "route": route,
                "caller": caller_name,
                "contact": caller_contact,
                "service": membership.authority.name,
            }
            + (f"\n{note}" if note else "")
        ),
    )
    if report.severity in REPORTABLE:
        deadline_open(report=report, kind=Kind.FILE, opened_at=file_clock_start(report), now=now)
        deadline_meet(report=report, kind=Kind.FILE, at=received_at)
    else:
        sync_file_clock(report, now)
    if report.is_serious:
        deadline_open(report=report, kind=Kind.FORWARD, opened_at=now, now=now)
    facts = {
        "ref": report.reference,
        "org": report.organization.name,
        "level": report.get_severity_display(),
        "route": route,
    }
    notify_users(
        users=holding_staff(report) + copied_staff(report),
        kind=Notification.Kind.REPORT_RECEIVED,
        report=report,
        message=_("New report %(ref)s from %(org)s (%(level)s), received via %(route)s.") % facts,
        now=now,
    )
    notify_users(
        users=reporters(report),
        kind=Notification.Kind.REPORT_RECORDED,
        report=report,
        message=_(
            "The 12387 service recorded report %(ref)s for %(org)s, received via %(route)s. "
            "Check it and supplement it (补报) on the portal."
        )
        % facts,
        now=now,
    )
    return report


MESSAGE_NOTE_MAX = 4000


@transaction.atomic
def report_message_add(
    *,
    report_pk: int,
    route: str,
    sender: str,
    subject: str,
    message_id: str,
    body: str,
    received_at: datetime,
    attachments: list[tuple[str, bytes, str]],
    actor,
    automatic: bool,
    notify: bool = True,
    now: datetime | None = None,
) -> Report:
    """An e-mail or fax about a report, added to its timeline: an event that names the
    message (and carries its text), its checked attachments as evidence, and the reviewers
    of the authority that holds the report are told. `attachments` are (name, content,
    content type) that passed the evidence checks."""
    now = now or timezone.now()
    report = Report.objects.select_for_update().select_related("organization").get(pk=report_pk)
    if report.status in (Status.DRAFT, Status.CLOSED):
        raise ValidationError(
            {"report": _("Messages are added to submitted reports that are not closed.")}
        )
    route_label = ReceivedVia(route).label
    header = _("%(route)s from %(sender)s received %(at)s: “%(subject)s” (Message-ID %(id)s)") % {
        "route": route_label,
        "sender": sender,
        "at": timezone.localtime(received_at).strftime("%Y-%m-%d %H:%M"),
        "subject": subject,
        "id": message_id or "—",
    }
    text = body if len(body) <= MESSAGE_NOTE_MAX else body[:MESSAGE_NOTE_MAX] + "…"
    report_event_create(
        report=report,
        kind=ReportEvent.Kind.MESSAGE_ADDED,
        at=now,
        actor=actor,
        automatic=automatic,
        note=f"{header}\n\n{text}".strip(),
    )
    for name, content, content_type in attachments:
        attachment = attachment_store(
            report=report,
            name=name,
            content=content,
            content_type=content_type,
            user=actor,
            now=now,
        )
        report_event_create(
            report=report,
            kind=ReportEvent.Kind.ATTACHMENT_ADDED,
            at=now,
            actor=actor,
            automatic=automatic,
            note=f"{name} ({attachment.size} B, SHA-256 {attachment.sha256[:16]}…)",
        )
    if not notify:  # the report was just recorded from it: its recipients were told
        return report
    notify_users(
        users=holding_staff(report),
        kind=Notification.Kind.INBOX_MESSAGE,
        report=report,
        message=_("%(route)s about %(ref)s from %(sender)s: %(subject)s")
        % {"route": route_label, "ref": report.reference, "sender": sender, "subject": subject},
        now=now,
    )
    return report
