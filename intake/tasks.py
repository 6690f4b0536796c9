"""Thin tasks with stable names (docs/ARCHITECTURE.md, Conventions)."""

from celery import shared_task
from django.conf import settings

from .services.imap import imap_poll


@shared_task(name="intake.imap_poll", ignore_result=True)
def imap_poll_task():
    """Beat runs it every INBOUND_IMAP_SECONDS when INBOUND_IMAP_URL is set."""
    if settings.INBOUND_IMAP_URL:
        imap_poll(settings.INBOUND_IMAP_URL)
