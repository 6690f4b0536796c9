"""Enqueueing Celery tasks from services (docs/ARCHITECTURE.md, "Background work").

Services name the task (its stable `name=`) instead of importing the task module: the
tasks import the services they run, never the other way round.

A broker that is down or frozen never fails a request whose transaction has committed:
publishing has short socket timeouts and no retry (settings `CELERY_BROKER_*`,
`CELERY_TASK_PUBLISH_RETRY`), a failure is logged once with the task's name, and for
`BROKER_BACKOFF_SECONDS` afterwards this process does not even try (a submit enqueues several
tasks: one frozen broker must not cost each of them a timeout). The escalation sweep acts on
the clocks and sends the e-mails that were not enqueued (docs/DECISIONS.md, "Broker outage")."""

import logging
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_broker_down_until = 0.0  # time.monotonic() before which publishing is not attempted


def _broker_marked_down() -> bool:
    return time.monotonic() < _broker_down_until


def _mark_broker_down() -> None:
    global _broker_down_until
    with _lock:
        _broker_down_until = time.monotonic() + settings.BROKER_BACKOFF_SECONDS


def broker_backoff_reset() -> None:
    """Forget a recorded outage (tests; a process that knows the broker is back)."""
    global _broker_down_until
    with _lock:
        _broker_down_until = 0.0


def send_task_now(task_name: str, *args, eta=None) -> bool:
    """Publish the task at once; False (logged, never raised) when the broker is unavailable."""
    if _broker_marked_down():
        logger.warning(
            "Task %s not enqueued: the broker failed less than %s s ago; the sweep catches up.",
            task_name,
            settings.BROKER_BACKOFF_SECONDS,
        )
        return False
    try:
        current_app.send_task(task_name, args=args, eta=eta, retry=False)
    except Exception as exc:  # any broker or transport error: the sweep catches up
        _mark_broker_down()
        logger.error(
            "Task %s not enqueued, broker unavailable (%s: %s); the sweep catches up.",
            task_name,
            type(exc).__name__,
            exc,
        )
        return False
    return True


def enqueue_on_commit(task_name: str, *args, eta=None) -> None:
    """Send the task named `task_name` once the transaction commits. Robust: a broker
    outage is logged, never raised into the request (the sweep catches up), so submission
    never depends on it."""

    def send_after_commit() -> None:
        send_task_now(task_name, *args, eta=eta)

    # Django names the callback if it ever logs it: give it a real name; and say what it
    # sends (for tests that capture the callbacks).
    send_after_commit.__qualname__ = f"enqueue_on_commit[{task_name}]"
    send_after_commit.task = (task_name, args, eta)
    transaction.on_commit(send_after_commit, robust=True)
