"""The profile page (issue 13, point 10): who the user is, the password, and turning on
two-factor login with a QR code of the otpauth:// URI."""

import html
import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.otp import totp_key_base32
from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_an_operator_turns_on_two_factor_login_by_scanning_a_qr_code(demo):
    user = demo["operator-general"]
    client = login(Client(), user)
    url = reverse("profile")
    # the menu leads to it
    assert f'href="{url}"' in client.get(reverse("reports:list")).content.decode()
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    # who the user is, the password
    assert "operator-general" in body
    assert "广州示例网络科技有限公司" in body and "报告人" in body
    assert reverse("password_change") in body
    # the QR code: an inline SVG (no image service), with the URI it encodes beside it
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    uri = device.config_url
    assert uri.startswith("otpauth://totp/")
    assert f'data-otpauth="{html.escape(uri)}"' in body
    assert html.escape(uri) in body.split('class="otp-uri">')[1]
    assert totp_key_base32(device) in body  # for whoever types the key in
    qr = body.split('class="otp-qr-code')[1].split("</svg>")[0]
    assert "<svg" in qr and "<path" in qr and "二维码" in qr
    with time_machine.travel(time.time(), tick=False) as traveller:
        # a wrong code: a field error, nothing turned on
        wrong = client.post(url, {"token": "000000"})
        assert wrong.status_code == 200
        wrong_body = wrong.content.decode()
        assert 'id="token-error"' in wrong_body and "验证码无效" in wrong_body
        assert 'aria-invalid="true"' in wrong_body
        assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        traveller.shift(10)  # past the throttling delay that follows a failure
        # the current code turns it on: recovery codes once, then the page says so
        done = client.post(url, {"token": f"{totp(device.bin_key):06d}"})
        assert done.status_code == 200 and b"recovery-codes" in done.content
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    after = client.get(url).content.decode()
    assert "two-factor-on" in after and "剩余恢复码：10 个" in after
    assert "otp-qr-code" not in after
    # and the next login asks for a code
    assert login(Client(), user, verified=False).get("/reports/").status_code == 302


def test_an_authority_account_sees_its_authority_and_two_factor_on(demo):
    client = login(Client(), demo["police-liaison"])
    body = client.get(reverse("profile")).content.decode()
    assert "广东省公安厅" in body and "two-factor-on" in body
    assert "otp-qr-code" not in body
    # unverified, it is sent to the two-factor page first (like every page outside /accounts/)
    response = login(Client(), demo["police-liaison"], verified=False).get(reverse("profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two-factor"))


def test_the_first_time_two_factor_page_shows_the_qr_code_too(demo):
    user = demo["reviewer-gd"]
    TOTPDevice.objects.filter(user=user).delete()
    body = login(Client(), user, verified=False).get(reverse("two-factor")).content.decode()
    uri = TOTPDevice.objects.get(user=user, confirmed=False).config_url
    assert f'data-otpauth="{html.escape(uri)}"' in body and "<svg" in body
