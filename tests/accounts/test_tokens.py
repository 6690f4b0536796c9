"""API tokens expire (API_TOKEN_TTL_DAYS, default 30), are rotated when they have, and stop
working while the account is inactive or locked out (issue 14)."""

from datetime import timedelta

import pytest
import time_machine
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


def test_a_token_stops_working_while_the_account_is_locked_out(demo, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        key = obtain().json()["token"]
        # someone guesses the password from elsewhere until the account locks
        for _ in range(settings.AXES_FAILURE_LIMIT):
            assert obtain(password="wrong", ip="203.0.113.9").status_code == 400
        locked = using(key).get(LIST)
        assert locked.status_code == 401
        assert locked["Content-Type"] == "application/json; charset=utf-8"
        further = obtain(password="wrong", ip="203.0.113.9")
        assert 400 <= further.status_code < 500
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + timedelta(minutes=1), tick=False):
        assert using(key).get(LIST).status_code == 200  # the cool-off is over
