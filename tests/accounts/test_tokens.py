"""API tokens expire (API_TOKEN_TTL_DAYS, default 30), are rotated when they have, and stop
working while the account is inactive or locked out (issue 14)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = reverse("accounts-api:token")
LIST = reverse("reports-api:report-list")


def obtain(username="operator-general", password=DEMO_PASSWORD, ip="10.0.0.1"):
    return APIClient().post(
        TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def using(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_works_for_30_days_then_is_refused_and_a_new_one_is_issued(demo):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        response = obtain()
        assert response.status_code == 200
        key = response.json()["token"]
        expires = parse_datetime(response.json()["expires_at"])
        assert expires == start + timedelta(days=30)
        assert using(key).get(LIST).status_code == 200
    with time_machine.travel(start + timedelta(days=29, hours=23), tick=False):
        assert using(key).get(LIST).status_code == 200
    with time_machine.travel(start + timedelta(days=30, seconds=1), tick=False):
        refused = using(key).get(LIST)
        assert refused.status_code == 401
        assert "expired" in refused.json()["detail"] or "过期" in refused.json()["detail"]
        renewed = obtain().json()["token"]
        assert renewed != key
        assert using(renewed).get(LIST).status_code == 200
        assert using(key).get(LIST).status_code == 401  # the old key is gone for good


def test_the_lifetime_is_a_setting(demo, settings):
    settings.API_TOKEN_TTL_DAYS = 1
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        key = obtain().json()["token"]
    with time_machine.travel(start + timedelta(days=1, seconds=1), tick=False):
        assert using(key).get(LIST).status_code == 401


def test_a_token_stops_working_when_the_account_is_made_inactive(demo):
    key = obtain().json()["token"]
    demo["operator-general"].is_active = False
    demo["operator-general"].save()
    assert using(key).get(LIST).status_code == 401


@pytest.fixture(params=["with memberships", "without memberships"])
def account(request, demo) -> str:
    """An operator's reporter (the token is read with its memberships and the lockout in one
    query), and an account that holds no membership (DRF's read of the token, then the
    lockout on its own: `account_locked_out`)."""
    if request.param == "with memberships":
        return "operator-general"
    User.objects.create_user("no-membership", password=DEMO_PASSWORD)
    return "no-membership"


def test_a_token_stops_working_while_the_account_is_locked_out(account, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        key = obtain(account).json()["token"]
        assert using(key).get(LIST).status_code == 200
        # someone guesses the password from elsewhere until the account locks
        for _ in range(settings.AXES_FAILURE_LIMIT):
            assert obtain(account, password="wrong", ip="203.0.113.9").status_code == 400
        locked = using(key).get(LIST)
        assert locked.status_code == 401
        assert locked["Content-Type"] == "application/json; charset=utf-8"
        further = obtain(account, password="wrong", ip="203.0.113.9")
        assert 400 <= further.status_code < 500
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + timedelta(minutes=1), tick=False):
        assert using(key).get(LIST).status_code == 200  # the cool-off is over


def test_the_token_read_gives_what_the_orm_reads_for_every_demo_account(demo):
    """`token_memberships` writes its query by hand (the ORM's building of it cost ten times
    its execution): for every demo account it gives the same memberships, user, organisation,
    authority and token creation as the ORM, with every field's value and type."""
    from rest_framework.authtoken.models import Token

    from accounts.authentication import token_memberships
    from accounts.models import Membership

    def values(instance):
        if instance is None:
            return None
        return [(f.attname, getattr(instance, f.attname)) for f in instance._meta.concrete_fields]

    checked = 0
    for user in demo.values():
        token, _ = Token.objects.get_or_create(user=user)
        expected = list(
            Membership.objects.filter(user=user)
            .select_related("user", "organization", "authority")
            .order_by("pk")
        )
        memberships, created, locked = token_memberships(token.key, timezone.now())
        assert [values(m) for m in memberships] == [values(m) for m in expected]
        for got, want in zip(memberships, expected, strict=True):
            assert values(got.user) == values(want.user)
            assert values(got.organization) == values(want.organization)
            assert values(got.authority) == values(want.authority)
            assert got.user is memberships[0].user  # one user object for all
        assert (created, locked) == ((token.created, False) if expected else (None, False))
        checked += bool(expected)
    assert checked >= 8
    assert token_memberships("no-such-key", timezone.now()) == ([], None, False)
