"""Escalation's public read surface: what is due, what is overdue, the open clocks of a
report as a subquery, and the sweep's health."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q
from django.utils import timezone

from .constants import Outcome
from .models import Deadline, SweepHeartbeat


def deadlines_due(*, now, limit: int = 200) -> list[int]:
    """Ids of clocks whose next reminder or action is due, skipping rows another worker
    holds (partial index on non-NULL `next_fire_at`)."""
    with transaction.atomic():
        return list(
            Deadline.objects.select_for_update(skip_locked=True)
            .filter(next_fire_at__lte=now)
            .order_by("next_fire_at")
            .values_list("pk", flat=True)[:limit]
        )


def deadlines_coming(*, after: datetime, until: datetime) -> list[tuple[int, datetime]]:
    """(id, next instant) of the clocks whose next instant is in (after, until], in order
    (the partial index on `next_fire_at`)."""
    return list(
        Deadline.objects.filter(next_fire_at__gt=after, next_fire_at__lte=until)
        .order_by("next_fire_at", "pk")
        .values_list("pk", "next_fire_at")
    )


def overdue_q(now: datetime) -> Q:
    """The one definition of "overdue", on the clock table: open past the portal's due time
    (`rules.is_overdue` for one clock)."""
    return Q(outcome=Outcome.OPEN, due_at__lt=now)


def overdue_clocks(now: datetime):
    return Deadline.objects.filter(overdue_q(now)).order_by()


def open_clocks_of_outer_report(kind: str | None = None):
    """The open clocks of the report of the enclosing query (for `Exists` / `Subquery`)."""
    clocks = Deadline.objects.filter(report=OuterRef("pk"), outcome=Outcome.OPEN)
    return clocks.filter(kind=kind) if kind else clocks


def overdue_clocks_of_outer_report(now: datetime):
    return Deadline.objects.filter(overdue_q(now), report=OuterRef("pk"))


def sweep_status(now=None) -> dict:
    now = now or timezone.now()
    beat = SweepHeartbeat.objects.filter(pk=1).first()
    last = beat.last_run_at if beat else None
    stale_after = 3 * settings.ESCALATION_SWEEP_SECONDS + 5
    return {
        "last_sweep_at": last.isoformat() if last else None,
        "seconds_since_last_sweep": round((now - last).total_seconds(), 1) if last else None,
        "sweep_interval_seconds": settings.ESCALATION_SWEEP_SECONDS,
        "stale": last is None or (now - last).total_seconds() > stale_after,
        "overdue_clocks": Deadline.objects.filter(next_fire_at__lte=now).count(),
    }
