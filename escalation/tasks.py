"""Thin tasks: ids in, one service call, nothing out. Their names are stable (queued
messages and the beat schedule survive refactors); services enqueue them by name."""

from datetime import datetime

from celery import shared_task
from django.db import OperationalError

from .services.engine import deadline_act_and_due, deadlines_sweep, last_sweep_at

TRANSPORT_ERRORS = (OperationalError, ConnectionError)


@shared_task(name="escalation.sweep", ignore_result=True)
def escalation_sweep_task():
    deadlines_sweep()


@shared_task(
    name="escalation.deadline_act",
    bind=True,
    ignore_result=True,
    autoretry_for=TRANSPORT_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def deadline_act_task(self, deadline_id: int):
    deadline_act_and_due(
        deadline_id=deadline_id, last_sweep=last_sweep_at(), scheduled=_instant(self.request.eta)
    )


def _instant(eta) -> datetime | None:
    """The instant the task was sent for (the message's ETA: ISO text, or a datetime)."""
    if isinstance(eta, str):
        try:
            eta = datetime.fromisoformat(eta)
        except ValueError:
            return None
    if isinstance(eta, datetime) and eta.tzinfo is not None:
        return eta
    return None
