"""Accounts: two-factor login for authority accounts, lockout, session expiry, audit,
security headers and the production settings check."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuthEvent, Membership
from tests.helpers import login

PASSWORD = "demo-password"
AUTHORITY_PAGES = ["/queue/", "/national/", "/dashboard/", "/admin/", "/"]


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


@pytest.mark.parametrize(
    "username",
    ["reviewer-gd", "national", "police-liaison", "police-mps", "intake-12387", "admin"],
)
def test_an_authority_account_without_a_verified_second_factor_reaches_no_queue(demo, username):
    client = login(Client(), demo[username], verified=False)
    for page in AUTHORITY_PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("two-factor")), page


def test_setting_up_an_authenticator_then_reaching_the_queue(demo):
    user = demo["reviewer-gd"]
    TOTPDevice.objects.filter(user=user).delete()  # a reviewer who never set it up
    client = login(Client(), user, verified=False)
    page = client.get(reverse("two-factor") + "?next=/queue/")
    assert page.status_code == 200 and b"otp-secret" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    with time_machine.travel(time.time(), tick=False) as traveller:
        wrong = client.post(reverse("two-factor"), {"token": "000000", "next": "/queue/"})
        assert wrong.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
        traveller.shift(10)  # past the throttling delay that follows a failure
        done = client.post(reverse("two-factor"), {"token": _code(device), "next": "/queue/"})
        assert done.status_code == 200 and b"recovery-codes" in done.content
        assert client.get("/queue/").status_code == 200
    assert AuthEvent.objects.filter(user=user, kind="otp_confirmed").exists()
    assert AuthEvent.objects.filter(user=user, kind="otp_failed").exists()


def test_a_recovery_code_works_once(demo):
    user = demo["reviewer-gd"]
    TOTPDevice.objects.filter(user=user).delete()
    setup = login(Client(), user, verified=False)
    setup.get(reverse("two-factor"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = setup.post(reverse("two-factor"), {"token": _code(device)})
    codes = response.context["codes"]
    first = login(Client(), user, verified=False)
    assert (
        first.post(reverse("two-factor"), {"token": codes[0], "next": "/queue/"}).status_code == 302
    )
    assert first.get("/queue/").status_code == 200
    again = login(Client(), user, verified=False)
    assert again.post(reverse("two-factor"), {"token": codes[0]}).status_code == 200  # refused
    assert again.get("/queue/").status_code == 302


def test_operators_may_turn_it_on_and_then_need_it(demo):
    user = demo["operator-general"]
    client = login(Client(), user, verified=False)
    assert client.get("/reports/").status_code == 200
    client.get(reverse("two-factor"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("two-factor"), {"token": _code(device)})
    later = login(Client(), user, verified=False)
    assert later.get("/reports/").status_code == 302


def test_api_tokens_need_the_one_time_code_for_authority_accounts(demo):
    api = Client()
    url = "/api/v1/auth/token/"
    refused = api.post(
        url, {"username": "reviewer-gd", "password": PASSWORD}, content_type="application/json"
    )
    assert refused.status_code == 400 and "otp" in refused.json()
    device = TOTPDevice.objects.get(user=demo["reviewer-gd"], confirmed=True)
    granted = api.post(
        url,
        {"username": "reviewer-gd", "password": PASSWORD, "otp": _code(device)},
        content_type="application/json",
    )
    assert granted.status_code == 200 and granted.json()["token"]
    operator = api.post(
        url, {"username": "operator-general", "password": PASSWORD}, content_type="application/json"
    )
    assert operator.status_code == 200


def test_a_browser_session_without_the_second_factor_cannot_use_the_api(demo):
    client = login(Client(), demo["reviewer-gd"], verified=False)
    assert client.get("/api/v1/reports/").status_code == 403
    assert login(Client(), demo["reviewer-gd"]).get("/api/v1/reports/").status_code == 200


def test_repeated_failures_lock_the_login_and_are_audited(demo):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "operator-general", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "operator-general", "password": PASSWORD})
    assert locked.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    kinds = list(
        AuthEvent.objects.filter(username="operator-general").values_list("kind", flat=True)
    )
    assert kinds.count("login_failed") >= settings.AXES_FAILURE_LIMIT
    assert "locked_out" in kinds


def test_a_login_is_audited_and_a_role_change_is_in_the_history(demo):
    client = Client()
    client.post(reverse("login"), {"username": "operator-cii", "password": PASSWORD})
    assert AuthEvent.objects.filter(user=demo["operator-cii"], kind="login").exists()
    membership = Membership.objects.get(user=demo["reviewer-bj"])
    membership.role = "police_liaison"
    membership.save()
    history = membership.history.order_by("history_date")
    assert [h.role for h in history][-2:] == ["reviewer", "police_liaison"]


def test_sessions_expire_after_thirty_idle_minutes(demo, now):
    with time_machine.travel(now, tick=False) as traveller:
        client = login(Client(), demo["operator-general"])
        assert client.get("/reports/").status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get("/reports/").status_code == 200  # activity keeps it alive
        traveller.shift(timedelta(minutes=31))
        assert client.get("/reports/").status_code == 302


def test_pages_carry_a_strict_content_security_policy(demo):
    response = login(Client(), demo["operator-general"]).get("/reports/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"<script>" not in response.content  # no inline script


def test_passwords_are_hashed_with_argon2():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "production-like-secret-key-of-enough-length-0123456789",
        "DJANGO_ALLOWED_HOSTS": "portal.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    env.pop(
        "DJANGO_ALLOW_ASYNC_UNSAFE", None
    )  # set by the browser tests' plugin, not in deployment
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
