"""Writes. Services are the only writers: views, serializers, admin actions, tasks and
commands call them (STYLE.md B2). Each takes `now` (default: the current time) and raises
`django.core.exceptions.ValidationError` with field-level messages for bad input."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Authority, Membership, Organization

from . import workflow
from .constants import RANSOMWARE_CATEGORY, REPORTABLE, Severity, Status, Tier, max_severity
from .events import report_event_create
from .exceptions import ActionForbidden, InvalidTransition, StaleVersion
from .grading import suggest
from .indicators import clean_indicators
from .models import (
    TEXT_MAX,
    FollowUp,
    Forwarding,
    IdempotencyKey,
    InfoRequest,
    Report,
    ReportEvent,
    SummaryReport,
)
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


DRAFTING_ROLES = (Membership.Role.REPORTER, Membership.Role.PROVIDER_DRAFTER)


def reporter_organizations(user) -> list[Organization]:
    """The organisations the user may draft reports for: as its reporter, or as a contracted
    service provider it granted the right to draft (Art. 5)."""
    memberships = Membership.objects.filter(user=user, role__in=DRAFTING_ROLES).select_related(
        "organization"
    )
    orgs = {m.organization_id: m.organization for m in memberships}
    return list(orgs.values())


def _is_reporter_for(user, report: Report) -> bool:
    return Membership.objects.filter(
        user=user, role=Membership.Role.REPORTER, organization_id=report.organization_id
    ).exists()


def _can_draft(user, report: Report) -> bool:
    """Reporters edit their organisation's drafts; a provider only the drafts it wrote."""
    if _is_reporter_for(user, report):
        return True
    return (
        report.created_by_id == user.pk
        and Membership.objects.filter(
            user=user, role=Membership.Role.PROVIDER_DRAFTER, organization_id=report.organization_id
        ).exists()
    )


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


def _grade(report: Report) -> None:
    """Suggested level and the level used for clocks: the reviewer's grade once given,
    before that the higher of the declared and the suggested level."""
    suggestion = suggest(report.indicators or {}, grading_criteria())
    report.severity_suggested = suggestion.level
    report.criteria_met = suggestion.as_list()
    report.severity = report.severity_reviewed or max_severity(
        report.severity_declared, report.severity_suggested
    )


def _derive(report: Report) -> None:
    """Level, channel and recipients — all server-side, never from the request."""
    _grade(report)
    r = route(
        report.organization,
        involves_cii=report.involves_cii,
        suspected_crime=report.suspected_crime,
    )
    report.channel = r.channel
    report.receiving_authority = r.receiving
    report._route_copies = r.copies


# Set by the services from rows they have just read, never from the request: checking that
# they exist would cost a query each on every save.
SERVER_SET_RELATIONS = ["organization", "receiving_authority", "created_by", "submitted_by"]


def _validate(report: Report, now: datetime) -> None:
    errors = _time_errors(report, now)
    try:
        # The table's CHECK constraints are not run here (Django checks each with a query
        # in a savepoint): the time checks above cover its two on instants, naming the
        # field, and the services set `submitted_at` with the status. PostgreSQL still
        # enforces all three.
        report.full_clean(exclude=["reference", *SERVER_SET_RELATIONS], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


def _file_clock_needed(report: Report) -> bool:
    """The filing clock runs as soon as the draft has `discovered_at`, unless the operator
    has declared 一般 and the grading guide agrees (no duty: MEASURES.md §1)."""
    if not (report.discovered_at or report.requested_at):
        return False
    return report.severity in REPORTABLE or not report.severity_declared


def _file_clock_start(report: Report) -> datetime:
    """Discovery; for a report an authority required, no later than the requirement."""
    starts = [t for t in (report.discovered_at, report.requested_at) if t]
    return min(starts)


def _sync_file_clock(report: Report, now: datetime) -> None:
    from escalation.services import deadline_cancel, deadline_open

    if _file_clock_needed(report):
        deadline_open(report=report, kind="file", opened_at=_file_clock_start(report), now=now)
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


def _insert_with_reference(report: Report, now: datetime) -> None:
    """Insert a new report, give it its readable reference (`CSIR-<year>-<id>`, unique
    because the id is) and its copies."""
    report.save()
    report.reference = f"CSIR-{now.year}-{report.pk:06d}"
    report.skip_history_when_saving = True  # the creation row is the history of it...
    report.save(update_fields=["reference"])
    del report.skip_history_when_saving
    # ...and carries the reference too (same transaction: one event on record)
    Report.history.filter(id=report.pk, history_type="+").update(reference=report.reference)
    report.copied_to.set(report._route_copies)


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


class _IdempotencyKeyTaken(Exception):
    """A concurrent request with the same key committed first (raised to roll back ours)."""


def report_create(
    *,
    user,
    data: dict,
    organization=None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Report:
    report, _created = report_create_idempotent(
        user=user,
        data=data,
        organization=organization,
        idempotency_key=idempotency_key,
        now=now,
    )
    return report


def report_create_idempotent(
    *,
    user,
    data: dict,
    organization=None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> tuple[Report, bool]:
    """`report_create` that also says whether this call created the report (False: a
    request with the same `Idempotency-Key` made it, earlier or concurrently)."""
    try:
        return _report_create(
            user=user,
            data=data,
            organization=organization,
            idempotency_key=idempotency_key,
            now=now,
        )
    except _IdempotencyKeyTaken:
        # Our draft is rolled back; the winner's key is committed and visible now.
        key = IdempotencyKey.objects.select_related("report").get(user=user, key=idempotency_key)
        return key.report, False


@transaction.atomic
def _report_create(
    *, user, data: dict, organization, idempotency_key: str | None, now: datetime | None
) -> tuple[Report, bool]:
    now = now or timezone.now()
    org = _resolve_organization(user, organization)
    if idempotency_key:
        existing = IdempotencyKey.objects.filter(user=user, key=idempotency_key).first()
        if existing:
            return existing.report, False
    report = Report(organization=org, created_by=user, status=Status.DRAFT)
    report.involves_cii = org.is_cii_operator
    _apply(report, data)
    _derive(report)
    _validate(report, now)
    _insert_with_reference(report, now)
    report_event_create(report=report, kind=ReportEvent.Kind.CREATED, at=now, actor=user)
    _sync_file_clock(report, now)
    if idempotency_key:
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(user=user, key=idempotency_key, report=report)
        except IntegrityError:
            # A concurrent request with the same key won: roll ours back, return theirs.
            # (No query may run in this block once it is marked for rollback, so leave it.)
            raise _IdempotencyKeyTaken() from None
    return report, True


def _lock_draft(*, user, pk, version: int | None) -> Report:
    report = report_get(user=user, pk=pk, lock=True)
    if not _can_draft(user, report):
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
    if (report.discovered_at or report.requested_at) and report.severity in REPORTABLE:
        times = deadline_times("file", _file_clock_start(report), statutory_policy(report.channel))
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
        raise ActionForbidden(_("Only the operator's own reporters submit; a provider drafts."))
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
        deadline_open(report=report, kind="file", opened_at=_file_clock_start(report), now=now)
        deadline_meet(report=report, kind="file", at=now)
    else:
        _sync_file_clock(report, now)
    if report.is_serious:
        deadline_open(report=report, kind="forward", opened_at=now, now=now)
    _notify(
        _holding_staff(report) + _copied_staff(report),
        kind="report_received",
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


# ---------------------------------------------------------------------------------------
# Review workflow: every action checks role, membership and state through workflow.py,
# locks the report, writes a ReportEvent and notifies after commit.
# ---------------------------------------------------------------------------------------


def _members(**lookup) -> list:
    return [m.user for m in Membership.objects.filter(**lookup).select_related("user")]


def _reporters(report: Report) -> list:
    return _members(role=Membership.Role.REPORTER, organization_id=report.organization_id)


def _holding_staff(report: Report) -> list:
    """Staff of the authority that holds the report now."""
    if report.tier == Tier.NATIONAL:
        return _members(role=Membership.Role.NATIONAL_OFFICIAL)
    return _members(role=Membership.Role.REVIEWER, authority_id=report.receiving_authority_id)


def _copied_staff(report: Report) -> list:
    return _members(authority__in=report.copied_to.all())


def _notify(users, *, kind: str, report: Report, message: str, now: datetime) -> None:
    from escalation.services import notify_users

    notify_users(users=users, kind=kind, report=report, message=message, now=now)


def report_roles(user, report: Report) -> set[str]:
    """The workflow roles the user holds towards this report."""
    if user is None:
        return {workflow.SYSTEM}
    roles = set()
    copied = {a.pk for a in report.copied_to.all()}
    for m in user.memberships.all():
        if m.role == Membership.Role.REPORTER and m.organization_id == report.organization_id:
            roles.add(workflow.REPORTER)
        elif m.role == Membership.Role.REVIEWER and m.authority_id == report.receiving_authority_id:
            roles.add(workflow.REVIEWER)
        elif m.role == Membership.Role.NATIONAL_OFFICIAL:
            roles.add(workflow.NATIONAL)
        elif m.role == Membership.Role.POLICE_LIAISON and m.authority_id in copied:
            roles.add(workflow.POLICE)
    return roles


def _begin(user, pk, action: str, *, version: int | None = None):
    """Lock the report and check the transition. Returns (report, role, new status)."""
    if user is None:
        try:
            report = Report.objects.select_for_update().get(pk=pk)
        except Report.DoesNotExist:
            raise Http404 from None
    else:
        report = report_get(user=user, pk=pk, lock=True)
    role, to_status = workflow.assert_transition(
        action, roles=report_roles(user, report), tier=report.tier, status=report.status
    )
    if version is not None and version != report.version:
        raise StaleVersion()
    return report, role, to_status


def _finish(report: Report, fields: list[str]) -> None:
    report.version += 1
    report.save(update_fields=[*fields, "version", "updated_at"])


def _sync_forward_clock(report: Report, now: datetime, reason: str) -> None:
    """A report that becomes serious at the receiving tier opens the forward clock at that
    moment (unless it runs); one that stops being serious closes it as not required."""
    from escalation.services import deadline_cancel, deadline_open

    if report.tier != Tier.RECEIVING or report.status == Status.DRAFT:
        return
    if report.is_serious:
        deadline_open(report=report, kind="forward", opened_at=now, now=now)
    else:
        deadline_cancel(report=report, kind="forward", at=now, reason=reason)


@transaction.atomic
def report_claim(*, user, pk, version: int | None = None, now: datetime | None = None) -> Report:
    now = now or timezone.now()
    try:
        report, _role, to_status = _begin(user, pk, "claim", version=version)
    except InvalidTransition:
        current = Report.objects.select_related("assignee").get(pk=pk)
        if current.assignee_id and current.assignee_id != user.pk:
            raise InvalidTransition(
                _("Already claimed by %(user)s.") % {"user": current.assignee.get_username()}
            ) from None
        raise
    report.assignee = user
    report.status = to_status
    _finish(report, ["assignee", "status"])
    report_event_create(report=report, kind=ReportEvent.Kind.CLAIMED, at=now, actor=user)
    return report


@transaction.atomic
def report_assign(
    *, user, pk, assignee, version: int | None = None, now: datetime | None = None
) -> Report:
    now = now or timezone.now()
    report, role, to_status = _begin(user, pk, "assign", version=version)
    assignee_id = getattr(assignee, "pk", assignee)
    if report.tier == Tier.NATIONAL:
        staff = Membership.objects.filter(
            user_id=assignee_id, role=Membership.Role.NATIONAL_OFFICIAL
        )
    else:
        staff = Membership.objects.filter(
            user_id=assignee_id,
            role=Membership.Role.REVIEWER,
            authority_id=report.receiving_authority_id,
        )
    member = staff.select_related("user").first()
    if member is None:
        raise ValidationError({"user": _("Assign to a colleague at the authority holding it.")})
    report.assignee = member.user
    if report.status == Status.SUBMITTED:
        report.status = to_status
    _finish(report, ["assignee", "status"])
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
    now = now or timezone.now()
    report, role, to_status = _begin(user, pk, "acknowledge", version=version)
    if role == workflow.NATIONAL:
        report.status = to_status
        if not report.assignee_id:
            report.assignee = user
        _finish(report, ["status", "assignee"])
    report_event_create(report=report, kind=ReportEvent.Kind.ACKNOWLEDGED, at=now, actor=user)
    return report


@transaction.atomic
def report_grade(
    *, user, pk, severity: str, reason: str, version: int | None = None, now: datetime | None = None
) -> Report:
    from escalation.services import deadline_meet, deadline_open

    now = now or timezone.now()
    errors = {}
    if severity not in Severity.values:
        errors["severity"] = _("Choose a valid level.")
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the level.")
    if errors:
        raise ValidationError(errors)
    report, _role, _to = _begin(user, pk, "grade", version=version)
    before = report.severity
    report.severity_reviewed = severity
    report.grade_reason = reason.strip()
    _grade(report)
    _finish(report, ["severity_reviewed", "grade_reason", "severity"])
    report_event_create(
        report=report,
        kind=ReportEvent.Kind.GRADED,
        at=now,
        actor=user,
        note=f"{Severity(before).label} → {Severity(severity).label}: {reason.strip()}",
    )
    if report.severity in REPORTABLE and not report.deadlines.filter(kind="file").exists():
        # graded up from a voluntary 一般 report: record whether it was filed in time
        deadline_open(report=report, kind="file", opened_at=_file_clock_start(report), now=now)
        deadline_meet(report=report, kind="file", at=report.submitted_at)
    _sync_forward_clock(
        report,
        now,
        _("Graded below major by %(user)s: %(reason)s")
        % {"user": user.get_username(), "reason": reason.strip()},
    )
    if before != report.severity:
        _notify(
            _reporters(report),
            kind="grade_changed",
            report=report,
            message=_("The level of %(ref)s was changed to %(level)s.")
            % {"ref": report.reference, "level": report.get_severity_display()},
            now=now,
        )
    return report


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
    from escalation.services import deadline_open

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
    report, _role, to_status = _begin(user, pk, "request_info", version=version)
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
    _finish(report, ["status"])
    report_event_create(
        report=report, kind=ReportEvent.Kind.INFO_REQUESTED, at=now, actor=user, note=question
    )
    if due_at:
        deadline_open(report=report, kind="info_request", opened_at=now, now=now, due_at=due_at)
    _notify(
        _reporters(report),
        kind="info_requested",
        report=report,
        message=_("%(authority)s asks for more information on %(ref)s: %(question)s")
        % {"authority": authority.name, "ref": report.reference, "question": question.strip()},
        now=now,
    )
    return request


FOLLOWUP_ITEMS = (
    "trend",
    "cause",
    "attack_clues",
    "planned_measures",
    "support_requested",
    "scene_preservation",
    "other",
)


@transaction.atomic
def report_followup(
    *, user, pk, data: dict, version: int | None = None, now: datetime | None = None
) -> FollowUp:
    """补报 or 续报. New item 3–8 content and new grading information update the report; a
    follow-up answers every open request for information."""
    from escalation.services import deadline_meet

    now = now or timezone.now()
    report, _role, _to = _begin(user, pk, "followup", version=version)
    allowed = {"kind", "body", "indicators", "severity_declared", *FOLLOWUP_ITEMS}
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
            raise ValidationError(
                {"indicators": [f"{key}: {' '.join(msgs)}" for key, msgs in errors.items()]}
            )
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
    _grade(report)
    changed += ["severity_suggested", "criteria_met", "severity"]
    was_awaiting = report.status == Status.AWAITING_OPERATOR
    if was_awaiting:
        report.status = Status.IN_REVIEW if report.assignee_id else Status.SUBMITTED
        changed.append("status")
    _finish(report, changed)
    report_event_create(
        report=report,
        kind=ReportEvent.Kind.FOLLOWUP,
        at=now,
        actor=user,
        note=f"{followup.get_kind_display()}: {followup.body[:200]}",
    )
    for request in open_requests:
        request.answered_at = now
        request.save(update_fields=["answered_at"])
    if open_requests:
        deadline_meet(report=report, kind="info_request", at=now)
        report_event_create(report=report, kind=ReportEvent.Kind.INFO_SUPPLIED, at=now, actor=user)
    if before != report.severity:
        _sync_forward_clock(report, now, _("The operator's follow-up graded it below major."))
    recipients = [report.assignee] if report.assignee_id else _holding_staff(report)
    _notify(
        recipients,
        kind="info_supplied",
        report=report,
        message=_("%(org)s filed a %(kind)s on %(ref)s.")
        % {
            "org": report.organization.name,
            "kind": followup.get_kind_display(),
            "ref": report.reference,
        },
        now=now,
    )
    return followup


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
    automatic escalation: the row lock and the one-to-one `Forwarding` make it happen once."""
    from escalation.services import deadline_meet

    now = now or timezone.now()
    if automatic:
        user = None
    try:
        report, _role, to_status = _begin(user, pk, "forward", version=version)
    except InvalidTransition:
        if automatic:
            return Report.objects.get(pk=pk)  # already forwarded or closed: nothing to do
        raise
    if not report.is_serious:
        raise InvalidTransition(
            _("Only a major or especially major report goes to the national tier.")
        )
    if Forwarding.objects.filter(report=report).exists():
        if automatic:
            return report
        raise InvalidTransition(_("This report has already been forwarded."))
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
    _finish(report, ["tier", "status", "assignee", "forwarded_at"])
    deadline_meet(report=report, kind="forward", at=now)
    report_event_create(
        report=report,
        kind=ReportEvent.Kind.FORWARDED,
        at=now,
        actor=user,
        automatic=automatic,
        note=note or (_("Forwarded automatically before the limit.") if automatic else ""),
    )
    national = _members(role=Membership.Role.NATIONAL_OFFICIAL)
    if report.channel == "cii":
        national += _members(
            authority__kind=Authority.Kind.PUBLIC_SECURITY, authority__is_national=True
        )
    receiving = _members(role=Membership.Role.REVIEWER, authority_id=report.receiving_authority_id)
    message = (
        _("%(ref)s was forwarded automatically to the national tier.")
        if automatic
        else _("%(ref)s was forwarded to the national tier.")
    ) % {"ref": report.reference}
    _notify(
        national + (receiving if automatic else []) + _reporters(report),
        kind="forwarded",
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
    report, _role, _to = _begin(user, pk, "notify", version=version)
    report_event_create(
        report=report, kind=ReportEvent.Kind.NOTIFIED, at=now, actor=user, note="、".join(names)
    )
    return report


@transaction.atomic
def report_close(
    *, user, pk, reason: str, version: int | None = None, now: datetime | None = None
) -> Report:
    from escalation.services import deadline_cancel

    now = now or timezone.now()
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for closing.")})
    report, _role, to_status = _begin(user, pk, "close", version=version)
    if report.tier == Tier.RECEIVING and report.is_serious:
        raise InvalidTransition(
            _("A major or especially major report must be forwarded to the national tier first.")
        )
    report.status = to_status
    report.closed_reason = reason.strip()
    _finish(report, ["status", "closed_reason"])
    deadline_cancel(report=report, kind="info_request", at=now, reason=_("Report closed."))
    report_event_create(
        report=report, kind=ReportEvent.Kind.CLOSED, at=now, actor=user, note=reason.strip()
    )
    return report


@transaction.atomic
def report_handling_ended(
    *,
    user,
    pk,
    handling_ended_at: datetime,
    version: int | None = None,
    now: datetime | None = None,
) -> Report:
    from escalation.services import deadline_open

    now = now or timezone.now()
    report, _role, _to = _begin(user, pk, "handling_ended", version=version)
    if report.handling_ended_at:
        raise InvalidTransition(_("The end of handling is already recorded."))
    if handling_ended_at is None:
        raise ValidationError({"handling_ended_at": _("This field is required.")})
    if handling_ended_at > now:
        raise ValidationError({"handling_ended_at": _("Cannot be in the future.")})
    if report.discovered_at and handling_ended_at < report.discovered_at:
        raise ValidationError(
            {"handling_ended_at": _("Handling cannot end before the incident was discovered.")}
        )
    report.handling_ended_at = handling_ended_at
    _finish(report, ["handling_ended_at"])
    clock = deadline_open(report=report, kind="summary", opened_at=handling_ended_at, now=now)
    report_event_create(report=report, kind=ReportEvent.Kind.HANDLING_ENDED, at=now, actor=user)
    _notify(
        _reporters(report),
        kind="summary_due",
        report=report,
        message=_("The summary report on %(ref)s is due by %(due)s.")
        % {
            "ref": report.reference,
            "due": timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M"),
        },
        now=now,
    )
    return report


SUMMARY_FIELDS = (
    "cause",
    "emergency_measures",
    "harm",
    "accountability",
    "rectification",
    "lessons",
)


@transaction.atomic
def report_summary(
    *, user, pk, data: dict, version: int | None = None, now: datetime | None = None
) -> SummaryReport:
    from escalation.services import deadline_meet

    now = now or timezone.now()
    unknown = set(data) - set(SUMMARY_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
    report, _role, _to = _begin(user, pk, "summary", version=version)
    if not report.handling_ended_at:
        raise InvalidTransition(_("Record when handling ended before filing the summary report."))
    if SummaryReport.objects.filter(report=report).exists():
        raise InvalidTransition(_("The summary report has already been filed."))
    summary = SummaryReport(
        report=report,
        filed_by=user,
        filed_at=now,
        **{name: (data.get(name) or "").strip() for name in SUMMARY_FIELDS},
    )
    summary.full_clean()
    summary.save()
    deadline_meet(report=report, kind="summary", at=now)
    report_event_create(report=report, kind=ReportEvent.Kind.SUMMARY_FILED, at=now, actor=user)
    _notify(
        _holding_staff(report),
        kind="info_supplied",
        report=report,
        message=_("%(org)s filed the summary report on %(ref)s.")
        % {"org": report.organization.name, "ref": report.reference},
        now=now,
    )
    return summary


@transaction.atomic
def report_require(
    *, user, organization, title: str, note: str = "", now: datetime | None = None
) -> Report:
    """An authority records an incident it learned of elsewhere and requires the operator to
    report it: a draft for the organisation whose filing clock runs from now. If no report
    is submitted in time, the sweep records a missed report (漏报)."""
    now = now or timezone.now()
    staff = (
        Membership.objects.filter(
            user=user, role__in=[Membership.Role.REVIEWER, Membership.Role.NATIONAL_OFFICIAL]
        )
        .select_related("authority")
        .first()
    )
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
    _derive(report)
    if (
        staff.role == Membership.Role.REVIEWER
        and report.receiving_authority_id != staff.authority_id
    ):
        raise ValidationError(
            {"organization": _("This organisation does not report to your authority.")}
        )
    _validate(report, now)
    _insert_with_reference(report, now)
    report_event_create(
        report=report,
        kind=ReportEvent.Kind.CREATED,
        at=now,
        actor=user,
        note=_("Required by %(authority)s: %(title)s")
        % {"authority": staff.authority.name, "title": report.title},
    )
    _sync_file_clock(report, now)
    _notify(
        _reporters(report),
        kind="report_required",
        report=report,
        message=_("%(authority)s requires you to report an incident: %(title)s (%(ref)s).")
        % {"authority": staff.authority.name, "title": report.title, "ref": report.reference},
        now=now,
    )
    return report


# ---------------------------------------------------------------------------------------
# Evidence attachments: size cap, type allow-list checked on the content (not the name),
# sanitised names, stored outside the web roots, with a content hash.
# ---------------------------------------------------------------------------------------

# (content type, magic prefixes or None for text, extensions it may carry)
EVIDENCE_TYPES = (
    ("application/pdf", (b"%PDF-",), (".pdf",)),
    ("image/png", (b"\x89PNG\r\n\x1a\n",), (".png",)),
    ("image/jpeg", (b"\xff\xd8\xff",), (".jpg", ".jpeg")),
    ("application/zip", (b"PK\x03\x04",), (".zip", ".docx", ".xlsx", ".pptx")),
    (
        "application/vnd.tcpdump.pcap",
        (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x0a\x0d\x0d\x0a"),
        (".pcap", ".pcapng"),
    ),
    ("text/plain", None, (".txt", ".log", ".csv")),
)


def sanitize_filename(name: str) -> str:
    """The last path component only, no control characters or separators; keeps Chinese."""
    import re
    import unicodedata

    name = (name or "").replace("\\", "/").split("/")[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r"[<>:\"|?*\s]+", "_", name).strip("._ ")
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:150]
    return name or "evidence"


def sniff_evidence_type(head: bytes, name: str) -> str | None:
    """The content type the bytes prove, if it is on the allow-list and matches the name."""
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    for content_type, magics, extensions in EVIDENCE_TYPES:
        if ext not in extensions:
            continue
        if magics is None:
            if b"\x00" in head:
                return None
            try:
                head.decode("utf-8")
            except UnicodeDecodeError as exc:
                if exc.start < len(head) - 4:  # a multi-byte character cut at the end is fine
                    try:
                        head.decode("gb18030")
                    except UnicodeDecodeError:
                        return None
            return content_type
        if any(head.startswith(m) for m in magics):
            return content_type
        return None
    return None


@transaction.atomic
def attachment_add(*, user, pk, upload, followup=None, now: datetime | None = None):
    import hashlib

    from django.conf import settings
    from django.core.files.base import ContentFile

    from .models import Attachment

    now = now or timezone.now()
    report = report_get(user=user, pk=pk, lock=True)
    if report.status == Status.DRAFT:
        if not _can_draft(user, report):
            raise ActionForbidden()
    elif not _is_reporter_for(user, report):
        raise ActionForbidden(_("Only the operator's reporters add evidence."))
    if report.status == Status.CLOSED:
        raise InvalidTransition(_("The report is closed."))
    name = sanitize_filename(getattr(upload, "name", ""))
    size = getattr(upload, "size", None) or 0
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(max)s MB.")
                % {"max": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}
            }
        )
    digest = hashlib.sha256()
    head = b""
    chunks = []
    for chunk in upload.chunks():
        if len(head) < 8192:
            head += chunk[: 8192 - len(head)]
        digest.update(chunk)
        chunks.append(chunk)
    content_type = sniff_evidence_type(head, name)
    if content_type is None:
        raise ValidationError(
            {
                "file": _(
                    "This kind of file is not accepted, or its content does not match its name. "
                    "Accepted: PDF, PNG, JPEG, ZIP/DOCX/XLSX, PCAP, plain text."
                )
            }
        )
    if followup is not None and getattr(followup, "report_id", None) != report.pk:
        raise ValidationError({"followup": _("That follow-up belongs to another report.")})
    attachment = Attachment(
        report=report,
        followup=followup,
        name=name,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
        uploaded_at=now,
    )
    attachment.file.save(name, ContentFile(b"".join(chunks)), save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    report_event_create(
        report=report,
        kind=ReportEvent.Kind.ATTACHMENT_ADDED,
        at=now,
        actor=user,
        note=f"{name} ({size} B, SHA-256 {attachment.sha256[:16]}…)",
    )
    return attachment


def attachment_get(*, user, report_pk, pk):
    """An attachment of a report the user may see (404 otherwise)."""
    from .models import Attachment

    report = report_get(user=user, pk=report_pk)
    try:
        return Attachment.objects.get(report=report, pk=pk)
    except (Attachment.DoesNotExist, ValueError):
        raise Http404 from None


# ---------------------------------------------------------------------------------------
# Public tip-offs (Art. 6): no login, rate-limited per address, spam-guarded, triaged.
# ---------------------------------------------------------------------------------------

TIPOFF_MIN_SECONDS = 3  # a person needs at least this long to fill the form
TIPOFF_MAX_AGE = 2 * 3600
TIPOFF_PER_HOUR = 5


class RateLimited(Exception):
    pass


def _source_hash(address: str) -> str:
    import hashlib

    from django.conf import settings

    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


def tipoff_spam_errors(data: dict) -> dict:
    """Rules that need no third-party service: no links beyond one, no lists of phone
    numbers, some words."""
    import re

    text = f"{data.get('title', '')}\n{data.get('description', '')}"
    errors = {}
    if len(re.findall(r"(https?://|www\.)", text, flags=re.I)) > 1:
        errors["description"] = _("Please describe what happened without links.")
    elif len(re.findall(r"(?<!\d)1[3-9]\d{9}(?!\d)|\d{3,4}-\d{7,8}", text)) >= 3:
        errors["description"] = _("Please describe what happened, not a list of phone numbers.")
    elif not re.search(r"[\u4e00-\u9fff]{2,}|[A-Za-z]{3,}", data.get("description", "")):
        errors["description"] = _("Please describe what happened in words.")
    return errors


@transaction.atomic
def tipoff_submit(
    *, data: dict, address: str, rendered_at: float | None, now: datetime | None = None
):
    """Returns the stored tip-off, or None when the honeypot caught a robot (it is told
    nothing). Raises RateLimited, or ValidationError for too fast, too old or spammy input."""
    from .models import TipOff

    now = now or timezone.now()
    if data.get("website"):
        return None  # honeypot: a hidden field people never fill
    age = None if rendered_at is None else now.timestamp() - rendered_at
    if age is None or age > TIPOFF_MAX_AGE:
        raise ValidationError({"__all__": _("The form has expired. Please reload the page.")})
    if age < TIPOFF_MIN_SECONDS:
        raise ValidationError({"__all__": _("That was quicker than a person can type.")})
    source = _source_hash(address)
    recent = TipOff.objects.filter(
        source_hash=source, submitted_at__gte=now - timedelta(hours=1)
    ).count()
    if recent >= TIPOFF_PER_HOUR:
        raise RateLimited()
    errors = tipoff_spam_errors(data)
    if errors:
        raise ValidationError(errors)
    tipoff = TipOff(
        title=(data.get("title") or "").strip(),
        description=(data.get("description") or "").strip(),
        organization_name=(data.get("organization_name") or "").strip(),
        province_id=data.get("province") or None,
        contact=(data.get("contact") or "").strip(),
        submitted_at=now,
        source_hash=source,
    )
    tipoff.full_clean()
    tipoff.save()
    recipients = _members(role=Membership.Role.NATIONAL_OFFICIAL)
    if tipoff.province_id:
        recipients += _members(
            role=Membership.Role.REVIEWER,
            authority__kind=Authority.Kind.PROVINCIAL_CAC,
            authority__province_id=tipoff.province_id,
        )
    _notify(
        recipients,
        kind="report_received",
        report=None,
        message=_("New public tip-off: %(title)s") % {"title": tipoff.title},
        now=now,
    )
    return tipoff


def tipoff_queue(*, user):
    """Tip-offs the user triages: all for national officials, those naming their province
    for provincial CAC reviewers."""
    from .models import TipOff

    condition = Q(pk__in=[])
    for m in user.memberships.select_related("authority"):
        if m.role == Membership.Role.NATIONAL_OFFICIAL:
            condition |= Q(pk__isnull=False)
        elif (
            m.role == Membership.Role.REVIEWER and m.authority.kind == Authority.Kind.PROVINCIAL_CAC
        ):
            condition |= Q(province_id=m.authority.province_id)
    return TipOff.objects.filter(condition).select_related("province", "report")


def _tipoff_for_triage(user, pk):
    tipoff = tipoff_queue(user=user).select_for_update(of=("self",)).filter(pk=pk).first()
    if tipoff is None:
        raise Http404
    if tipoff.status != tipoff.Status.NEW:
        raise InvalidTransition(_("This tip-off has already been handled."))
    return tipoff


@transaction.atomic
def tipoff_record(*, user, pk, organization, title: str = "", now: datetime | None = None):
    """Turn a tip-off into a recorded incident: the operator is required to report it."""
    now = now or timezone.now()
    tipoff = _tipoff_for_triage(user, pk)
    report = report_require(
        user=user,
        organization=organization,
        title=title or tipoff.title,
        note=_("From a public tip-off: %(text)s") % {"text": tipoff.description},
        now=now,
    )
    tipoff.status = tipoff.Status.RECORDED
    tipoff.report = report
    tipoff.handled_by = user
    tipoff.handled_at = now
    tipoff.save()
    return tipoff


@transaction.atomic
def tipoff_dismiss(*, user, pk, reason: str, now: datetime | None = None):
    now = now or timezone.now()
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for dismissing it.")})
    tipoff = _tipoff_for_triage(user, pk)
    tipoff.status = tipoff.Status.DISMISSED
    tipoff.handling_note = reason.strip()
    tipoff.handled_by = user
    tipoff.handled_at = now
    tipoff.save()
    return tipoff
