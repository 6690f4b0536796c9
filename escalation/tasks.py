"""Thin tasks: ids in, one service call, nothing out (STYLE.md B6)."""

from celery import shared_task
from django.db import OperationalError

TRANSPORT_ERRORS = (OperationalError, ConnectionError)


@shared_task(name="escalation.sweep", ignore_result=True)
def escalation_sweep_task():
    from .services import deadlines_sweep

    deadlines_sweep()


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
