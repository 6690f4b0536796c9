"""Passing a serious report to the national tier (by hand, or by the escalation engine
before the limit), and recording the departments notified (通报)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, SameLevelDepartment
from core.exceptions import InvalidTransition
from core.history import history_create
from escalation.constants import Kind
from escalation.services.clocks import (
    clocks_for_update,
    clocks_met,
    clocks_of,
    deadlines_apply,
)
from notifications.models import Notification
from notifications.services import notification_rows, notifications_create
from reports.constants import Channel, Tier
from reports.events import report_event_create
from reports.models import Forwarding, Report, ReportEvent
from reports.routing import copies_national_police_at_forward, national_police
from reports.services.actions import begin, check, finish
from reports.services.recipients import (
    members_grouped,
    national_officials_q,
    receiving_reviewers_q,
    reporters_of_q,
    reporters_q,
    reviewers_of_q,
)

from ..selectors import configured_same_level_departments


def same_level_notice(
    report,
    *,
    departments: list[str] | None,
    reason: str,
    automatic: bool,
    configured: list[SameLevelDepartment] | None = None,
) -> tuple[list[SameLevelDepartment], str]:
    """Art. 4, general channel: the provincial CAC reports a serious incident to the national
    CAC "and at the same time notifies the relevant departments at the same level". Which
    departments are notified at forwarding, or why none is (docs/DECISIONS.md):

    * a reviewer picks them (codes of the province's configured departments) or gives the
      reason none is notified; picking none without a reason is a field error;
    * not said at all (`departments` None and no reason: the automatic forward, an API call
      without the fields) → the province's configured departments; with none configured the
      automatic forward records that, a reviewer must give the reason.

    Other channels notify no same-level department here (the CII channel copies the
    Ministry of Public Security instead); naming one there is a field error."""
    reason = (reason or "").strip()
    if report.channel != Channel.GENERAL:
        if departments or reason:
            raise ValidationError(
                {
                    "same_level_departments": _(
                        "Same-level departments are notified at forwarding on the general "
                        "channel only (a provincial cyberspace administration's report)."
                    )
                }
            )
        return [], ""
    if configured is None:
        configured = configured_same_level_departments(report)
    if departments is None and not reason:
        if configured:
            return configured, ""
        if automatic:
            return [], _("No same-level department is configured for this province.")
        raise ValidationError(
            {
                "same_level_departments": _(
                    "No same-level department is configured for this province: give the "
                    "reason none is notified."
                )
            }
        )
    codes = list(dict.fromkeys(c.strip() for c in departments or [] if c and c.strip()))
    if codes and reason:
        raise ValidationError(
            {
                "same_level_reason": _(
                    "Give a reason only when no same-level department is notified."
                )
            }
        )
    if not codes and not reason:
        raise ValidationError(
            {
                "same_level_departments": _(
                    "Pick at least one same-level department to notify, or give the reason "
                    "none is notified."
                )
            }
        )
    by_code = {d.code: d for d in configured}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        raise ValidationError(
            {
                "same_level_departments": _(
                    "Not a same-level department configured for this province: %(codes)s."
                )
                % {"codes": ", ".join(unknown)}
            }
        )
    return [by_code[c] for c in codes], reason


@transaction.atomic
def report_forward(
    *,
    user,
    pk,
    automatic: bool = False,
    now: datetime | None = None,
    note: str = "",
    version: int | None = None,
    same_level_departments: list[str] | None = None,
    same_level_reason: str = "",
    clock=None,
) -> Report:
    """Pass a serious report to the national tier. One service for the manual action and the
    automatic escalation: the row lock, the workflow's rules (serious, not yet forwarded) and
    the one-to-one `Forwarding` make it happen once. On the general channel the same-level
    departments are notified and recorded (`same_level_notice`).

    `clock`: the escalation engine's forward clock, already locked and read; it is met in
    memory and saved with the others (not read again). In a fixed number of queries: the
    report, its clocks, the configured departments, the recipients are each read once;
    notifications and clock history are written in one INSERT each."""
    now = now or timezone.now()
    if automatic:
        user = None
        same_level_departments, same_level_reason = None, ""
    try:
        report, _role, to_status = begin(user, pk, "forward", version=version)
    except InvalidTransition:
        if automatic:
            return Report.objects.get(pk=pk)  # already forwarded or closed: nothing to do
        raise
    notified, why_none = same_level_notice(
        report,
        departments=same_level_departments,
        reason=same_level_reason,
        automatic=automatic,
    )
    forwarding = Forwarding.objects.create(
        report=report,
        at=now,
        actor=user,
        automatic=automatic,
        from_authority=report.receiving_authority,
        same_level_reason=why_none,
    )
    if notified:
        forwarding.same_level_departments.add(*notified)  # a new forwarding: none to keep
    clocks = clocks_for_update(report)
    if clock is not None:
        clocks = [clock if c.pk == clock.pk else c for c in clocks]
    deadlines_apply(report=report, now=now, meet=(Kind.FORWARD,), clocks=clocks)
    report.tier = Tier.NATIONAL
    report.status = to_status
    report.assignee = None
    report.forwarded_at = now
    finish(report, ["tier", "status", "assignee", "forwarded_at", "next_due_at"])
    mps = None
    if copies_national_police_at_forward(report.channel):
        mps = national_police()
        report.copied_to.add(mps)
    report_event_create(
        report=report,
        kind=ReportEvent.Kind.FORWARDED,
        at=now,
        actor=user,
        automatic=automatic,
        note=forward_note(note, automatic=automatic, mps=mps),
    )
    same_level = [d.authority for d in notified if d.authority_id]
    if same_level:
        report.copied_to.add(*same_level)
    groups = {"national": national_officials_q(), "reporters": reporters_q(report)}
    if same_level:
        groups["same_level"] = Q(authority_id__in=[a.pk for a in same_level])
    if mps is not None:
        groups["police"] = Q(authority_id=mps.pk)
    if automatic:
        groups["receiving"] = receiving_reviewers_q(report)
    told = members_grouped(**groups)
    rows = []
    if same_level:
        rows += same_level_rows(report, told["same_level"], now=now)
    rows += notification_rows(
        users=told["national"]
        + told.get("police", [])
        + told.get("receiving", [])
        + told["reporters"],
        kind=Notification.Kind.FORWARDED,
        report=report,
        message=forwarded_message(report, automatic=automatic),
        now=now,
    )
    notifications_create(rows)
    return report


def forward_note(note: str, *, automatic: bool, mps) -> str:
    """The forward event's note: the caller's (or, automatic, the default one), and the copy
    to the Ministry of Public Security (`mps`) when there is one."""
    note = note or (_("Forwarded automatically before the limit.") if automatic else "")
    if mps is None:
        return note
    return " ".join(filter(None, [note, _("Copied to %(mps)s.") % {"mps": mps.name}]))


def forwarded_message(report, *, automatic: bool) -> str:
    return (
        _("%(ref)s was forwarded automatically to the national tier.")
        if automatic
        else _("%(ref)s was forwarded to the national tier.")
    ) % {"ref": report.reference}


def reports_forward_automatically(*, clocks: list, now: datetime, notes: dict) -> list:
    """The automatic forward of several reports at once (the escalation sweep's batch), in
    the caller's transaction: for each, what `report_forward(automatic=True, clock=...)` does
    — the same rows, events, copies and notifications —, in a fixed number of queries for the
    whole batch. `clocks`: the engine's forward clocks, locked; each is met in memory and
    left for the caller to save (with what it records on the clock). `notes`: each clock's
    note, by its pk. Returns the clocks whose report the workflow did not let it forward
    (already forwarded or closed): untouched, for the caller to act on one by one."""
    if not clocks:
        return []
    reports = {
        r.pk: r
        for r in Report.objects.select_for_update(of=("self",))
        .select_related("receiving_authority")
        .filter(pk__in={c.report_id for c in clocks})
        .order_by("pk")
    }
    refused, going = [], []
    for clock in clocks:
        report = reports.get(clock.report_id)
        try:
            if report is None:
                raise InvalidTransition("")
            _role, to_status = check(None, report, "forward")
        except InvalidTransition:
            refused.append(clock)
            continue
        going.append((clock, report, to_status))
    if not going:
        return refused
    general = {
        r.receiving_authority.province_id for _c, r, _s in going if r.channel == Channel.GENERAL
    }
    configured = {}
    if general:
        for department in (
            SameLevelDepartment.objects.filter(province_id__in=general, active=True)
            .select_related("authority")
            .order_by("pk")
        ):
            configured.setdefault(department.province_id, []).append(department)
    mps = None
    if any(copies_national_police_at_forward(r.channel) for _c, r, _s in going):
        mps = national_police()
    all_clocks = clocks_of(r for _c, r, _s in going)
    forwardings, through, copies, events, others = [], [], [], [], []
    notified_of = {}
    for clock, report, to_status in going:
        notified, why_none = same_level_notice(
            report,
            departments=None,
            reason="",
            automatic=True,
            configured=configured.get(report.receiving_authority.province_id, []),
        )
        notified_of[report.pk] = notified
        forwarding = Forwarding(
            report=report,
            at=now,
            actor=None,
            automatic=True,
            from_authority=report.receiving_authority,
            same_level_reason=why_none,
        )
        forwardings.append((forwarding, notified))
        mine = [clock if c.pk == clock.pk else c for c in all_clocks.get(report.pk, [])]
        others += [c for c in clocks_met(report, mine, Kind.FORWARD, now) if c is not clock]
        report.tier = Tier.NATIONAL
        report.status = to_status
        report.assignee = None
        report.forwarded_at = now
        report.version += 1
        report.updated_at = timezone.now()
        copied_mps = copies_national_police_at_forward(report.channel)
        if copied_mps:
            copies.append((report.pk, mps.pk))
        note = forward_note(
            notes.get(clock.pk, ""), automatic=True, mps=mps if copied_mps else None
        )
        events.append(
            ReportEvent(
                report=report,
                kind=ReportEvent.Kind.FORWARDED,
                at=now,
                actor=None,
                automatic=True,
                note=note,
            )
        )
        copies += [(report.pk, d.authority_id) for d in notified if d.authority_id]
    Forwarding.objects.bulk_create([f for f, _n in forwardings])
    history_create(Forwarding, [(f, "+") for f, _n in forwardings])
    Through = Forwarding.same_level_departments.through
    through = [
        Through(forwarding_id=f.pk, sameleveldepartment_id=d.pk) for f, n in forwardings for d in n
    ]
    if through:
        Through.objects.bulk_create(through, ignore_conflicts=True)
    if others:
        Deadline = type(others[0])
        Deadline.objects.bulk_update(others, ["met_at", "outcome", "lateness", "next_fire_at"])
        history_create(Deadline, [(d, "~") for d in others])
    fields = ["tier", "status", "assignee", "forwarded_at", "next_due_at", "version", "updated_at"]
    forwarded = [r for _c, r, _s in going]
    Report.objects.bulk_update(forwarded, fields)
    history_create(Report, [(r, "~") for r in forwarded])
    Copy = Report.copied_to.through
    if copies:
        Copy.objects.bulk_create(
            [Copy(report_id=r, authority_id=a) for r, a in dict.fromkeys(copies)],
            ignore_conflicts=True,
        )
    ReportEvent.objects.bulk_create(events)
    _tell_forwarded(going, notified_of, mps, now)
    return refused


def _tell_forwarded(going, notified_of, mps, now) -> None:
    """The notifications of `reports_forward_automatically`, as `report_forward` writes
    them, the recipients of the whole batch read in one query."""
    same_level = {d.authority_id for n in notified_of.values() for d in n if d.authority_id}
    groups = {
        "national": national_officials_q(),
        "receiving": reviewers_of_q({r.receiving_authority_id for _c, r, _s in going}),
        "reporters": reporters_of_q({r.organization_id for _c, r, _s in going}),
    }
    if same_level:
        groups["same_level"] = Q(authority_id__in=same_level)
    if mps is not None:
        groups["police"] = Q(authority_id=mps.pk)
    found = members_grouped(with_membership=True, **groups)
    national = [m.user for m in found["national"]]
    police = [m.user for m in found.get("police", [])]
    by_authority, by_organization = {}, {}
    for m in found["receiving"] + found.get("same_level", []):
        by_authority.setdefault(m.authority_id, [])
        if m not in by_authority[m.authority_id]:
            by_authority[m.authority_id].append(m)
    for m in found["reporters"]:
        by_organization.setdefault(m.organization_id, []).append(m.user)
    rows = []
    for _clock, report, _s in going:
        authorities = [d.authority_id for d in notified_of[report.pk] if d.authority_id]
        if authorities:
            staff = sorted(
                (m for a in set(authorities) for m in by_authority.get(a, [])),
                key=lambda m: m.pk,
            )
            rows += same_level_rows(report, [m.user for m in staff], now=now)
        receiving = [
            m.user
            for m in by_authority.get(report.receiving_authority_id, [])
            if m.role == Membership.Role.REVIEWER
        ]
        users = (
            national
            + (police if copies_national_police_at_forward(report.channel) else [])
            + receiving
            + by_organization.get(report.organization_id, [])
        )
        rows += notification_rows(
            users=users,
            kind=Notification.Kind.FORWARDED,
            report=report,
            message=forwarded_message(report, automatic=True),
            now=now,
        )
    notifications_create(rows)


def same_level_rows(report, users, *, now) -> list:
    """The notifications of the staff of same-level departments notified at forwarding that
    have a portal authority (they receive a copy of the report, and read it as public security
    reads the copies it receives)."""
    return notification_rows(
        users=users,
        kind=Notification.Kind.REPORT_RECEIVED,
        report=report,
        message=_(
            "%(ref)s, a serious incident, was reported to the national tier by %(cac)s, "
            "which notifies your department as a same-level department (Art. 4)."
        )
        % {"ref": report.reference, "cac": report.receiving_authority.name},
        now=now,
    )


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
