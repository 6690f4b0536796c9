"""Acting on due clocks: reminders (once each), the automatic forward, the statutory
breach and the missed report it may mean, and the sweep that finds what is due. One
idempotent service, `deadline_act`, for the ETA task and the sweep alike."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import history_create
from notifications.models import Notification
from notifications.services import notification_rows, notifications_create, notify_users
from reports.events import report_event_create
from reports.models import ReportEvent
from reports.services.clocks import report_mark_missed
from reports.services.recipients import (
    members_grouped,
    receiving_reviewers,
    reporters,
    reporters_of_q,
    reviewers_of_q,
)
from review.services.forwarding import report_forward, reports_forward_automatically

from .. import rules
from ..constants import Kind, Outcome
from ..models import Deadline, SweepHeartbeat
from ..selectors import deadlines_due
from .clocks import schedule, schedule_coming


def _reminder_recipients(deadline: Deadline) -> list:
    report = deadline.report
    if deadline.kind == Kind.FORWARD:
        if report.assignee_id:
            return [report.assignee]
        return receiving_reviewers(report)
    return reporters(report)


def _fmt(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")


def _outage_cause(scheduled: datetime, now: datetime, last_sweep: datetime | None) -> str:
    """Why an act came late, as far as the portal can tell: no sweep ran between the
    scheduled instant and now."""
    grace = timedelta(seconds=2 * settings.ESCALATION_SWEEP_SECONDS + 1)
    if now - scheduled <= grace:
        return ""
    since = last_sweep if last_sweep and last_sweep <= scheduled else scheduled
    return _("Workers unavailable from %(start)s to %(end)s (acted %(lag)s s after schedule).") % {
        "start": _fmt(since),
        "end": _fmt(now),
        "lag": int((now - scheduled).total_seconds()),
    }


def _reminder_message(deadline: Deadline) -> str:
    left = timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")
    return _("Reminder: %(clock)s for %(ref)s is due at %(due)s.") % {
        "clock": deadline.get_kind_display(),
        "ref": deadline.report.reference,
        "due": left,
    }


def _breach(deadline: Deadline, now: datetime, cause: str) -> ReportEvent | None:
    """An open clock past its statutory limit, breach not yet recorded: record it on the
    clock (lateness, cause) and return its event, unsaved."""
    breached = (
        deadline.has_statutory_limit
        and deadline.outcome == Outcome.OPEN
        and now > deadline.statutory_due_at
    )
    if not breached or deadline.lateness is not None:
        return None
    deadline.lateness = now - deadline.statutory_due_at
    deadline.late_cause = deadline.late_cause or cause
    return ReportEvent(
        report=deadline.report,
        kind=ReportEvent.Kind.DEADLINE_BREACHED,
        at=now,
        automatic=True,
        note=_("%(clock)s: statutory limit passed at %(due)s")
        % {"clock": deadline.get_kind_display(), "due": _fmt(deadline.statutory_due_at)},
    )


def _set_next_fire(deadline: Deadline) -> None:
    deadline.next_fire_at = (
        rules.pending_fire(deadline.times, deadline.progress)
        if deadline.outcome == Outcome.OPEN
        else None
    )


def _due_reminders(deadline: Deadline, now: datetime) -> list[datetime]:
    """The clock's reminder instants passed and not yet sent."""
    return [t for t in deadline.times.remind_at[deadline.reminders_sent :] if t <= now]


def _act_note(deadline: Deadline, cause: str) -> str:
    """The automatic forward's note: when it was due, and why it is late, if it is."""
    note = _("Forwarded automatically: nobody forwarded it by %(act)s.") % {
        "act": _fmt(deadline.act_at)
    }
    return f"{note} {cause}" if cause else note


def _acting(deadline: Deadline, now: datetime) -> bool:
    """The automatic action (the forward) is due on this open clock."""
    return deadline.act_at is not None and deadline.act_at <= now and deadline.acted_at is None


def deadline_act(
    *, deadline_id: int, now: datetime | None = None, last_sweep: datetime | None = None
) -> None:
    """The idempotent core: act on a due clock — reminders (once each), the automatic
    forward, the statutory breach — then set the next instant or NULL. The row lock (SKIP
    LOCKED) and the state on the row make a duplicate, a retry or a concurrent sweep a no-op."""
    now = now or timezone.now()
    with transaction.atomic():
        deadline = (
            Deadline.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("report", "report__assignee")
            .filter(pk=deadline_id, next_fire_at__lte=now)
            .first()
        )
        if deadline is None:
            return
        if deadline.outcome != Outcome.OPEN:
            deadline.next_fire_at = None
            deadline.save(update_fields=["next_fire_at"])
            return
        report = deadline.report
        cause = _outage_cause(deadline.next_fire_at, now, last_sweep)

        due_reminders = _due_reminders(deadline, now)
        acting = _acting(deadline, now)
        if due_reminders and not acting:
            message = _reminder_message(deadline)
            notify_users(
                users=_reminder_recipients(deadline),
                kind=Notification.Kind.REMINDER,
                report=report,
                message=message,
                now=now,
            )
            report_event_create(
                report=report, kind=ReportEvent.Kind.REMINDED, at=now, automatic=True, note=message
            )
        deadline.reminders_sent += len(due_reminders)

        forwarded_state = None
        if acting:
            deadline.acted_at = now
            note = _act_note(deadline, cause)
            late_cause = deadline.late_cause
            if cause:
                deadline.late_cause = cause  # kept only if the forward meets the clock
            # the forward meets this clock in memory (the same object) and saves it
            report_forward(
                user=None, pk=report.pk, automatic=True, now=now, note=note, clock=deadline
            )
            if deadline.outcome in (Outcome.LATE, Outcome.MET):
                forwarded_state = _state(deadline)
            else:
                deadline.late_cause = late_cause

        breach = _breach(deadline, now, cause)
        if breach is not None:
            breach.save()
            if deadline.kind == Kind.FILE:
                report_mark_missed(report=report, now=now)
        _set_next_fire(deadline)
        if forwarded_state is None or _state(deadline) != forwarded_state:
            deadline.save()  # (the forward saved it already when nothing changed since)
        schedule(deadline, now)


def _state(deadline: Deadline) -> dict:
    return {f.attname: getattr(deadline, f.attname) for f in Deadline._meta.concrete_fields}


BEHIND = timedelta(milliseconds=100)  # a worker this late has others due too, most likely


def deadline_act_and_due(
    *,
    deadline_id: int,
    now: datetime | None = None,
    last_sweep: datetime | None = None,
    scheduled: datetime | None = None,
    batch: int = 200,
) -> None:
    """The ETA task's work. On time (within `BEHIND` of the instant it was `scheduled` for):
    `deadline_act`, its clock alone. Behind (or not sent for an instant): its clock and, in
    the same pass (`deadlines_act`), every other clock already due — a clock worker that fell
    behind catches up in bulk, and the tasks of the clocks it took find nothing left to do."""
    now = now or timezone.now()
    if scheduled is not None and now - scheduled <= BEHIND:
        deadline_act(deadline_id=deadline_id, now=now, last_sweep=last_sweep)
        return
    others = [pk for pk in deadlines_due(now=now, limit=batch) if pk != deadline_id]
    if not others:
        deadline_act(deadline_id=deadline_id, now=now, last_sweep=last_sweep)
        return
    deadlines_act(ids=[deadline_id, *others], now=now, last_sweep=last_sweep)


def deadlines_act(
    *, ids: list[int], now: datetime | None = None, last_sweep: datetime | None = None
) -> None:
    """`deadline_act` for several due clocks at once (the sweep's batch), with the same
    outcomes, events and notifications, each clock judged on its own: the reminders and the
    breaches in one transaction and a fixed number of queries (the clocks locked and read in
    one query, their recipients in one, then one INSERT each of notifications, events and
    clock history, one UPDATE of the clocks); each automatic forward then in a transaction
    of its own (`deadline_act`)."""
    now = now or timezone.now()
    forwards = []
    with transaction.atomic():
        clocks = list(
            Deadline.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("report", "report__assignee")
            .filter(pk__in=ids, next_fire_at__lte=now)
            .order_by("next_fire_at", "pk")
        )
        changed, reminded, events = [], [], []
        for deadline in clocks:
            if deadline.outcome != Outcome.OPEN:
                deadline.next_fire_at = None
                changed.append(deadline)
                continue
            if _acting(deadline, now):
                forwards.append(deadline)
                continue
            cause = _outage_cause(deadline.next_fire_at, now, last_sweep)
            due = _due_reminders(deadline, now)
            if due:
                message = _reminder_message(deadline)
                reminded.append((deadline, message))
                events.append(
                    ReportEvent(
                        report=deadline.report,
                        kind=ReportEvent.Kind.REMINDED,
                        at=now,
                        automatic=True,
                        note=message,
                    )
                )
            deadline.reminders_sent += len(due)
            breach = _breach(deadline, now, cause)
            if breach is not None:
                events.append(breach)
                if deadline.kind == Kind.FILE:
                    report_mark_missed(report=deadline.report, now=now)
            _set_next_fire(deadline)
            changed.append(deadline)
        _remind(reminded, now)
        ReportEvent.objects.bulk_create(events)
        refused = _forward(forwards, now, last_sweep, changed)
        if changed:
            Deadline.objects.bulk_update(changed, CHANGED_FIELDS)
            history_create(Deadline, [(d, "~") for d in changed])
        for deadline in changed:
            schedule(deadline, now)
    for deadline in refused:  # one by one, as before (the clock is still due)
        deadline_act(deadline_id=deadline.pk, now=now, last_sweep=last_sweep)


CHANGED_FIELDS = [
    "reminders_sent",
    "lateness",
    "late_cause",
    "next_fire_at",
    "acted_at",
    "met_at",
    "outcome",
]


def _forward(clocks: list, now: datetime, last_sweep, changed: list) -> list:
    """The automatic forwards of a batch (`reports_forward_automatically`), each clock
    recorded as `deadline_act` records it: reminders due with it counted as sent without a
    notification, acted, met, the cause of a late act. Returns the clocks it could not
    forward (for `deadline_act`, one by one)."""
    notes, causes = {}, {}
    for deadline in clocks:
        causes[deadline.pk] = _outage_cause(deadline.next_fire_at, now, last_sweep)
        notes[deadline.pk] = _act_note(deadline, causes[deadline.pk])
    refused = reports_forward_automatically(clocks=clocks, now=now, notes=notes)
    for deadline in clocks:
        if deadline in refused:
            continue
        deadline.reminders_sent += len(_due_reminders(deadline, now))
        deadline.acted_at = now
        if causes[deadline.pk] and deadline.outcome in (Outcome.LATE, Outcome.MET):
            deadline.late_cause = causes[deadline.pk]
        _set_next_fire(deadline)
        changed.append(deadline)
    return refused


def _remind(reminded: list, now: datetime) -> None:
    """The reminders' notifications, their recipients read in one query (as
    `_reminder_recipients`: a forward clock's assignee or the receiving reviewers, another
    clock's reporters)."""
    if not reminded:
        return
    authorities, organizations = set(), set()
    for deadline, _message in reminded:
        if deadline.kind == Kind.FORWARD:
            if not deadline.report.assignee_id:
                authorities.add(deadline.report.receiving_authority_id)
        else:
            organizations.add(deadline.report.organization_id)
    groups = {}
    if authorities:
        groups["reviewers"] = reviewers_of_q(authorities)
    if organizations:
        groups["reporters"] = reporters_of_q(organizations)
    found = members_grouped(**groups, with_membership=True) if groups else {}
    reviewers, reporters_of = defaultdict(list), defaultdict(list)
    for membership in found.get("reviewers", []):
        reviewers[membership.authority_id].append(membership.user)
    for membership in found.get("reporters", []):
        reporters_of[membership.organization_id].append(membership.user)
    rows = []
    for deadline, message in reminded:
        report = deadline.report
        if deadline.kind == Kind.FORWARD:
            users = (
                [report.assignee]
                if report.assignee_id
                else reviewers[report.receiving_authority_id]
            )
        else:
            users = reporters_of[report.organization_id]
        rows += notification_rows(
            users=users, kind=Notification.Kind.REMINDER, report=report, message=message, now=now
        )
    notifications_create(rows)


def deadlines_sweep(*, now: datetime | None = None, batch: int = 200) -> int:
    """The safety net (beat, every ESCALATION_SWEEP_SECONDS): record the heartbeat, act on
    every due clock, then publish the ETA tasks of the clocks whose next instant came within
    the horizon since the sweep before (`schedule_coming`). Returns how many clocks were
    acted on."""
    now = now or timezone.now()
    with transaction.atomic():
        beat, _created = SweepHeartbeat.objects.select_for_update().get_or_create(pk=1)
        last_sweep = beat.last_run_at
        beat.last_run_at = now
        beat.save(update_fields=["last_run_at"])
    acted: set[int] = set()
    while True:
        ids = deadlines_due(now=now, limit=batch)
        deadlines_act(ids=ids, now=now, last_sweep=last_sweep)
        acted.update(ids)
        if len(ids) < batch:
            break
    # due clocks first; those acted on got their next instant's task from `schedule`
    schedule_coming(since=last_sweep, now=now, besides=acted)
    done = len(acted)
    SweepHeartbeat.objects.filter(pk=1).update(acted=done)
    return done


def last_sweep_at() -> datetime | None:
    beat = SweepHeartbeat.objects.filter(pk=1).first()
    return beat.last_run_at if beat else None
