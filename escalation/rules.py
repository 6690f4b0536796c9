"""PURE: the instants of a clock from its opening time and the policy in force (STYLE.md B3).
No ORM, no clock reading: `opened_at` and `now` are parameters."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from reports.constants import FILE_LIMITS, FORWARD_LIMITS, SUMMARY_LIMIT


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


def statutory_policy(channel: str) -> PolicySnapshot:
    return PolicySnapshot(
        channel=channel, file_within=FILE_LIMITS[channel], forward_within=FORWARD_LIMITS[channel]
    )


def _reminders(opened_at: datetime, window: timedelta, fractions) -> tuple[datetime, ...]:
    return tuple(opened_at + window * f for f in sorted(fractions))


def deadline_times(
    kind: str, opened_at: datetime, policy: PolicySnapshot, due_at: datetime | None = None
) -> DeadlineTimes:
    """`due_at` is given for clocks whose limit a person sets (info requests)."""
    if opened_at.tzinfo is None:
        raise ValueError("opened_at must be timezone-aware")
    if kind == "file":
        statutory = opened_at + FILE_LIMITS[policy.channel]
        window = min(policy.file_within, FILE_LIMITS[policy.channel])
        return DeadlineTimes(
            statutory,
            opened_at + window,
            None,
            _reminders(opened_at, window, policy.reminder_fractions),
        )
    if kind == "forward":
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
    if kind == "summary":
        due = opened_at + SUMMARY_LIMIT
        return DeadlineTimes(due, due, None, (due - timedelta(days=7), due - timedelta(days=1)))
    if kind == "info_request":
        if due_at is None:
            raise ValueError("an information request clock needs its due time")
        return DeadlineTimes(
            due_at,
            due_at,
            None,
            _reminders(opened_at, due_at - opened_at, policy.reminder_fractions),
        )
    raise ValueError(f"unknown clock kind {kind!r}")


def next_fire(times: DeadlineTimes, after: datetime) -> datetime | None:
    """The next reminder or action strictly after `after` (None: nothing left to do)."""
    candidates = [t for t in times.remind_at if t > after]
    if times.act_at is not None and times.act_at > after:
        candidates.append(times.act_at)
    if times.due_at > after:
        candidates.append(times.due_at)
    return min(candidates) if candidates else None


def lateness(met_at: datetime, statutory_due_at: datetime) -> timedelta | None:
    """Legal lateness (迟报) is judged against the statutory limit only."""
    return met_at - statutory_due_at if met_at > statutory_due_at else None
