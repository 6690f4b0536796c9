import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, DATABASES, REDIS_BROKER_TRANSPORT_OPTIONS, REDIS_URL

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "Tests run against PostgreSQL only: set DATABASE_URL="
        "postgres://postgres@127.0.0.1:5432/portal (the README's test command does)."
    )

DEBUG = False
# The test databases are thrown away: a commit need not wait for its WAL to reach the disk.
DATABASES["default"]["OPTIONS"]["options"] += " -c synchronous_commit=off"
DEMO_TOTP = True  # the demo fixtures' authority accounts have a ready authenticator
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The tests need Redis: REDIS_URL (base settings: the broker, and the shared cache), or else
# this one (the broker only).
if not REDIS_URL:
    CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
# Under pytest-xdist each worker has its own test database (pytest-django adds the worker's
# name) and its own Redis database, counted down from the configured one (gw0 → 15, gw1 →
# 14, …), so that one worker's Celery processes never take another's tasks.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER.startswith("gw") and CELERY_BROKER_URL.startswith("redis://"):
    _base, _, _db = CELERY_BROKER_URL.rpartition("/")
    CELERY_BROKER_URL = f"{_base}/{(int(_db or 0) - int(_XDIST_WORKER[2:])) % 16}"
# Static files come from the finders in tests (no collectstatic run).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A second alias on the same test database, as a replica would be (a mirror: no database of
# its own). Off unless a test turns READ_REPLICA on (tests/dashboard/test_replica.py).
if "replica" not in DATABASES:
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
READ_REPLICA = False
