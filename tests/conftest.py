from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from demo.world import DEMO_ORGANIZATIONS, DEMO_STAFF, load_all_reference_data, seed_demo_world
from tests import workers
from tests.helpers import login

DEMO_PASSWORD = "demo-password"
DEMO_USERNAMES = ("admin", *DEMO_ORGANIZATIONS, *DEMO_STAFF)


@pytest.fixture
def now():
    """A fixed aware instant (services take `now`; elsewhere use time-machine)."""
    return datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The reference data and the demo world are built once per session, committed, and every
    test runs in a transaction rolled back at its end (pytest-django), so each test starts from
    the same world without building it."""
    with django_db_blocker.unblock():
        _build_world()


def _build_world():
    """Reference data (from the data migrations) and the demo accounts of
    docs/ARCHITECTURE.md. A transactional test flushes the database at its end; the hook
    below builds the world again after it."""
    load_all_reference_data()
    seed_demo_world(DEMO_PASSWORD, load_reference=False)


def _flushes_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if nextitem is not None and _flushes_database(item):
        with item.session.config.stash[_BLOCKER].unblock():
            _build_world()
    return result


_BLOCKER = pytest.StashKey()


@pytest.fixture(scope="session", autouse=True)
def _stash_db_blocker(request, django_db_blocker):
    request.config.stash[_BLOCKER] = django_db_blocker


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

    def start(name, *args, ready_file=None):
        procs[name] = workers.start(*args, ready_file=ready_file)
        return procs[name]

    yield start
    for proc in procs.values():
        workers.stop(proc)
