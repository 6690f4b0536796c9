"""Submitting a draft: what Art. 7 requires first, the filing limit, routing, the clocks,
and who is told. And the live grading preview of the form."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.roles import roles_of
from core.exceptions import ActionForbidden, StaleVersion
from core.prefetch import note_written
from escalation.constants import Kind, Outcome
from escalation.rules import deadline_times, statutory_policy
from escalation.services.clocks import clocks_for_update, deadlines_apply
from notifications.models import Notification
from notifications.services import notify_members

from ..constants import RANSOMWARE_CATEGORY, Severity, Status, max_severity
from ..contents import RANSOM, REQUIRED_TO_SUBMIT
from ..digest import content_sha256
from ..events import report_event_create
from ..grading import suggest
from ..indicators import clean_indicators
from ..models import Report, ReportEvent
from ..selectors import grading_criteria, report_get
from .clocks import (
    file_clock_changes,
    file_clock_start,
    must_file,
    record_discovery_change,
)
from .drafting import apply_draft_data, derive, refuse_state_secrets, save_routed, validate
from .recipients import holding_and_copied_q


def submit_errors(report: Report, now: datetime, clocks: list | None = None) -> dict:
    """What stops the submission, by field. `clocks`: the report's clocks when the caller
    has read them (otherwise they are read here)."""
    errors = {}
    for name in REQUIRED_TO_SUBMIT:
        value = getattr(report, f"{name}_id" if name == "category" else name)
        if value in (None, ""):
            errors[name] = _("Required before you submit (Art. 7, items 1–2).")
    if report.category_id == RANSOMWARE_CATEGORY:
        for name in RANSOM:
            if getattr(report, name) in (None, ""):
                errors[name] = _("Required for a ransomware incident.")
    if (
        report.organization.is_cii_operator
        and not report.involves_cii
        and not report.cii_untick_reason.strip()
    ):
        errors["cii_untick_reason"] = _(
            "You operate critical information infrastructure: explain why this incident does "
            "not involve it."
        )
    if report.discovered_at and report.discovered_at > now:
        errors["discovered_at"] = _("Discovery cannot be after submission.")
    if (report.discovered_at or report.requested_at) and must_file(report):
        times = deadline_times(
            Kind.FILE, file_clock_start(report), statutory_policy(report.channel)
        )
        limit = times.statutory_due_at
        if clocks is None:  # a report recorded on receipt (reports.services.receipt) is new
            clocks = list(report.deadlines.filter(kind=Kind.FILE)) if report.pk else []
        running = next(
            (d for d in clocks if d.kind == Kind.FILE and d.outcome == Outcome.OPEN), None
        )
        if running is not None and now > running.statutory_due_at:
            # a breach stands whatever `discovered_at` says now (backdating leaves a trace)
            limit = min(limit, running.statutory_due_at)
        if now > limit and not report.late_reason.strip():
            errors["late_reason"] = _(
                "The filing limit passed at %(due)s: give the reason for the delay."
            ) % {"due": timezone.localtime(limit).strftime("%Y-%m-%d %H:%M")}
    return errors


def submission_clock_changes(report: Report, now: datetime) -> dict:
    """At submission the filing clock is met (opened first if it was not running), or
    follows the level like a draft's; a serious report opens its forward clock."""
    if must_file(report):
        changes = {"open": ((Kind.FILE, file_clock_start(report)),), "meet": (Kind.FILE,)}
    else:
        changes = file_clock_changes(report, now)
    if report.is_serious:
        changes["open"] = (*changes.get("open", ()), (Kind.FORWARD, now))
    return changes


@transaction.atomic
def report_submit(
    *,
    user,
    pk,
    data: dict | None = None,
    version: int | None = None,
    via: str | None = None,
    now: datetime | None = None,
    involves_state_secrets: bool | None = None,
) -> Report:
    """Submit a draft: the server sets `submitted_at` (and `received_at`, the instant of
    receipt; `via`, when given, is the route it was submitted by), routes, meets the filing
    clock and opens the forward clock for a serious report. Submitting again is harmless."""
    now = now or timezone.now()
    refuse_state_secrets(involves_state_secrets)
    report = report_get(user=user, pk=pk, lock=True)
    if not roles_of(user).reports_for(report.organization_id):
        raise ActionForbidden(_("Only the operator's own reporters submit; a provider drafts."))
    if report.status != Status.DRAFT:
        return report  # double click or retried request: one submission
    if version is not None and version != report.version:
        raise StaleVersion()
    clocks = clocks_for_update(report)  # one read of the clocks for the whole submission
    discovered_before = report.discovered_at
    had_clock = any(d.kind == Kind.FILE for d in clocks)
    if data:
        apply_draft_data(report, data)
    derive(report)
    validate(report, now)
    errors = submit_errors(report, now, clocks)
    if errors:
        raise ValidationError(errors)
    report.status = Status.SUBMITTED
    report.submitted_at = now
    report.submitted_by = user
    report.received_at = now
    if via:
        report.received_via = via
    report.submitted_sha256 = content_sha256(report)
    report.version += 1
    clocks = deadlines_apply(
        report=report, now=now, clocks=clocks, **submission_clock_changes(report, now)
    )
    save_routed(report)  # with the next_due_at of its clocks
    report_event_create(report=report, kind=ReportEvent.Kind.SUBMITTED, at=now, actor=user)
    record_discovery_change(report, discovered_before, had_clock=had_clock, user=user, now=now)
    # What the response needs and this service knows (reports.workflow: a draft has no
    # follow-ups, no requests for information, was never forwarded nor summed up).
    note_written(
        report, deadlines=clocks, followups=[], info_requests=[], forwarding=None, summary=None
    )
    notify_members(
        memberships=Membership.objects.filter(
            holding_and_copied_q(report, copies=report.written["copied_to"])
        ),
        kind=Notification.Kind.REPORT_RECEIVED,
        report=report,
        message=_("New report %(ref)s from %(org)s (%(level)s).")
        % {
            "ref": report.reference,
            "org": report.organization.name,
            "level": report.get_severity_display(),
        },
        now=now,
    )
    return report


def severity_preview(indicators: dict, declared: str | None = None) -> dict:
    """For the live form: the suggested level, the criteria met and the level used."""
    cleaned, errors = clean_indicators(indicators)
    suggestion = suggest(cleaned, grading_criteria())
    return {
        "suggested": suggestion.level,
        "criteria_met": suggestion.as_list(),
        "level": max_severity(declared or None, suggestion.level),
        "errors": errors,
        "declared_below_suggested": bool(declared)
        and max_severity(declared, suggestion.level) != declared,
        "general": Severity.GENERAL,
    }
