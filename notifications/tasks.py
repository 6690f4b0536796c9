"""Thin task: one notification's e-mail. The name keeps the app the task was first
published under, so that queued messages survive the move."""

from celery import shared_task
from django.db import OperationalError

from .services import notification_email

TRANSPORT_ERRORS = (OperationalError, ConnectionError)


@shared_task(
    name="escalation.notification_email",
    ignore_result=True,
    autoretry_for=TRANSPORT_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def notification_email_task(notification_id: int):
    notification_email(notification_id=notification_id)
