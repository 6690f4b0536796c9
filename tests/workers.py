"""Real Celery processes for the few integration tests that need them: started against the
test database and Redis (the `celery_processes` fixture, in conftest.py), killed afterwards;
`poll` waits for an outcome with a bound."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection

ROOT = settings.BASE_DIR


def _env():
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=(
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        REDIS_URL=settings.CELERY_BROKER_URL,
        ESCALATION_SWEEP_SECONDS="1",
    )
    return env


def start(*args, ready_file=None, env=None):
    """A Celery process (`worker …` or `beat …`). With `ready_file`, a worker writes the
    instant it is ready into that file (see `ready_at`); `env`: settings to change (e.g.
    `ESCALATION_SWEEP_SECONDS`)."""
    env = {**_env(), **(env or {})}
    if ready_file:
        env["PORTAL_TEST_READY_FILE"] = str(ready_file)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.celery_main", "-A", "config", *args, "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def ready_at(ready_file, timeout=60) -> datetime:
    """The instant the worker said it was ready (waits for it with a bound)."""
    assert poll(lambda: os.path.exists(ready_file) and os.path.getsize(ready_file), timeout), (
        "the worker never became ready"
    )
    with open(ready_file) as f:
        return datetime.fromtimestamp(float(f.read()), tz=UTC)


def poll(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False
