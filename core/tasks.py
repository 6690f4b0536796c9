"""Enqueueing Celery tasks from services (docs/ARCHITECTURE.md, "Background work").

Services name the task (its stable `name=`) instead of importing the task module: the
tasks import the services they run, never the other way round."""

from functools import partial

from celery import current_app
from django.db import transaction


def enqueue_on_commit(task_name: str, *args, eta=None) -> None:
    """Send the task named `task_name` once the transaction commits. Robust: a broker
    outage is logged, never raised into the request (the sweep catches up), so submission
    never depends on it."""
    send = partial(current_app.send_task, task_name, args=args, eta=eta)
    transaction.on_commit(send, robust=True)
