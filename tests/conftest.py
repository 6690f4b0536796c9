from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from demo.world import DEMO_ORGANIZATIONS, DEMO_STAFF, load_all_reference_data, seed_demo_world
from tests import template_db, workers
from tests.helpers import login

DEMO_PASSWORD = "demo-password"
DEMO_USERNAMES = ("admin", *DEMO_ORGANIZATIONS, *DEMO_STAFF)


@pytest.fixture
def now():
    """A fixed aware instant (services take `now`; elsewhere use time-machine)."""
    return datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """The test database: a clone of a template migrated and holding the reference data and
    the demo world, built once for all the run's processes (`tests/template_db.py`). Every
    test runs in a transaction rolled back at its end (pytest-django), so each starts from the
    same world without building it. A transactional test ends by putting the world back from
    a snapshot taken here (`_transactional_tests_restore_the_world`)."""
    with django_db_blocker.unblock():
        template_db.clone_world(_build_world)
        _WORLD[:] = _snapshot()
    yield


_WORLD = []  # the committed world, table by table (see `_snapshot`)


def _build_world():
    """Reference data (from the data migrations) and the demo accounts of
    docs/ARCHITECTURE.md."""
    load_all_reference_data()
    seed_demo_world(DEMO_PASSWORD, load_reference=False)


def _snapshot() -> list[tuple[str, bytes]]:
    """Every table of the world just built and its rows, in PostgreSQL's COPY format."""
    from django.db import connection

    quote = connection.ops.quote_name
    tables = sorted(connection.introspection.django_table_names(only_existing=True))
    rows = []
    with connection.cursor() as cursor:
        for table in tables:
            with cursor.cursor.copy(f"COPY {quote(table)} TO STDOUT") as copy:
                rows.append((table, b"".join(bytes(chunk) for chunk in copy)))
    return rows


def _restore(snapshot) -> None:
    """The world exactly as it was built (same rows, same ids): every table emptied and
    refilled with COPY in one transaction (foreign keys are checked at its commit). The
    reference tables' in-memory copies are forgotten, since a COPY sends no signal."""
    from django.db import connection, transaction

    from core import refcache

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, _data in snapshot:
            cursor.execute(f"DELETE FROM {quote(table)}")
        for table, data in snapshot:
            if not data:
                continue
            with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN") as copy:
                copy.write(data)
    refcache.invalidate()


@pytest.fixture(scope="session", autouse=True)
def _transactional_tests_restore_the_world():
    """A transactional test (`transaction=True`, `live_server`) ends by putting the world back
    from the snapshot, in place of Django's flush (a TRUNCATE of every table, then the
    post_migrate signal, then the world built again: seconds where this takes milliseconds)."""
    from django.test import TransactionTestCase

    flush = TransactionTestCase._fixture_teardown
    TransactionTestCase._fixture_teardown = lambda self: _restore(_WORLD)
    yield
    TransactionTestCase._fixture_teardown = flush


@pytest.fixture
def demo(db):
    """The demo accounts of docs/ARCHITECTURE.md, keyed by username: fresh objects for each
    test (one query), from the world built once per session."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=DEMO_USERNAMES)
    return {user.username: user for user in users}


@pytest.fixture
def api_for(demo):
    """`api_for("operator-general")` → an APIClient authenticated with that user's token."""
    from rest_framework.authtoken.models import Token

    def make(username: str) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=demo[username])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def web_for(demo, client):
    """`web_for("operator-general")` → Django's test client logged in as that user."""

    def make(username: str, *, verified: bool = True):
        return login(client, demo[username], verified=verified)

    return make


@pytest.fixture
def celery_processes():
    """start(name, *celery arguments): a real Celery process, killed after the test."""
    procs = {}

    def start(name, *args, ready_file=None, env=None):
        procs[name] = workers.start(*args, ready_file=ready_file, env=env)
        return procs[name]

    yield start
    for proc in procs.values():
        workers.stop(proc)
