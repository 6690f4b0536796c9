from celery import shared_task
from django.db import OperationalError

from .summary import summary_refresh


@shared_task(
    name="dashboard.summary_refresh",
    ignore_result=True,
    autoretry_for=(OperationalError, ConnectionError),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=1800,
    time_limit=2400,
)
def summary_refresh_task() -> None:
    summary_refresh(wait=False)
