"""Asking for what the operator owes: more information on a report, or a report of an
incident the authority learned of elsewhere."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Authority, Organization
from accounts.roles import roles_of
from core.exceptions import ActionForbidden
from core.fields import TEXT_MAX
from escalation.constants import Kind
from escalation.services.clocks import deadline_open
from notifications.models import Notification
from notifications.services import notify_users
from reports.constants import Status, Tier
from reports.events import report_event_create
from reports.models import InfoRequest, Report, ReportEvent
from reports.services.actions import begin, finish
from reports.services.drafting import derive, insert_with_reference, validate
from reports.services.recipients import reporters


@transaction.atomic
def report_request_info(
    *,
    user,
    pk,
    question: str,
    due_at: datetime | None = None,
    version: int | None = None,
    now: datetime | None = None,
) -> InfoRequest:
    now = now or timezone.now()
    errors = {}
    if not (question or "").strip():
        errors["question"] = _("Say what you need to know.")
    elif len(question) > TEXT_MAX:
        errors["question"] = _("At most %(max)s characters.") % {"max": TEXT_MAX}
    if due_at is not None and due_at <= now:
        errors["due_at"] = _("The due time must be in the future.")
    if errors:
        raise ValidationError(errors)
    report, _role, to_status = begin(user, pk, "request_info", version=version)
    authority = (
        report.receiving_authority
        if report.tier == Tier.RECEIVING
        else Authority.objects.get(kind=Authority.Kind.NATIONAL_CAC)
    )
    request = InfoRequest.objects.create(
        report=report,
        authority=authority,
        question=question.strip(),
        due_at=due_at,
        requested_by=user,
        requested_at=now,
    )
    report.status = to_status
    finish(report, ["status"])
    report_event_create(
        report=report, kind=ReportEvent.Kind.INFO_REQUESTED, at=now, actor=user, note=question
    )
    if due_at:
        deadline_open(report=report, kind=Kind.INFO_REQUEST, opened_at=now, now=now, due_at=due_at)
    notify_users(
        users=reporters(report),
        kind=Notification.Kind.INFO_REQUESTED,
        report=report,
        message=_("%(authority)s asks for more information on %(ref)s: %(question)s")
        % {"authority": authority.name, "ref": report.reference, "question": question.strip()},
        now=now,
    )
    return request


@transaction.atomic
def report_require(
    *, user, organization, title: str, note: str = "", now: datetime | None = None
) -> Report:
    """An authority records an incident it learned of elsewhere and requires the operator to
    report it: a draft for the organisation whose filing clock runs from now. If no report
    is submitted in time, the sweep records a missed report (漏报)."""
    now = now or timezone.now()
    staff = roles_of(user).staff_membership
    if staff is None:
        raise ActionForbidden(_("Only receiving reviewers and national officials can do this."))
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Describe the incident in a few words.")
    elif len(title) > 200:
        errors["title"] = _("At most %(max)s characters.") % {"max": 200}
    org = Organization.objects.filter(pk=getattr(organization, "pk", organization)).first()
    if org is None:
        errors["organization"] = _("Choose an existing organisation.")
    if errors:
        raise ValidationError(errors)
    report = Report(
        organization=org,
        status=Status.DRAFT,
        title=title.strip(),
        other=(note or "").strip(),
        involves_cii=org.is_cii_operator,
        requested_by=staff.authority,
        requested_at=now,
        created_by=user,
    )
    derive(report)
    if staff.role == staff.Role.REVIEWER and report.receiving_authority_id != staff.authority_id:
        raise ValidationError(
            {"organization": _("This organisation does not report to your authority.")}
        )
    validate(report, now)
    insert_with_reference(report, now)  # opens its filing clock too
    report_event_create(
        report=report,
        kind=ReportEvent.Kind.CREATED,
        at=now,
        actor=user,
        note=_("Required by %(authority)s: %(title)s")
        % {"authority": staff.authority.name, "title": report.title},
    )
    notify_users(
        users=reporters(report),
        kind=Notification.Kind.REPORT_REQUIRED,
        report=report,
        message=_("%(authority)s requires you to report an incident: %(title)s (%(ref)s).")
        % {"authority": staff.authority.name, "title": report.title, "ref": report.reference},
        now=now,
    )
    return report
