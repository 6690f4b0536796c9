import os
from functools import partial

import redis
from celery import Celery
from celery.worker.consumer import Consumer as CeleryConsumer
from kombu.transport import redis as kombu_redis
from kombu.transport import sqlalchemy as kombu_sqlalchemy

# Workers and beat are deployed next to gunicorn: production unless told otherwise (the
# Procfile says config.settings.local, tests/workers.py config.settings.test). Importing the
# `config` package runs this line, so it is the default of every process that does.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

# Embedded broker (no REDIS_URL): the SQLAlchemy transport passes its transport options to
# the engine, so its polling interval is set on the class (docs/ARCHITECTURE.md, Running).
kombu_sqlalchemy.Transport.polling_interval = 0.2

# Workers survive a broker outage (docs/DECISIONS.md, "Broker outage"). Celery 5.7's
# consumer, on losing the broker, calls `connection.collect()`, which detaches the kombu
# transport (`transport.client = None`), and then `connection.close()`, which closes the
# still-attached channel; the channel's restore of its unacknowledged messages ("Restoring N
# unacknowledged message(s)") builds a Redis pool from `transport.client.hostname` and raises
# AttributeError on None. That is not a connection error, so it escapes Celery's
# `ignore_errors` and the worker exits ("Unrecoverable error"). It happens whenever the
# worker holds an unacknowledged message, which it always does here: the clocks' ETA tasks.
# A detached transport cannot reach Redis, so it answers as an unreachable Redis does: a
# connection error, which Celery ignores. The messages stay in Redis's unacked set and are
# restored from there (visibility timeout); the sweep acts on the clocks meanwhile.
_redis_connparams = kombu_redis.Channel._connparams


def _connparams(self, asynchronous=False):
    if self.connection.client is None:
        raise redis.exceptions.ConnectionError("broker connection already collected")
    return _redis_connparams(self, asynchronous=asynchronous)


kombu_redis.Channel._connparams = _connparams


class Consumer(CeleryConsumer):
    """The worker's consumer (setting `CELERY_WORKER_CONSUMER`): reconnects to a broker that
    went away every second or two, however long it was gone (Celery's interval grows to
    30 s), so the clocks are acted on within seconds of the broker's return."""

    RECONNECT_INTERVALS = {"interval_start": 1, "interval_step": 1, "interval_max": 2}

    def ensure_connected(self, conn):
        conn.ensure_connection = partial(conn.ensure_connection, **self.RECONNECT_INTERVALS)
        return super().ensure_connected(conn)


app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
