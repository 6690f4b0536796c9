"""The public tip-off form behind a reverse proxy and against replay (issue 14): the limit
counts the client's address from X-Forwarded-For as far as TRUSTED_PROXY_COUNT proxies vouch
for it, and one signed form sends one tip-off."""

import time
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from tipoffs.models import TipOff
from tipoffs.services import TIPOFF_PER_HOUR
from tipoffs.views import sign_render_time

pytestmark = pytest.mark.django_db

FORM = reverse("tipoffs:form")
PROXY = "10.0.0.2"  # the reverse proxy: every request comes from it


def good(n: int = 0) -> dict:
    return {
        "title": f"某网站首页被篡改 {n}",
        "description": "今天上午发现某公司官网首页出现违法信息，持续约两小时。",
        "organization_name": "广州示例网络科技有限公司",
        "province": "440000",
        "contact": "",
        "rendered_at": sign_render_time(datetime.fromtimestamp(time.time() - 30, tz=UTC)),
    }


def send(data, forwarded_for=None):
    extra = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client().post(FORM, data, **extra)


def test_behind_a_proxy_one_person_cannot_block_everyone(demo, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(TIPOFF_PER_HOUR):
        assert send(good(n), forwarded_for="198.51.100.7").status_code == 302
    assert send(good(99), forwarded_for="198.51.100.7").status_code == 429  # that person
    assert send(good(100), forwarded_for="198.51.100.8").status_code == 302  # anyone else
    assert TipOff.objects.count() == TIPOFF_PER_HOUR + 1


def test_a_forged_forwarded_for_does_not_escape_the_limit(demo, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # the client writes its own X-Forwarded-For; the proxy appends the real address
    for n in range(TIPOFF_PER_HOUR):
        assert send(good(n), forwarded_for=f"192.0.2.{n}, 198.51.100.7").status_code == 302
    assert send(good(99), forwarded_for="192.0.2.99, 198.51.100.7").status_code == 429


def test_without_a_trusted_proxy_the_header_is_ignored(demo, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(TIPOFF_PER_HOUR):
        assert send(good(n), forwarded_for=f"192.0.2.{n}").status_code == 302
    assert send(good(99), forwarded_for="192.0.2.99").status_code == 429  # REMOTE_ADDR counts


def test_one_signed_form_sends_one_tipoff(demo):
    data = good()
    assert send(data, forwarded_for=None).status_code == 302
    replay = send({**data, "title": "另一条"}, forwarded_for=None)
    assert replay.status_code == 422
    assert "已提交" in replay.content.decode() or "already sent" in replay.content.decode()
    assert TipOff.objects.count() == 1
    assert send(good(1)).status_code == 302  # a freshly shown form works
