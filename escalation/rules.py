"""PURE: every rule of a clock (docs/ARCHITECTURE.md, "Clocks and escalation"): its
instants from its opening time and the policy in force, the next instant the portal must
act on, the outcome of meeting it, legal lateness, what "overdue" and "breached" mean, and
where a clock stands for display. No ORM, no clock reading: `now` is always a parameter.
The services, the sweep, the pages and the demo generator all call these; none re-derives
them."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from reports.constants import BEIJING, FILE_LIMITS, FORWARD_LIMITS, SUMMARY_LIMIT

from .constants import Kind, Outcome


@dataclass(frozen=True)
class PolicySnapshot:
    channel: str
    file_within: timedelta
    forward_within: timedelta
    auto_forward_margin: timedelta = timedelta(minutes=5)
    reminder_fractions: tuple[float, ...] = (0.5, 0.8)


@dataclass(frozen=True)
class DeadlineTimes:
    statutory_due_at: datetime
    due_at: datetime
    act_at: datetime | None = None
    remind_at: tuple[datetime, ...] = field(default_factory=tuple)
    statutory: bool = True  # False: an authority's own deadline, never a legal breach


# The clocks the measures set. An information request's due time is the authority's own
# deadline: the measures fix no limit for 补报 or 续报 (docs/DECISIONS.md, "Clocks").
STATUTORY_KINDS = frozenset({Kind.FILE, Kind.FORWARD, Kind.SUMMARY})


def has_statutory_limit(kind: str) -> bool:
    return kind in STATUTORY_KINDS


@dataclass(frozen=True)
class Progress:
    """What has been done on an open clock: reminders sent (in order), the automatic
    action taken, the statutory breach recorded."""

    reminders_sent: int = 0
    acted: bool = False
    breach_recorded: bool = False


def statutory_policy(channel: str) -> PolicySnapshot:
    return PolicySnapshot(
        channel=channel, file_within=FILE_LIMITS[channel], forward_within=FORWARD_LIMITS[channel]
    )


def policy_window(kind: str, policy: PolicySnapshot) -> timedelta:
    """The policy window recorded on a clock of this kind: the filing window for the
    filing clock, the forward window for the others (for reference: a summary or an
    information request clock has its own limit)."""
    return policy.file_within if kind == Kind.FILE else policy.forward_within


def summary_due(handling_ended_at: datetime) -> datetime:
    """Art. 8's 30 days, counted by days as the Civil Code counts them (arts. 201, 203): the
    period starts on the day after handling ended and ends at 24:00 Beijing time of its 30th
    day (00:00 of the day after)."""
    ended_on = handling_ended_at.astimezone(BEIJING).date()
    last_day = ended_on + SUMMARY_LIMIT
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=BEIJING)


def _reminders(opened_at: datetime, window: timedelta, fractions) -> tuple[datetime, ...]:
    return tuple(opened_at + window * f for f in sorted(fractions))


def deadline_times(
    kind: str, opened_at: datetime, policy: PolicySnapshot, due_at: datetime | None = None
) -> DeadlineTimes:
    """`due_at` is given for clocks whose limit a person sets (info requests)."""
    if opened_at.tzinfo is None:
        raise ValueError("opened_at must be timezone-aware")
    if kind == Kind.FILE:
        statutory = opened_at + FILE_LIMITS[policy.channel]
        window = min(policy.file_within, FILE_LIMITS[policy.channel])
        return DeadlineTimes(
            statutory,
            opened_at + window,
            None,
            _reminders(opened_at, window, policy.reminder_fractions),
        )
    if kind == Kind.FORWARD:
        statutory = opened_at + FORWARD_LIMITS[policy.channel]
        window = min(policy.forward_within, FORWARD_LIMITS[policy.channel])
        due = opened_at + window
        act = due - policy.auto_forward_margin
        return DeadlineTimes(
            statutory,
            due,
            act,
            tuple(t for t in _reminders(opened_at, window, policy.reminder_fractions) if t < act),
        )
    if kind == Kind.SUMMARY:
        due = summary_due(opened_at)
        return DeadlineTimes(due, due, None, (due - timedelta(days=7), due - timedelta(days=1)))
    if kind == Kind.INFO_REQUEST:
        if due_at is None:
            raise ValueError("an information request clock needs its due time")
        return DeadlineTimes(
            due_at,
            due_at,
            None,
            _reminders(opened_at, due_at - opened_at, policy.reminder_fractions),
            statutory=False,
        )
    raise ValueError(f"unknown clock kind {kind!r}")


# -- when the portal acts -------------------------------------------------------------------


def pending_fire(times: DeadlineTimes, progress: Progress) -> datetime | None:
    """The next reminder, automatic action or statutory breach still to act on (None:
    nothing left to do). The breach is judged at the statutory limit, never at a stricter
    internal target."""
    candidates = list(times.remind_at[progress.reminders_sent :])
    if times.act_at is not None and not progress.acted:
        candidates.append(times.act_at)
    if times.statutory and not progress.breach_recorded:
        candidates.append(times.statutory_due_at)
    return min(candidates) if candidates else None


def progress_at(times: DeadlineTimes, at: datetime) -> Progress:
    """What a punctual sweep has done on an open clock by `at` (each instant acted on the
    moment it came)."""
    return Progress(
        reminders_sent=sum(1 for t in times.remind_at if t <= at),
        acted=times.act_at is not None and times.act_at <= at,
        breach_recorded=times.statutory and times.statutory_due_at <= at,
    )


def next_fire(times: DeadlineTimes, after: datetime) -> datetime | None:
    """The next instant strictly after `after` at which a punctual sweep acts."""
    return pending_fire(times, progress_at(times, after))


def opening(times: DeadlineTimes, now: datetime) -> tuple[Progress, datetime | None]:
    """A clock opening at `now`: reminders whose time has already passed are not sent late,
    and a clock already overdue when it opens is due at once (the sweep acts now)."""
    progress = Progress(reminders_sent=sum(1 for t in times.remind_at if t <= now))
    fire = pending_fire(times, progress)
    return progress, (max(fire, now) if fire is not None else None)


# -- outcomes -------------------------------------------------------------------------------


def lateness(met_at: datetime, statutory_due_at: datetime) -> timedelta | None:
    """Legal lateness (迟报) is judged against the statutory limit only."""
    return met_at - statutory_due_at if met_at > statutory_due_at else None


def met_outcome(at: datetime, due_at: datetime, statutory_due_at: datetime, statutory=True):
    """Meeting a clock at `at`: `met` by the policy's due time, else `late`; and the legal
    lateness, against the statutory limit only (a stricter target never brands anyone; a
    clock without a statutory limit never has any)."""
    outcome = Outcome.MET if at <= due_at else Outcome.LATE
    return outcome, (lateness(at, statutory_due_at) if statutory else None)


def is_overdue(*, outcome: str, due_at: datetime, now: datetime) -> bool:
    """Still open past the portal's due time (the queues' "overdue")."""
    return outcome == Outcome.OPEN and due_at < now


def is_breached(
    *,
    outcome: str,
    met_at: datetime | None,
    statutory_due_at: datetime,
    now: datetime,
    statutory: bool = True,
) -> bool:
    """Met after, or still open past, the statutory limit (legal lateness). A clock without
    a statutory limit (an information request) is never breached."""
    if not statutory:
        return False
    if met_at is not None:
        return met_at > statutory_due_at
    return outcome == Outcome.OPEN and now > statutory_due_at


# -- display --------------------------------------------------------------------------------


def pick_clock(clocks: Iterable, kind: str):
    """The clock of a kind that matters: the open one, else the latest met, else the latest."""
    same = sorted((c for c in clocks if c.kind == kind), key=lambda c: (c.opened_at, c.pk))
    if not same:
        return None
    live = [c for c in same if c.outcome == Outcome.OPEN]
    if live:
        return live[-1]
    required = [c for c in same if c.outcome != Outcome.NOT_REQUIRED]
    return (required or same)[-1]


def clock_state(deadline, now: datetime) -> dict | None:
    """Where a clock stands against the law: met / late (met after the statutory limit) /
    open with time left / breached (still open past the statutory limit) / no longer
    required."""
    if deadline is None:
        return None
    statutory = has_statutory_limit(deadline.kind)
    if deadline.outcome == Outcome.NOT_REQUIRED:
        state, delta = "not_required", None
    elif not statutory:
        # the authority's own deadline: answered, open, or past the time it asked for
        if deadline.met_at is not None:
            state, delta = "met", None
        elif now > deadline.due_at:
            state, delta = "overdue", now - deadline.due_at
        else:
            state, delta = "open", deadline.due_at - now
    elif deadline.met_at is not None:
        late = lateness(deadline.met_at, deadline.statutory_due_at)
        state, delta = ("late", late) if late is not None else ("met", None)
    elif is_breached(
        outcome=deadline.outcome,
        met_at=None,
        statutory_due_at=deadline.statutory_due_at,
        now=now,
    ):
        state, delta = "breached", now - deadline.statutory_due_at
    else:
        state, delta = "open", deadline.statutory_due_at - now
    return {
        "deadline": deadline,
        "state": state,
        "delta": delta,
        "due_at": deadline.statutory_due_at if statutory else deadline.due_at,
        "statutory": statutory,
        "internal_due_at": deadline.due_at
        if statutory and deadline.due_at != deadline.statutory_due_at
        else None,
        "met_at": deadline.met_at,
    }
