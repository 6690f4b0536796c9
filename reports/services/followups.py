"""The operator's actions after submission: supplementary (补报) and progress (续报)
reports, the end of handling, and the summary report (总结报告, Art. 8)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from escalation.constants import Kind
from escalation.services.clocks import deadline_meet, deadline_open
from notifications.models import Notification
from notifications.services import notify_users

from ..constants import REPORTABLE, SEVERITY_RANK, Severity, Status, Tier
from ..contents import FOLLOWUP_ITEMS, SUMMARY_FIELDS
from ..events import report_event_create
from ..indicators import clean_indicators
from ..models import FollowUp, Report, ReportEvent, SummaryReport
from .actions import begin, finish
from .clocks import record_filing_if_owed, sync_forward_clock, sync_summary_clock
from .drafting import apply_grading, indicator_errors
from .recipients import holding_staff, reporters, summary_recipients


@transaction.atomic
def report_followup(
    *, user, pk, data: dict, version: int | None = None, now: datetime | None = None
) -> FollowUp:
    """补报 or 续报. New item 3–8 content and new grading information update the report; a
    follow-up answers every open request for information. It stays possible after the
    authority closed the report (Art. 7 ¶3): the authority is told; a closed report that the
    follow-up makes serious at the receiving tier returns to its queue to be forwarded."""
    now = now or timezone.now()
    report, _role, _to = begin(user, pk, "followup", version=version)
    allowed = {"kind", "body", "indicators", "severity_declared", "late_reason", *FOLLOWUP_ITEMS}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
    followup = FollowUp(
        report=report,
        created_by=user,
        created_at=now,
        kind=data.get("kind") or "",
        body=(data.get("body") or "").strip(),
        severity_declared=data.get("severity_declared") or "",
        **{name: (data.get(name) or "").strip() for name in FOLLOWUP_ITEMS},
    )
    if data.get("indicators") not in (None, {}):
        cleaned, errors = clean_indicators(data["indicators"])
        if errors:
            raise indicator_errors(errors)
        followup.indicators = cleaned
    open_requests = list(report.info_requests.filter(answered_at__isnull=True))
    if open_requests:
        followup.answers = open_requests[-1]
    followup.full_clean()
    followup.save()

    before = report.severity
    changed = []
    for name in FOLLOWUP_ITEMS:
        if getattr(followup, name):
            setattr(report, name, getattr(followup, name))
            changed.append(name)
    if followup.indicators is not None:
        report.indicators = followup.indicators
        changed.append("indicators")
    if followup.severity_declared:
        report.severity_declared = followup.severity_declared
        changed.append("severity_declared")
    late_reason = (data.get("late_reason") or "").strip()
    if late_reason:
        # the reason for a filing the portal branded late after the level rose
        report.late_reason = late_reason
        changed.append("late_reason")
    apply_grading(report)
    if SEVERITY_RANK[Severity(report.severity)] < SEVERITY_RANK[Severity(before)]:
        # the operator may lower what it declares, not the level the authority's clocks run
        # on: only the authority's grade (with its reason) lowers that
        report.severity = before
    changed += ["severity_suggested", "criteria_met", "severity"]
    was_awaiting = report.status == Status.AWAITING_OPERATOR
    was_closed = report.status == Status.CLOSED
    if was_awaiting:
        report.status = Status.IN_REVIEW if report.assignee_id else Status.SUBMITTED
        changed.append("status")
    reopened = was_closed and report.tier == Tier.RECEIVING and report.is_serious
    if reopened:
        report.status, report.assignee = Status.SUBMITTED, None
        changed += ["status", "assignee"]
    finish(report, changed)
    note = f"{followup.get_kind_display()}: {followup.body[:200]}"
    if was_closed:
        note = _("After closure — %(note)s") % {"note": note}
    if reopened:
        note += " " + _("(now major or above: back in the queue to be forwarded)")
    report_event_create(
        report=report, kind=ReportEvent.Kind.FOLLOWUP, at=now, actor=user, note=note
    )
    for request in open_requests:
        request.answered_at = now
        request.save(update_fields=["answered_at"])
    if open_requests:
        deadline_meet(report=report, kind=Kind.INFO_REQUEST, at=now)
        report_event_create(report=report, kind=ReportEvent.Kind.INFO_SUPPLIED, at=now, actor=user)
    if before != report.severity:
        sync_forward_clock(report, now, "", may_close=False)
        sync_summary_clock(report, now, may_close=False)
        record_filing_if_owed(report, now)
    if was_closed:
        recipients = holding_staff(report)
        message = _("%(org)s filed a %(kind)s on %(ref)s, which was closed.")
    else:
        recipients = [report.assignee] if report.assignee_id else holding_staff(report)
        # whoever asked is told of the answer, at whichever tier the report is now
        recipients += [r.requested_by for r in open_requests if r.requested_by_id]
        message = _("%(org)s filed a %(kind)s on %(ref)s.")
    notify_users(
        users=recipients,
        # "information supplied" only when it answers a request; otherwise what it is
        kind=Notification.Kind.INFO_SUPPLIED if open_requests else Notification.Kind.FOLLOWUP_FILED,
        report=report,
        message=message
        % {
            "org": report.organization.name,
            "kind": followup.get_kind_display(),
            "ref": report.reference,
        },
        now=now,
    )
    return followup


@transaction.atomic
def report_handling_ended(
    *,
    user,
    pk,
    handling_ended_at: datetime,
    version: int | None = None,
    now: datetime | None = None,
) -> Report:
    now = now or timezone.now()
    report, _role, _to = begin(user, pk, "handling_ended", version=version)
    if handling_ended_at is None:
        raise ValidationError({"handling_ended_at": _("This field is required.")})
    if handling_ended_at > now:
        raise ValidationError({"handling_ended_at": _("Cannot be in the future.")})
    if report.discovered_at and handling_ended_at < report.discovered_at:
        raise ValidationError(
            {"handling_ended_at": _("Handling cannot end before the incident was discovered.")}
        )
    report.handling_ended_at = handling_ended_at
    finish(report, ["handling_ended_at"])
    report_event_create(report=report, kind=ReportEvent.Kind.HANDLING_ENDED, at=now, actor=user)
    if report.severity not in REPORTABLE:
        return report  # a 一般 report carries no clocks: its summary is voluntary
    clock = deadline_open(report=report, kind=Kind.SUMMARY, opened_at=handling_ended_at, now=now)
    notify_users(
        users=reporters(report),
        kind=Notification.Kind.SUMMARY_DUE,
        report=report,
        message=_("The summary report on %(ref)s is due by %(due)s.")
        % {
            "ref": report.reference,
            "due": timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M"),
        },
        now=now,
    )
    return report


@transaction.atomic
def report_summary(
    *, user, pk, data: dict, version: int | None = None, now: datetime | None = None
) -> SummaryReport:
    now = now or timezone.now()
    unknown = set(data) - set(SUMMARY_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
    report, _role, _to = begin(user, pk, "summary", version=version)
    summary = SummaryReport(
        report=report,
        filed_by=user,
        filed_at=now,
        **{name: (data.get(name) or "").strip() for name in SUMMARY_FIELDS},
    )
    summary.full_clean()
    summary.save()
    deadline_meet(report=report, kind=Kind.SUMMARY, at=now)
    report_event_create(report=report, kind=ReportEvent.Kind.SUMMARY_FILED, at=now, actor=user)
    notify_users(
        users=summary_recipients(report),
        kind=Notification.Kind.SUMMARY_FILED,
        report=report,
        message=_("%(org)s filed the summary report on %(ref)s.")
        % {"org": report.organization.name, "ref": report.reference},
        now=now,
    )
    return summary
