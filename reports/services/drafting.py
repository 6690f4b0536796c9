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
from core.changes import save_changed
from core.exceptions import ActionForbidden, InvalidTransition, RequestMismatch, StaleVersion
from core.history import history_create
from core.prefetch import note_written
from escalation.services.clocks import deadlines_apply
from notifications.models import Notification
from notifications.services import notify_users

from ..constants import STATE_SECRETS_REFUSAL, ReceivedVia, Status, max_severity, reference_year
from ..contents import DRAFT_FIELDS, FLAGS, NULLABLE
from ..events import report_event_create
from ..grading import suggest
from ..indicators import clean_indicators
from ..models import Category, IdempotencyKey, Report, ReportEvent
from ..routing import route
from ..selectors import grading_criteria, report_get
from .clocks import (
    cancel_file_clock,
    file_clock_changes,
    had_file_clock,
    record_discovery_change,
    sync_file_clock,
)
from .recipients import reporters


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
            if isinstance(value, Category):  # a form or serializer checked it is a leaf
                report.category = value
            else:
                report.category_id = value or None
                report.category_unchecked = True
        elif name == "cii_sector":
            report.cii_sector_id = getattr(value, "pk", value) or None
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
        cii_sector=report.cii_sector_id,
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
        # The category is checked (it exists, and is a sub-category) where it was given: by
        # the form or serializer that turned the code into a category, else here once.
        checked = [] if getattr(report, "category_unchecked", False) else ["category"]
        report.full_clean(
            exclude=["reference", *SERVER_SET_RELATIONS, *checked], validate_constraints=False
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


def save_copies(report: Report) -> None:
    """Write the route's copies (`derive`): only the difference from the copies the report
    had — known without a read for a new report, and for one locked by `report_get`
    (`held_copies`, on PostgreSQL)."""
    copies = getattr(report, "_route_copies", ())
    held = [] if getattr(report, "_new_row", False) else getattr(report, "held_copies", None)
    if held is None:
        report.copied_to.set(copies)
    else:
        wanted = {a.pk for a in copies}
        held = frozenset(pk for pk in held if pk is not None)
        through = Report.copied_to.through
        if held - wanted:
            through.objects.filter(report_id=report.pk, authority_id__in=held - wanted).delete()
        if wanted - held:
            through.objects.bulk_create(
                [through(report_id=report.pk, authority_id=pk) for pk in sorted(wanted - held)]
            )
        report.held_copies = sorted(wanted)
    note_written(report, copied_to=list(copies))


def save_routed(report: Report) -> None:
    """Save what changed of a report read for update (`core.changes`), its history row (as the
    signal would write it) and its copies."""
    report.skip_history_when_saving = True
    save_changed(report)
    del report.skip_history_when_saving
    history_create(Report, [(report, "~")])
    save_copies(report)


def insert_with_reference(report: Report, now: datetime) -> list:
    """Insert a new report with its readable reference (`CSIR-<year>-<id>`, unique because
    the id is), its copies and its clocks; one history row, carrying the reference. Returns
    the clocks opened."""
    report.skip_history_when_saving = True
    report.save()
    report._new_row = True
    report.reference = f"CSIR-{reference_year(now)}-{report.pk:06d}"
    clocks = deadlines_apply(
        report=report, now=now, new_report=True, **file_clock_changes(report, now)
    )
    Report.objects.filter(pk=report.pk).update(
        reference=report.reference, next_due_at=report.next_due_at
    )
    del report.skip_history_when_saving
    history_create(Report, [(report, "+")])
    save_copies(report)
    return clocks


def refuse_state_secrets(involves_state_secrets) -> None:
    """Art. 13: a report involving state secrets is not taken here; the caller stores
    nothing (the check comes before any write)."""
    if involves_state_secrets:
        raise ValidationError({"involves_state_secrets": str(STATE_SECRETS_REFUSAL)})


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
    via: str = ReceivedVia.WEB,
    now: datetime | None = None,
    involves_state_secrets: bool | None = None,
) -> Report:
    report, _created = report_create_idempotent(
        user=user,
        data=data,
        organization=organization,
        idempotency_key=idempotency_key,
        via=via,
        now=now,
        involves_state_secrets=involves_state_secrets,
    )
    return report


def report_create_idempotent(
    *,
    user,
    data: dict,
    organization=None,
    idempotency_key: str | None = None,
    via: str = ReceivedVia.WEB,
    now: datetime | None = None,
    involves_state_secrets: bool | None = None,
) -> tuple[Report, bool]:
    """`report_create` that also says whether this call created the report (False: a
    request with the same `Idempotency-Key` made it, earlier or concurrently). A report
    involving state secrets is refused before anything is stored."""
    refuse_state_secrets(involves_state_secrets)
    try:
        return _report_create(
            user=user,
            data=data,
            organization=organization,
            idempotency_key=idempotency_key,
            via=via,
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
    *,
    user,
    data: dict,
    organization,
    idempotency_key: str | None,
    via: str,
    now: datetime | None,
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
    report = Report(organization=org, created_by=user, status=Status.DRAFT, received_via=via)
    report.involves_cii = org.is_cii_operator
    apply_draft_data(report, data)
    derive(report)
    validate(report, now)
    clocks = insert_with_reference(report, now)
    event = report_event_create(report=report, kind=ReportEvent.Kind.CREATED, at=now, actor=user)
    # What the new report holds, as written here: the response needs no read back.
    note_written(
        report,
        deadlines=clocks,
        events=[event],
        followups=[],
        info_requests=[],
        attachments=[],
        forwarding=None,
        summary=None,
        assignee=None,
    )
    if not roles_of(user).reports_for(org.pk):
        # Art. 5: a service provider drafts, the operator reports; its reporters learn of
        # the draft at once (the filing clock may already run)
        notify_users(
            users=reporters(report),
            kind=Notification.Kind.DRAFTED_BY_PROVIDER,
            report=report,
            message=_("%(user)s (service provider) drafted report %(ref)s for %(org)s: %(title)s")
            % {
                "user": user.get_username(),
                "ref": report.reference,
                "org": org.name,
                "title": report.title or "—",
            },
            now=now,
        )
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
def report_update(
    *,
    user,
    pk,
    data: dict,
    version: int | None,
    now: datetime | None = None,
    involves_state_secrets: bool | None = None,
):
    now = now or timezone.now()
    refuse_state_secrets(involves_state_secrets)
    report = lock_draft(user=user, pk=pk, version=version)
    if report.status != Status.DRAFT:
        raise InvalidTransition(_("Only a draft can be edited; add a follow-up instead."))
    discovered_before, had_clock = report.discovered_at, had_file_clock(report)
    apply_draft_data(report, data)
    derive(report)
    validate(report, now)
    report.version += 1
    save_routed(report)
    sync_file_clock(report, now)
    record_discovery_change(report, discovered_before, had_clock=had_clock, user=user, now=now)
    return report


@transaction.atomic
def report_discard(*, user, pk, version: int | None = None, now: datetime | None = None):
    """Discard a draft: it leaves every list and page, its filing clock is cancelled, and its
    row, timeline and history stay. A submitted report cannot be discarded (a record of it is
    evidence, Art. 10), nor a report an authority required (the requirement stands)."""
    now = now or timezone.now()
    report = lock_draft(user=user, pk=pk, version=version)
    if report.status != Status.DRAFT:
        raise InvalidTransition(_("A submitted report cannot be discarded."))
    if report.requested_by_id:
        raise InvalidTransition(
            _("A report an authority required cannot be discarded: file it, or explain in it.")
        )
    report.discarded_at = now
    report.version += 1
    report._change_reason = _("Draft discarded")
    report.save(update_fields=["discarded_at", "version"])
    cancel_file_clock(report, now, _("Draft discarded"))
    report_event_create(report=report, kind=ReportEvent.Kind.DISCARDED, at=now, actor=user)
    return report
