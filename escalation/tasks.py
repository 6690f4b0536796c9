"""Thin tasks: ids in, one service call, nothing out (STYLE.md B6)."""

from celery import shared_task
from django.db import OperationalError

TRANSPORT_ERRORS = (OperationalError, ConnectionError)


@shared_task(name="escalation.sweep", ignore_result=True)
def escalation_sweep_task():
    from .services import deadlines_sweep

    deadlines_sweep()


@shared_task(
    name="escalation.deadline_act",
    ignore_result=True,
    autoretry_for=TRANSPORT_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def deadline_act_task(deadline_id: int):
    from .models import SweepHeartbeat
    from .services import deadline_act

    beat = SweepHeartbeat.objects.filter(pk=1).first()
    deadline_act(deadline_id=deadline_id, last_sweep=beat.last_run_at if beat else None)


@shared_task(
    name="escalation.notification_email",
    ignore_result=True,
    autoretry_for=TRANSPORT_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def notification_email_task(notification_id: int):
    from .services import notification_email

    notification_email(notification_id=notification_id)
