"""Drafts: creating and editing a report before it is submitted, and what every write of a
report's content shares (applying the reporter's fields, deriving the level, the channel and
the recipients, validating, giving a new report its reference)."""

import hashlib
import json
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.roles import roles_of
from core.exceptions import ActionForbidden, InvalidTransition, RequestMismatch, StaleVersion

from ..constants import Status, max_severity
from ..contents import DRAFT_FIELDS, FLAGS, NULLABLE
from ..events import report_event_create
from ..grading import suggest
from ..indicators import clean_indicators
from ..models import IdempotencyKey, Report, ReportEvent
from ..routing import route
from ..selectors import grading_criteria, report_get
from .clocks import sync_file_clock


def indicator_errors(errors: dict) -> ValidationError:
    return ValidationError(
        {"indicators": [f"{key}: {' '.join(msgs)}" for key, msgs in errors.items()]}
    )


def apply_draft_data(report: Report, data: dict) -> None:
    """Write the reporter's fields (`contents.DRAFT_FIELDS` only) onto the report."""
    unknown = set(data) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
    for name, value in data.items():
        if name == "category":
            report.category_id = getattr(value, "pk", value) or None
        elif name == "indicators":
            cleaned, errors = clean_indicators(value)
            if errors:
                raise indicator_errors(errors)
            report.indicators = cleaned
        else:
            if value is None and name not in NULLABLE:
                value = False if name in FLAGS else ""
            setattr(report, name, value)


def time_errors(report: Report, now: datetime) -> dict:
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


def apply_grading(report: Report) -> None:
    """Suggested level and the level used for clocks: the reviewer's grade once given,
    before that the higher of the declared and the suggested level."""
    suggestion = suggest(report.indicators or {}, grading_criteria())
    report.severity_suggested = suggestion.level
    report.criteria_met = suggestion.as_list()
    report.severity = report.severity_reviewed or max_severity(
        report.severity_declared, report.severity_suggested
    )


def derive(report: Report) -> None:
    """Level, channel and recipients — all server-side, never from the request."""
    apply_grading(report)
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


def validate(report: Report, now: datetime) -> None:
    errors = time_errors(report, now)
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


def save_routed(report: Report, *, fields: list[str] | None = None) -> None:
    report.save(update_fields=fields)
    report.copied_to.set(getattr(report, "_route_copies", ()))


def insert_with_reference(report: Report, now: datetime) -> None:
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
    orgs = roles_of(user).drafting_organizations()
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
        _check_same_request(key, data, organization)
        return key.report, False


def request_fingerprint(data: dict, organization) -> str:
    """SHA-256 of a create request's data (canonical JSON; dates as ISO strings)."""
    payload = {"data": data, "organization": getattr(organization, "pk", organization)}
    canonical = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_same_request(key: IdempotencyKey, data: dict, organization) -> None:
    if key.fingerprint and key.fingerprint != request_fingerprint(data, organization):
        raise RequestMismatch(
            _(
                "This Idempotency-Key was already used for a request with other data "
                "(report %(reference)s). Use a new key for a new report."
            )
            % {"reference": key.report.reference}
        )


@transaction.atomic
def _report_create(
    *, user, data: dict, organization, idempotency_key: str | None, now: datetime | None
) -> tuple[Report, bool]:
    now = now or timezone.now()
    org = _resolve_organization(user, organization)
    if idempotency_key:
        existing = (
            IdempotencyKey.objects.select_related("report")
            .filter(user=user, key=idempotency_key)
            .first()
        )
        if existing:
            _check_same_request(existing, data, organization)
            return existing.report, False
    report = Report(organization=org, created_by=user, status=Status.DRAFT)
    report.involves_cii = org.is_cii_operator
    apply_draft_data(report, data)
    derive(report)
    validate(report, now)
    insert_with_reference(report, now)
    report_event_create(report=report, kind=ReportEvent.Kind.CREATED, at=now, actor=user)
    sync_file_clock(report, now)
    if idempotency_key:
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(
                    user=user,
                    key=idempotency_key,
                    report=report,
                    fingerprint=request_fingerprint(data, organization),
                )
        except IntegrityError:
            # A concurrent request with the same key won: roll ours back, return theirs.
            # (No query may run in this block once it is marked for rollback, so leave it.)
            raise _IdempotencyKeyTaken() from None
    return report, True


def lock_draft(*, user, pk, version: int | None) -> Report:
    report = report_get(user=user, pk=pk, lock=True)
    if not roles_of(user).can_edit_draft(report):
        raise ActionForbidden()
    if version is not None and version != report.version:
        raise StaleVersion()
    return report


@transaction.atomic
def report_update(*, user, pk, data: dict, version: int | None, now: datetime | None = None):
    now = now or timezone.now()
    report = lock_draft(user=user, pk=pk, version=version)
    if report.status != Status.DRAFT:
        raise InvalidTransition(_("Only a draft can be edited; add a follow-up instead."))
    apply_draft_data(report, data)
    derive(report)
    validate(report, now)
    report.version += 1
    save_routed(report)
    sync_file_clock(report, now)
    return report
