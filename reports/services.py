"""Writes. Services are the only writers: views, serializers, admin actions, tasks and
commands call them (STYLE.md B2). Each takes `now` (default: the current time) and raises
`django.core.exceptions.ValidationError` with field-level messages for bad input."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization

from .constants import RANSOMWARE_CATEGORY, REPORTABLE, Severity, Status, max_severity
from .events import report_event_create
from .exceptions import ActionForbidden, InvalidTransition, StaleVersion
from .grading import suggest
from .indicators import clean_indicators
from .models import IdempotencyKey, Report, ReportEvent
from .routing import route
from .selectors import grading_criteria, report_get

# What a reporter may write on a draft. Everything else is derived or set by the server.
DRAFT_FIELDS = (
    "title",
    "involves_cii",
    "cii_untick_reason",
    "affected_systems",
    "discovered_at",
    "occurred_at",
    "location",
    "category",
    "indicators",
    "severity_declared",
    "impact_description",
    "measures_taken",
    "ransom_amount",
    "ransom_currency",
    "ransom_payment_method",
    "ransom_demanded_at",
    "trend",
    "cause",
    "attack_clues",
    "planned_measures",
    "support_requested",
    "scene_preservation",
    "other",
    "suspected_crime",
    "emergency_plan",
    "protective_measures",
    "late_reason",
)
# Art. 7 items 1–2: required at first submission. Items 3–8 may follow (补报).
REQUIRED_TO_SUBMIT = (
    "title",
    "affected_systems",
    "discovered_at",
    "location",
    "category",
    "severity_declared",
    "impact_description",
    "measures_taken",
)
RANSOM_FIELDS = ("ransom_amount", "ransom_currency", "ransom_payment_method", "ransom_demanded_at")


def reporter_organizations(user) -> list[Organization]:
    return [
        m.organization
        for m in Membership.objects.filter(user=user, role=Membership.Role.REPORTER).select_related(
            "organization"
        )
    ]


def _is_reporter_for(user, report: Report) -> bool:
    return Membership.objects.filter(
        user=user, role=Membership.Role.REPORTER, organization_id=report.organization_id
    ).exists()


def _apply(report: Report, data: dict) -> None:
    unknown = set(data) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
    for name, value in data.items():
        if name == "category":
            report.category_id = getattr(value, "pk", value) or None
        elif name == "indicators":
            cleaned, errors = clean_indicators(value)
            if errors:
                raise ValidationError(
                    {"indicators": [f"{key}: {' '.join(msgs)}" for key, msgs in errors.items()]}
                )
            report.indicators = cleaned
        else:
            if value is None and name not in (
                "discovered_at",
                "occurred_at",
                "ransom_amount",
                "ransom_demanded_at",
            ):
                value = False if name in ("involves_cii", "suspected_crime") else ""
            setattr(report, name, value)


def _time_errors(report: Report, now: datetime) -> dict:
    errors = {}
    for name in ("discovered_at", "occurred_at", "ransom_demanded_at"):
        value = getattr(report, name)
        if value is not None and value > now:
            errors[name] = _("Cannot be in the future.")
    if (
        report.occurred_at
        and report.discovered_at
        and report.occurred_at > report.discovered_at
        and "occurred_at" not in errors
    ):
        errors["occurred_at"] = _("The incident cannot occur after it was discovered.")
    return errors


def _derive(report: Report) -> None:
    """Suggested level, the level used for clocks, channel and recipient — all server-side."""
    suggestion = suggest(report.indicators or {}, grading_criteria())
    report.severity_suggested = suggestion.level
    report.criteria_met = suggestion.as_list()
    report.severity = report.severity_reviewed or max_severity(
        report.severity_declared, report.severity_suggested
    )
    r = route(
        report.organization,
        involves_cii=report.involves_cii,
        suspected_crime=report.suspected_crime,
    )
    report.channel = r.channel
    report.receiving_authority = r.receiving
    report._route_copies = r.copies


def _validate(report: Report, now: datetime) -> None:
    errors = _time_errors(report, now)
    try:
        report.full_clean(exclude=["reference"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


def _file_clock_needed(report: Report) -> bool:
    """The filing clock runs as soon as the draft has `discovered_at`, unless the operator
    has declared 一般 and the grading guide agrees (no duty: MEASURES.md §1)."""
    if not report.discovered_at:
        return False
    return report.severity in REPORTABLE or not report.severity_declared


def _sync_file_clock(report: Report, now: datetime) -> None:
    from escalation.services import deadline_cancel, deadline_open

    if _file_clock_needed(report):
        deadline_open(report=report, kind="file", opened_at=report.discovered_at, now=now)
    else:
        deadline_cancel(
            report=report,
            kind="file",
            at=now,
            reason=_("Graded 一般 (general): no duty to report."),
        )


def _save_routed(report: Report, *, fields: list[str] | None = None) -> None:
    report.save(update_fields=fields)
    report.copied_to.set(getattr(report, "_route_copies", ()))


def _resolve_organization(user, organization) -> Organization:
    orgs = reporter_organizations(user)
    if not orgs:
        raise ActionForbidden(_("Only an operator's reporters can file reports."))
    if organization is None:
        if len(orgs) > 1:
            raise ValidationError({"organization": _("Choose the organisation you report for.")})
        return orgs[0]
    org_id = getattr(organization, "pk", organization)
    for org in orgs:
        if str(org.pk) == str(org_id):
            return org
    raise ValidationError({"organization": _("You do not report for this organisation.")})


@transaction.atomic
def report_create(
    *,
    user,
    data: dict,
    organization=None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Report:
    now = now or timezone.now()
    org = _resolve_organization(user, organization)
    if idempotency_key:
        existing = IdempotencyKey.objects.filter(user=user, key=idempotency_key).first()
        if existing:
            return existing.report
    report = Report(organization=org, created_by=user, status=Status.DRAFT)
    report.involves_cii = org.is_cii_operator
    _apply(report, data)
    _derive(report)
    _validate(report, now)
    report.save()
    report.reference = f"CSIR-{now.year}-{report.pk:06d}"
    report.skip_history_when_saving = True
    report.save(update_fields=["reference"])
    del report.skip_history_when_saving
    report.copied_to.set(report._route_copies)
    report_event_create(report=report, kind=ReportEvent.Kind.CREATED, at=now, actor=user)
    _sync_file_clock(report, now)
    if idempotency_key:
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(user=user, key=idempotency_key, report=report)
        except IntegrityError:
            # A concurrent request with the same key won: drop ours, return theirs.
            transaction.set_rollback(True)
            return IdempotencyKey.objects.get(user=user, key=idempotency_key).report
    return report


def _lock_draft(*, user, pk, version: int | None) -> Report:
    report = report_get(user=user, pk=pk, lock=True)
    if not _is_reporter_for(user, report):
        raise ActionForbidden()
    if version is not None and version != report.version:
        raise StaleVersion()
    return report


@transaction.atomic
def report_update(*, user, pk, data: dict, version: int | None, now: datetime | None = None):
    now = now or timezone.now()
    report = _lock_draft(user=user, pk=pk, version=version)
    if report.status != Status.DRAFT:
        raise InvalidTransition(_("Only a draft can be edited; add a follow-up instead."))
    _apply(report, data)
    _derive(report)
    _validate(report, now)
    report.version += 1
    _save_routed(report)
    _sync_file_clock(report, now)
    return report


def _submit_errors(report: Report, now: datetime) -> dict:
    from escalation.rules import deadline_times, statutory_policy

    errors = {}
    for name in REQUIRED_TO_SUBMIT:
        value = getattr(report, f"{name}_id" if name == "category" else name)
        if value in (None, ""):
            errors[name] = _("Required before you submit (Art. 7, items 1–2).")
    if report.category_id == RANSOMWARE_CATEGORY:
        for name in RANSOM_FIELDS:
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
    if report.discovered_at and report.severity in REPORTABLE:
        times = deadline_times("file", report.discovered_at, statutory_policy(report.channel))
        if now > times.statutory_due_at and not report.late_reason.strip():
            errors["late_reason"] = _(
                "The filing limit passed at %(due)s: give the reason for the delay."
            ) % {"due": timezone.localtime(times.statutory_due_at).strftime("%Y-%m-%d %H:%M")}
    return errors


@transaction.atomic
def report_submit(
    *,
    user,
    pk,
    data: dict | None = None,
    version: int | None = None,
    now: datetime | None = None,
) -> Report:
    """Submit a draft: the server sets `submitted_at`, routes, meets the filing clock and
    opens the forward clock for a serious report. Submitting again is harmless."""
    from escalation.services import deadline_meet, deadline_open

    now = now or timezone.now()
    report = report_get(user=user, pk=pk, lock=True)
    if not _is_reporter_for(user, report):
        raise ActionForbidden()
    if report.status != Status.DRAFT:
        return report  # double click or retried request: one submission
    if version is not None and version != report.version:
        raise StaleVersion()
    if data:
        _apply(report, data)
    _derive(report)
    _validate(report, now)
    errors = _submit_errors(report, now)
    if errors:
        raise ValidationError(errors)
    report.status = Status.SUBMITTED
    report.submitted_at = now
    report.submitted_by = user
    report.version += 1
    _save_routed(report)
    report_event_create(report=report, kind=ReportEvent.Kind.SUBMITTED, at=now, actor=user)
    if report.severity in REPORTABLE:
        deadline_open(report=report, kind="file", opened_at=report.discovered_at, now=now)
        deadline_meet(report=report, kind="file", at=now)
    else:
        _sync_file_clock(report, now)
    if report.is_serious:
        deadline_open(report=report, kind="forward", opened_at=now, now=now)
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
