"""Passing a serious report to the national tier (by hand, or by the escalation engine
before the limit), and recording the departments notified (通报)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import InvalidTransition
from escalation.constants import Kind
from escalation.services.clocks import deadline_meet
from notifications.models import Notification
from notifications.services import notify_users
from reports.constants import Tier
from reports.events import report_event_create
from reports.models import Forwarding, Report, ReportEvent
from reports.routing import copies_national_police_at_forward, national_police
from reports.services.actions import begin, finish
from reports.services.recipients import (
    national_officials,
    national_public_security,
    receiving_reviewers,
    reporters,
)


@transaction.atomic
def report_forward(
    *,
    user,
    pk,
    automatic: bool = False,
    now: datetime | None = None,
    note: str = "",
    version: int | None = None,
) -> Report:
    """Pass a serious report to the national tier. One service for the manual action and the
    automatic escalation: the row lock, the workflow's rules (serious, not yet forwarded) and
    the one-to-one `Forwarding` make it happen once."""
    now = now or timezone.now()
    if automatic:
        user = None
    try:
        report, _role, to_status = begin(user, pk, "forward", version=version)
    except InvalidTransition:
        if automatic:
            return Report.objects.get(pk=pk)  # already forwarded or closed: nothing to do
        raise
    Forwarding.objects.create(
        report=report,
        at=now,
        actor=user,
        automatic=automatic,
        from_authority=report.receiving_authority,
    )
    report.tier = Tier.NATIONAL
    report.status = to_status
    report.assignee = None
    report.forwarded_at = now
    finish(report, ["tier", "status", "assignee", "forwarded_at"])
    mps = None
    if copies_national_police_at_forward(report.channel):
        mps = national_police()
        report.copied_to.add(mps)
    deadline_meet(report=report, kind=Kind.FORWARD, at=now)
    note = note or (_("Forwarded automatically before the limit.") if automatic else "")
    if mps is not None:
        note = " ".join(filter(None, [note, _("Copied to %(mps)s.") % {"mps": mps.name}]))
    report_event_create(
        report=report,
        kind=ReportEvent.Kind.FORWARDED,
        at=now,
        actor=user,
        automatic=automatic,
        note=note,
    )
    national = national_officials()
    if mps is not None:
        national += national_public_security()
    receiving = receiving_reviewers(report)
    message = (
        _("%(ref)s was forwarded automatically to the national tier.")
        if automatic
        else _("%(ref)s was forwarded to the national tier.")
    ) % {"ref": report.reference}
    notify_users(
        users=national + (receiving if automatic else []) + reporters(report),
        kind=Notification.Kind.FORWARDED,
        report=report,
        message=message,
        now=now,
    )
    return report


@transaction.atomic
def report_notify(
    *,
    user,
    pk,
    departments: list[str],
    version: int | None = None,
    now: datetime | None = None,
) -> Report:
    """Record that same-level departments, public security or (national tier) the relevant
    departments were notified (通报)."""
    now = now or timezone.now()
    names = [d.strip() for d in (departments or []) if d and d.strip()]
    if not names:
        raise ValidationError({"departments": _("Name at least one department.")})
    if any(len(n) > 200 for n in names) or len(names) > 50:
        raise ValidationError({"departments": _("At most 50 names of 200 characters.")})
    report, _role, _to = begin(user, pk, "notify", version=version)
    report_event_create(
        report=report, kind=ReportEvent.Kind.NOTIFIED, at=now, actor=user, note="、".join(names)
    )
    return report
