"""Taking a report in hand: claim, assign, acknowledge, grade, close."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import roles_of
from escalation.constants import Kind
from escalation.services.clocks import deadline_cancel
from notifications.models import Notification
from notifications.services import notify_users
from reports import workflow
from reports.constants import SERIOUS, Severity, Status, Tier
from reports.events import report_event_create
from reports.models import Report, ReportEvent
from reports.services.actions import begin, finish
from reports.services.clocks import (
    record_filing_if_owed,
    sync_forward_clock,
    sync_summary_clock,
)
from reports.services.drafting import apply_grading
from reports.services.recipients import national_officials, reporters

from ..selectors import colleague_memberships


@transaction.atomic
def report_claim(*, user, pk, version: int | None = None, now: datetime | None = None) -> Report:
    now = now or timezone.now()
    report, _role, to_status = begin(user, pk, "claim", version=version)
    report.assignee = user
    report.status = to_status
    finish(report, ["assignee", "status"])
    report_event_create(report=report, kind=ReportEvent.Kind.CLAIMED, at=now, actor=user)
    return report


@transaction.atomic
def report_assign(
    *, user, pk, assignee, version: int | None = None, now: datetime | None = None
) -> Report:
    now = now or timezone.now()
    report, _role, to_status = begin(user, pk, "assign", version=version)
    assignee_id = getattr(assignee, "pk", assignee)
    member = (
        colleague_memberships(report).filter(user_id=assignee_id).select_related("user").first()
    )
    if member is None:
        raise ValidationError({"user": _("Assign to a colleague at the authority holding it.")})
    report.assignee = member.user
    if report.status == Status.SUBMITTED:
        report.status = to_status
    finish(report, ["assignee", "status"])
    report_event_create(
        report=report,
        kind=ReportEvent.Kind.ASSIGNED,
        at=now,
        actor=user,
        note=member.user.get_username(),
    )
    return report


@transaction.atomic
def report_acknowledge(
    *, user, pk, version: int | None = None, now: datetime | None = None
) -> Report:
    """The national tier takes a forwarded report into review; a public-security liaison
    confirms that its authority received its copy (签收, once): a record on the timeline,
    not a review — the report, its status and its clocks stay as they are
    (docs/DECISIONS.md, "Review workflow")."""
    now = now or timezone.now()
    report, role, to_status = begin(user, pk, "acknowledge", version=version)
    note = ""
    if role == workflow.NATIONAL:
        report.status = to_status
        if not report.assignee_id:
            report.assignee = user
        finish(report, ["status", "assignee"])
    else:
        note = _("Copy received by %(authority)s (for information).") % {
            "authority": _copy_holder(user, report)
        }
    report_event_create(
        report=report, kind=ReportEvent.Kind.ACKNOWLEDGED, at=now, actor=user, note=note
    )
    return report


def _copy_holder(user, report) -> str:
    """The name of the liaison's authority that holds a copy of the report."""
    copies = getattr(report, "held_copies", None)
    if copies is None:
        copies = list(report.copied_to.values_list("pk", flat=True))
    for membership in roles_of(user).memberships:
        if membership.role == workflow.POLICE and membership.authority_id in copies:
            return membership.authority.name
    return "—"


@transaction.atomic
def report_grade(
    *, user, pk, severity: str, reason: str, version: int | None = None, now: datetime | None = None
) -> Report:
    now = now or timezone.now()
    errors = {}
    if severity not in Severity.values:
        errors["severity"] = _("Choose a valid level.")
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the level.")
    if errors:
        raise ValidationError(errors)
    report, _role, _to = begin(user, pk, "grade", version=version)
    before = report.severity
    report.severity_reviewed = severity
    report.grade_reason = reason.strip()
    apply_grading(report)
    finish(report, ["severity_reviewed", "grade_reason", "severity"])
    report_event_create(
        report=report,
        kind=ReportEvent.Kind.GRADED,
        at=now,
        actor=user,
        note=f"{Severity(before).label} → {Severity(severity).label}: {reason.strip()}",
    )
    record_filing_if_owed(report, now)
    sync_forward_clock(
        report,
        now,
        _("Graded below major by %(user)s: %(reason)s")
        % {"user": user.get_username(), "reason": reason.strip()},
    )
    sync_summary_clock(report, now)
    if (
        report.tier == Tier.RECEIVING
        and report.severity_suggested in SERIOUS
        and report.severity not in SERIOUS
        and before in SERIOUS
    ):
        # a second look: the guide rates it serious, the reviewer graded it below
        notify_users(
            users=national_officials(),
            kind=Notification.Kind.GRADE_CHANGED,
            report=report,
            message=_(
                "%(ref)s was downgraded to %(level)s by %(authority)s although the grading "
                "guide rates it %(suggested)s: %(reason)s"
            )
            % {
                "ref": report.reference,
                "level": report.get_severity_display(),
                "authority": report.receiving_authority.name,
                "suggested": report.get_severity_suggested_display(),
                "reason": reason.strip(),
            },
            now=now,
        )
    if before != report.severity:
        notify_users(
            users=reporters(report),
            kind=Notification.Kind.GRADE_CHANGED,
            report=report,
            message=_("The level of %(ref)s was changed to %(level)s.")
            % {"ref": report.reference, "level": report.get_severity_display()},
            now=now,
        )
    return report


@transaction.atomic
def report_close(
    *, user, pk, reason: str, version: int | None = None, now: datetime | None = None
) -> Report:
    """Close a report: a serious one only at the national tier, after it was forwarded."""
    now = now or timezone.now()
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for closing.")})
    report, _role, to_status = begin(user, pk, "close", version=version)
    report.status = to_status
    report.closed_reason = reason.strip()
    finish(report, ["status", "closed_reason"])
    deadline_cancel(report=report, kind=Kind.INFO_REQUEST, at=now, reason=_("Report closed."))
    report_event_create(
        report=report, kind=ReportEvent.Kind.CLOSED, at=now, actor=user, note=reason.strip()
    )
    return report
