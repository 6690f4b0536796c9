import os

from celery import Celery
from kombu.transport import sqlalchemy as kombu_sqlalchemy

# Workers and beat are deployed next to gunicorn: production unless told otherwise (the
# Procfile says config.settings.local, tests/workers.py config.settings.test). Importing the
# `config` package runs this line, so it is the default of every process that does.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

# Embedded broker (no REDIS_URL): the SQLAlchemy transport passes its transport options to
# the engine, so its polling interval is set on the class (ARCHITECTURE.md, Running).
kombu_sqlalchemy.Transport.polling_interval = 0.2

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def enqueue_on_commit(task, *args, eta=None) -> None:
    """Send a task once the transaction commits. Robust: a broker outage is logged, never
    raised into the request (the sweep catches up), so submission never depends on it."""
    from functools import partial

    from django.db import transaction

    if eta is None:
        send = partial(task.delay, *args)
    else:
        send = partial(task.apply_async, args=args, eta=eta)
    transaction.on_commit(send, robust=True)
