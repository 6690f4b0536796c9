from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from accounts.demo import seed_demo_world

DEMO_PASSWORD = "demo-password"


@pytest.fixture
def now():
    """A fixed aware instant (services take `now`; elsewhere use time-machine)."""
    return datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture
def demo(db):
    """The demo accounts of ARCHITECTURE.md, keyed by username (reference data comes from
    the data migrations)."""
    return seed_demo_world(DEMO_PASSWORD, load_reference=False)


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

    def make(username: str):
        client.force_login(demo[username])
        return client

    return make
