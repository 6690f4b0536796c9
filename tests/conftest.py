from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from demo.world import load_all_reference_data, seed_demo_world
from tests import workers
from tests.helpers import login

DEMO_PASSWORD = "demo-password"


@pytest.fixture
def now():
    """A fixed aware instant (services take `now`; elsewhere use time-machine)."""
    return datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data comes from the data migrations; a transactional test flushes it at its
    end (and --reuse-db keeps that), so make sure it is there for every session."""
    with django_db_blocker.unblock():
        load_all_reference_data()


@pytest.fixture
def demo(db):
    """The demo accounts of docs/ARCHITECTURE.md, keyed by username. Reloads the reference data
    when a transactional test flushed it."""
    from accounts.models import Province

    return seed_demo_world(DEMO_PASSWORD, load_reference=not Province.objects.exists())


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

    def start(name, *args):
        procs[name] = workers.start(*args)
        return procs[name]

    yield start
    for proc in procs.values():
        workers.stop(proc)
