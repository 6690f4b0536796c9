"""The clock services. `reports` calls `deadline_open`, `deadline_meet` and `deadline_cancel`
(imported inside its functions: dependencies run escalation → reports)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Deadline, EscalationPolicy
from .rules import deadline_times, lateness, next_fire


def _open_clock(report, kind):
    return (
        Deadline.objects.select_for_update()
        .filter(report=report, kind=kind, outcome=Deadline.Outcome.OPEN)
        .first()
    )


def _set_times(deadline: Deadline, *, opened_at, policy, now, due_at=None) -> None:
    times = deadline_times(deadline.kind, opened_at, policy, due_at)
    deadline.opened_at = opened_at
    deadline.statutory_due_at = times.statutory_due_at
    deadline.due_at = times.due_at
    deadline.act_at = times.act_at
    deadline.remind_at = [t.isoformat() for t in times.remind_at]
    deadline.policy_channel = policy.channel
    deadline.policy_within = (
        policy.file_within if deadline.kind == "file" else policy.forward_within
    )
    deadline.policy_margin = policy.auto_forward_margin if deadline.kind == "forward" else None
    # Already overdue when opened: due now, so the sweep records it at once.
    deadline.next_fire_at = next_fire(times, after=now) or now


@transaction.atomic
def deadline_open(
    *, report, kind: str, opened_at: datetime, now: datetime | None = None, due_at=None
) -> Deadline:
    """Open a clock, or return the one already open. A draft's filing clock follows edits
    of `discovered_at` and of the channel; otherwise a clock keeps the values it opened with."""
    now = now or timezone.now()
    existing = None if kind == "info_request" else _open_clock(report, kind)
    if existing is not None:
        unchanged = existing.opened_at == opened_at and existing.policy_channel == report.channel
        if unchanged or kind != "file":
            return existing
        deadline = existing
    else:
        deadline = Deadline(report=report, kind=kind)
    policy = EscalationPolicy.snapshot_for(report.channel)
    _set_times(deadline, opened_at=opened_at, policy=policy, now=now, due_at=due_at)
    deadline.save()
    return deadline


@transaction.atomic
def deadline_meet(*, report, kind: str, at: datetime) -> Deadline | None:
    deadline = _open_clock(report, kind)
    if deadline is None:
        return None
    deadline.met_at = at
    deadline.outcome = Deadline.Outcome.MET if at <= deadline.due_at else Deadline.Outcome.LATE
    deadline.lateness = lateness(at, deadline.statutory_due_at)
    deadline.next_fire_at = None
    deadline.save()
    return deadline


@transaction.atomic
def deadline_cancel(*, report, kind: str, at: datetime, reason: str) -> Deadline | None:
    deadline = _open_clock(report, kind)
    if deadline is None:
        return None
    deadline.outcome = Deadline.Outcome.NOT_REQUIRED
    deadline.closed_reason = reason
    deadline.acted_at = at
    deadline.next_fire_at = None
    deadline.save()
    return deadline


def deadline_act(*, deadline_id: int, now: datetime | None = None) -> None:
    """The idempotent core the sweep calls for a due clock. For now it records a statutory
    breach once (a `deadline_breached` event) and moves `next_fire_at` on; reminders and the
    automatic forward come with the escalation engine."""
    from reports.events import report_event_create

    now = now or timezone.now()
    with transaction.atomic():
        deadline = (
            Deadline.objects.select_for_update(skip_locked=True)
            .select_related("report")
            .filter(pk=deadline_id, next_fire_at__lte=now)
            .first()
        )
        if deadline is None:
            return
        if deadline.outcome != Deadline.Outcome.OPEN:
            deadline.next_fire_at = None
            deadline.save(update_fields=["next_fire_at"])
            return
        if now > deadline.statutory_due_at and deadline.lateness is None:
            deadline.lateness = now - deadline.statutory_due_at
            report_event_create(
                report=deadline.report,
                kind="deadline_breached",
                at=now,
                automatic=True,
                note=_("%(clock)s: statutory limit passed at %(due)s")
                % {
                    "clock": deadline.get_kind_display(),
                    "due": timezone.localtime(deadline.statutory_due_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
        times = deadline_times(
            deadline.kind,
            deadline.opened_at,
            EscalationPolicy.snapshot_for(deadline.policy_channel),
            deadline.due_at,
        )
        nf = next_fire(times, after=now)
        if nf is None and deadline.lateness is None:
            nf = deadline.statutory_due_at
        deadline.next_fire_at = nf
        deadline.save()


def deadlines_sweep(*, now: datetime | None = None, batch: int = 200) -> int:
    """Act on every due clock. Returns how many were acted on."""
    from .selectors import deadlines_due

    now = now or timezone.now()
    done = 0
    while True:
        ids = deadlines_due(now=now, limit=batch)
        if not ids:
            return done
        for pk in ids:
            deadline_act(deadline_id=pk, now=now)
        done += len(ids)
        if len(ids) < batch:
            return done
