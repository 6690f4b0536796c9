"""Thin tasks: ids in, one service call, nothing out. Their names are stable (queued
messages and the beat schedule survive refactors); services enqueue them by name."""

from celery import shared_task
from django.db import OperationalError

from .services.engine import deadline_act, deadlines_sweep, last_sweep_at

TRANSPORT_ERRORS = (OperationalError, ConnectionError)


@shared_task(name="escalation.sweep", ignore_result=True)
def escalation_sweep_task():
    deadlines_sweep()


@shared_task(
    name="escalation.deadline_act",
    ignore_result=True,
    autoretry_for=TRANSPORT_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def deadline_act_task(deadline_id: int):
    deadline_act(deadline_id=deadline_id, last_sweep=last_sweep_at())
