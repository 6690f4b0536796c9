"""Art. 10 findings: a receiving reviewer or a national official records that the operator
reported late (迟报), missed a report (漏报), reported falsely (谎报) or concealed (瞒报)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Authority
from core.fields import TEXT_MAX
from notifications.models import Notification
from notifications.services import notify_users
from reports import workflow
from reports.events import report_event_create
from reports.models import Finding, ReportEvent
from reports.services.actions import begin, finish
from reports.services.recipients import reporters


@transaction.atomic
def report_record_finding(
    *, user, pk, kind: str, reason: str, version: int | None = None, now: datetime | None = None
) -> Finding:
    """Record a finding with its reason: on the report, in its history and timeline, in
    the compliance figures; the operator's reporters are told."""
    now = now or timezone.now()
    errors = {}
    if kind not in Finding.Kind.values:
        errors["kind"] = _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(Finding.Kind.values)}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the reason for the finding.")
    elif len(reason) > TEXT_MAX:
        errors["reason"] = _("At most %(max)s characters.") % {"max": TEXT_MAX}
    if errors:
        raise ValidationError(errors)
    report, role, _to = begin(user, pk, "finding", version=version)
    authority = (
        report.receiving_authority
        if role == workflow.REVIEWER
        else Authority.objects.get(kind=Authority.Kind.NATIONAL_CAC)
    )
    label = Finding.Kind(kind).label
    event = report_event_create(
        report=report,
        kind=ReportEvent.Kind.FINDING_RECORDED,
        at=now,
        actor=user,
        note=f"{label}: {reason}",
    )
    finding = Finding.objects.create(
        report=report,
        kind=kind,
        reason=reason,
        authority=authority,
        recorded_by=user,
        recorded_at=now,
        event=event,
    )
    finish(report, [])
    notify_users(
        users=reporters(report),
        kind=Notification.Kind.FINDING_RECORDED,
        report=report,
        message=_("%(authority)s recorded a finding on %(ref)s: %(finding)s — %(reason)s")
        % {
            "authority": authority.name,
            "ref": report.reference,
            "finding": label,
            "reason": reason,
        },
        now=now,
    )
    return finding
