"""Opening, meeting and cancelling clocks. The report services call these inside their own
transaction (docs/ARCHITECTURE.md, "Dependencies": reports and review open and meet clocks
through this module only)."""

from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import router, transaction
from django.db.models import Min
from django.utils import timezone

from core.changes import save_changed
from core.compiled import ID, CompiledRead, compile_read, run_read
from core.history import history_create
from core.tasks import enqueue_on_commit
from reports.models import Report

from .. import rules
from ..constants import Kind, Outcome
from ..models import Deadline, EscalationPolicy
from ..selectors import deadlines_coming


def _open_clocks(report, kind) -> list[Deadline]:
    """The open clocks of a kind: at most one, but for information requests (a report may
    have several requests open at once)."""
    return list(
        Deadline.objects.select_for_update()
        .filter(report=report, kind=kind, outcome=Outcome.OPEN)
        .order_by("opened_at", "pk")
    )


def _open_clock(report, kind):
    clocks = _open_clocks(report, kind)
    return clocks[0] if clocks else None


def sync_next_due(report) -> None:
    """Keep `Report.next_due_at` (the earliest open clock, which the queues sort on) equal
    to what the clock table says. A derived column, outside the report's history."""
    value = Deadline.objects.filter(report_id=report.pk, outcome=Outcome.OPEN).aggregate(
        at=Min("due_at")
    )["at"]
    report.next_due_at = value
    Report.objects.filter(pk=report.pk).update(next_due_at=value)


def _set_times(deadline: Deadline, *, opened_at, policy, now, due_at=None) -> None:
    times = rules.deadline_times(deadline.kind, opened_at, policy, due_at)
    deadline.opened_at = opened_at
    deadline.statutory_due_at = times.statutory_due_at
    deadline.due_at = times.due_at
    deadline.act_at = times.act_at
    deadline.remind_at = [t.isoformat() for t in times.remind_at]
    progress, fire = rules.opening(times, now)
    deadline.reminders_sent = progress.reminders_sent
    deadline.policy_channel = policy.channel
    deadline.policy_within = rules.policy_window(deadline.kind, policy)
    deadline.policy_margin = policy.auto_forward_margin if deadline.kind == Kind.FORWARD else None
    deadline.lateness = None
    deadline.next_fire_at = fire


def _horizon() -> timedelta:
    return timedelta(seconds=settings.ESCALATION_ETA_HORIZON_SECONDS)


def schedule(deadline: Deadline, now: datetime) -> None:
    """An ETA task for the next instant, sent after commit, when that instant is within the
    horizon (`ESCALATION_ETA_HORIZON_SECONDS`); a later one is published by the sweep whose
    window reaches it (`schedule_coming`). Never a far ETA (docs/ARCHITECTURE.md, "Clocks
    and escalation"). The sweep acting on what is due is the safety net."""
    if deadline.next_fire_at is None:
        return
    if deadline.next_fire_at - now > _horizon():
        return
    enqueue_on_commit("escalation.deadline_act", deadline.pk, eta=deadline.next_fire_at)


def schedule_coming(*, since: datetime | None, now: datetime, besides=frozenset()) -> int:
    """The sweep's share of `schedule`: an ETA task for each clock whose next instant came
    within the horizon since the sweep before (`since`), i.e. in (since + horizon, now +
    horizon], and is not due yet (the sweep acts on those itself), but those in `besides`
    (the clocks the sweep has just acted on: `schedule` sent theirs). Successive sweeps'
    windows follow one another, so each instant is published once. Sent on commit (at once
    outside a transaction, as the sweep runs). Returns how many clocks it scheduled."""
    horizon = _horizon()
    start = now if since is None else max(since + horizon, now)
    coming = [
        (pk, at)
        for pk, at in deadlines_coming(after=start, until=now + horizon)
        if pk not in besides
    ]
    for pk, at in coming:
        enqueue_on_commit("escalation.deadline_act", pk, eta=at)
    return len(coming)


@transaction.atomic(savepoint=False)  # called inside the report services' transaction
def deadline_open(
    *, report, kind: str, opened_at: datetime, now: datetime | None = None, due_at=None
) -> Deadline:
    """Open a clock, or return the one already open. A draft's filing clock follows edits
    of `discovered_at` and of the channel; otherwise a clock keeps the values it opened with."""
    now = now or timezone.now()
    existing = None if kind == Kind.INFO_REQUEST else _open_clock(report, kind)
    if existing is not None:
        unchanged = existing.opened_at == opened_at and existing.policy_channel == report.channel
        if unchanged or kind != Kind.FILE:
            return existing
        deadline = existing
    else:
        deadline = Deadline(report=report, kind=kind)
    policy = EscalationPolicy.snapshot_for(report.channel)
    if existing is not None and (existing.lateness is not None or existing.is_breached(now)):
        return _move_breached(existing, opened_at=opened_at, policy=policy, now=now)
    _set_times(deadline, opened_at=opened_at, policy=policy, now=now, due_at=due_at)
    deadline.save()
    sync_next_due(report)
    schedule(deadline, now)
    return deadline


def _move_breached(deadline: Deadline, *, opened_at, policy, now) -> Deadline:
    """A breached filing clock whose start moves: see `_moved_breached_times`."""
    if _moved_breached_times(deadline, opened_at=opened_at, policy=policy, now=now):
        deadline.save()
        sync_next_due(deadline.report)
        schedule(deadline, now)
    return deadline


def _moved_breached_times(deadline: Deadline, *, opened_at, policy, now) -> bool:
    """A breached filing clock whose start moves (backdating `discovered_at`, a new channel):
    the breach stands. A later or looser limit changes nothing; an earlier or stricter one
    moves the clock and adds to the lateness already recorded. Says whether it moved (the
    caller saves it)."""
    times = rules.deadline_times(deadline.kind, opened_at, policy)
    if times.statutory_due_at >= deadline.statutory_due_at:
        return False
    earlier_by = deadline.statutory_due_at - times.statutory_due_at
    deadline.opened_at = opened_at
    deadline.statutory_due_at = times.statutory_due_at
    deadline.due_at = times.due_at
    deadline.remind_at = [t.isoformat() for t in times.remind_at]
    deadline.reminders_sent = len(times.remind_at)  # too late for reminders
    deadline.policy_channel = policy.channel
    deadline.policy_within = rules.policy_window(deadline.kind, policy)
    if deadline.lateness is not None:
        deadline.lateness += earlier_by
    deadline.next_fire_at = rules.pending_fire(deadline.times, deadline.progress)
    if deadline.next_fire_at is not None:
        deadline.next_fire_at = max(deadline.next_fire_at, now)
    return True


@transaction.atomic(savepoint=False)  # called inside the report services' transaction
def deadline_meet(*, report, kind: str, at: datetime) -> Deadline | None:
    """Meet the open clock of a kind (every open one, for information requests: a
    follow-up answers them all). Returns the first, or None when none was open."""
    clocks = _open_clocks(report, kind)
    for deadline in clocks:
        _meet(deadline, at)
        deadline.save()
    if clocks:
        sync_next_due(report)
    return clocks[0] if clocks else None


@transaction.atomic(savepoint=False)  # called inside the report services' transaction
def deadline_cancel(*, report, kind: str, at: datetime, reason: str) -> Deadline | None:
    """Close the open clock of a kind (every open one, for information requests) as no
    longer required. Returns the first, or None when none was open."""
    clocks = _open_clocks(report, kind)
    for deadline in clocks:
        _cancel(deadline, at, reason)
        deadline.save()
    if clocks:
        sync_next_due(report)
    return clocks[0] if clocks else None


def _meet(deadline: Deadline, at: datetime) -> None:
    deadline.met_at = at
    deadline.outcome, deadline.lateness = rules.met_outcome(
        at, deadline.due_at, deadline.statutory_due_at, deadline.has_statutory_limit
    )
    deadline.next_fire_at = None


def _cancel(deadline: Deadline, at: datetime, reason: str) -> None:
    deadline.outcome = Outcome.NOT_REQUIRED
    deadline.closed_reason = reason
    deadline.acted_at = at
    deadline.next_fire_at = None


@cache
def _clocks_read(alias: str) -> CompiledRead:
    queryset = Deadline.objects.using(alias).select_for_update().filter(report_id=ID)
    return compile_read(queryset.order_by("opened_at", "pk"))


def clocks_for_update(report) -> list[Deadline]:
    """Every clock of the report, locked, in their order: one read a service can share with
    `deadlines_apply` (its `clocks`) when it must look at them first. Compiled once per
    process (`core.compiled`)."""
    alias = router.db_for_write(Deadline)  # a lock: the primary
    return run_read(alias, _clocks_read(alias), report.pk)


@transaction.atomic(savepoint=False)  # called inside the report services' transaction
def deadlines_apply(
    *,
    report,
    now: datetime,
    open: tuple = (),
    meet: tuple = (),
    cancel: dict | None = None,
    new_report: bool = False,
    clocks: list[Deadline] | None = None,
) -> list[Deadline]:
    """Several clock changes of one report in a fixed number of queries, for the write path
    of creation and submission (docs/ARCHITECTURE.md, "The write path"): `open` — (kind,
    opened_at) pairs, as `deadline_open` —, then `meet` — kinds, as `deadline_meet` —, then
    `cancel` — {kind: reason}, as `deadline_cancel`. One read of the report's clocks (none
    for a report just inserted: `new_report`; none when the caller read them with
    `clocks_for_update` and passes them as `clocks`), one write per changed clock, one insert of
    the new ones, one insert of their history.

    Sets `report.next_due_at`; the caller saves the report. Returns every clock of the
    report, in their order."""
    if clocks is None:
        clocks = [] if new_report else clocks_for_update(report)
    clocks = list(clocks)
    created: list[Deadline] = []
    changed: list[Deadline] = []

    def first_open(kind):
        return next((d for d in clocks if d.kind == kind and d.outcome == Outcome.OPEN), None)

    def touch(deadline):
        if deadline not in created and deadline not in changed:
            changed.append(deadline)

    for kind, opened_at in open:
        existing = None if kind == Kind.INFO_REQUEST else first_open(kind)
        if existing is not None:
            unchanged = (
                existing.opened_at == opened_at and existing.policy_channel == report.channel
            )
            if unchanged or kind != Kind.FILE:
                continue
            deadline = existing
            if existing.lateness is not None or existing.is_breached(now):
                policy = EscalationPolicy.snapshot_for(report.channel)
                if _moved_breached_times(existing, opened_at=opened_at, policy=policy, now=now):
                    touch(existing)
                continue
            touch(deadline)
        else:
            deadline = Deadline(report=report, kind=kind)
            created.append(deadline)
            clocks.append(deadline)
        policy = EscalationPolicy.snapshot_for(report.channel)
        _set_times(deadline, opened_at=opened_at, policy=policy, now=now)
    for kind in meet:
        for deadline in clocks:
            if deadline.kind == kind and deadline.outcome == Outcome.OPEN:
                _meet(deadline, now)
                touch(deadline)
    for kind, reason in (cancel or {}).items():
        for deadline in clocks:
            if deadline.kind == kind and deadline.outcome == Outcome.OPEN:
                _cancel(deadline, now, reason)
                touch(deadline)

    for deadline in changed:
        deadline.skip_history_when_saving = True
        save_changed(deadline)
        del deadline.skip_history_when_saving
    if created:
        Deadline.objects.bulk_create(created)
    history_create(Deadline, [(d, "~") for d in changed] + [(d, "+") for d in created])
    for deadline in changed + created:
        schedule(deadline, now)
    report.next_due_at = min((d.due_at for d in clocks if d.outcome == Outcome.OPEN), default=None)
    return sorted(clocks, key=lambda d: (d.opened_at, d.pk))


def clocks_of(reports) -> dict[int, list[Deadline]]:
    """`clocks_for_update` of several reports in one query: {report pk: its clocks}."""
    found: dict[int, list[Deadline]] = {}
    for deadline in (
        Deadline.objects.select_for_update()
        .filter(report_id__in=[r.pk for r in reports])
        .order_by("opened_at", "pk")
    ):
        found.setdefault(deadline.report_id, []).append(deadline)
    return found


def clocks_met(report, clocks: list[Deadline], kind: str, at: datetime) -> list[Deadline]:
    """`deadline_meet` in memory, on the report's clocks read already (all of them): meets
    the open clocks of a kind, sets `report.next_due_at`, and returns the clocks it met, for
    the caller to save with their history."""
    met = [d for d in clocks if d.kind == kind and d.outcome == Outcome.OPEN]
    for deadline in met:
        _meet(deadline, at)
    report.next_due_at = min((d.due_at for d in clocks if d.outcome == Outcome.OPEN), default=None)
    return met


def kinds_opened(report) -> set[str]:
    """The kinds of clock the report has had (open or not)."""
    return set(Deadline.objects.filter(report=report).values_list("kind", flat=True))
