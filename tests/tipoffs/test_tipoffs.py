"""Public tip-offs: no login, rate-limited per address, spam guard without third parties,
triaged by the national CAC and the provincial CAC of the province named."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from core.exceptions import InvalidTransition
from notifications.models import Notification
from review.services.requests import report_require
from tests.helpers import login
from tests.security.test_pages import GOOD as FORM
from tests.security.test_pages import _signed
from tipoffs.models import TipOff
from tipoffs.services import (
    TIPOFF_PER_HOUR,
    RateLimited,
    tipoff_dismiss,
    tipoff_queue,
    tipoff_record,
    tipoff_submit,
)

GOOD = {
    "title": "某网站首页被篡改",
    "description": "今天上午发现某公司官网首页出现违法信息，持续约两小时。",
    "organization_name": "广州示例网络科技有限公司",
    "province": "440000",
    "contact": "",
}


def _submit(now, data=None, address="203.0.113.7", age=30):
    return tipoff_submit(
        data=data or GOOD, address=address, rendered_at=now.timestamp() - age, now=now
    )


def test_a_tipoff_lands_in_the_national_and_provincial_queues(demo, now):
    tipoff = _submit(now)
    assert tipoff.status == TipOff.Status.NEW
    assert tipoff in tipoff_queue(user=demo["national"])
    assert tipoff in tipoff_queue(user=demo["reviewer-gd"])
    assert tipoff not in tipoff_queue(user=demo["reviewer-bj"])
    assert not tipoff_queue(user=demo["operator-general"]).exists()
    # a tip-off is announced as one, not as "a new report" (issue 13, point 8)
    assert Notification.objects.filter(user=demo["national"], kind="tipoff_received").exists()
    assert tipoff.source_hash != "203.0.113.7" and len(tipoff.source_hash) == 64


def test_the_honeypot_stores_nothing(demo, now):
    assert _submit(now, {**GOOD, "website": "http://spam.example"}) is None
    assert TipOff.objects.count() == 0


@pytest.mark.parametrize("age", [0.5, 3 * 3600])
def test_too_fast_or_stale_forms_are_refused(demo, now, age):
    with pytest.raises(ValidationError):
        _submit(now, age=age)
    assert TipOff.objects.count() == 0


@pytest.mark.parametrize(
    "description",
    [
        "加微信 13800138000 13900139000 13700137000 优惠",
        "see http://a.example and http://b.example now",
        "1234567890 0000",
    ],
)
def test_spam_is_refused_with_a_field_error(demo, now, description):
    with pytest.raises(ValidationError) as info:
        _submit(now, {**GOOD, "description": description})
    assert "description" in info.value.message_dict
    assert TipOff.objects.count() == 0


def test_huge_text_is_refused(demo, now):
    with pytest.raises(ValidationError) as info:
        _submit(now, {**GOOD, "description": "篡改" * 5000})
    assert "description" in info.value.message_dict


def test_scripts_are_stored_as_text(demo, now):
    tipoff = _submit(now, {**GOOD, "title": "<script>alert(1)</script>篡改"})
    assert tipoff.title == "<script>alert(1)</script>篡改"


def test_one_address_is_rate_limited(demo, now):
    for _ in range(TIPOFF_PER_HOUR):
        _submit(now)
    with pytest.raises(RateLimited):
        _submit(now)
    assert _submit(now, address="198.51.100.1") is not None  # another address still can


def test_triage_records_it_as_an_incident_or_dismisses_it(demo, now):
    tipoff = _submit(now)
    org = demo["operator-general"].memberships.get().organization
    recorded = tipoff_record(user=demo["reviewer-gd"], pk=tipoff.pk, organization=org, now=now)
    assert recorded.status == TipOff.Status.RECORDED
    assert recorded.report.requested_by.code == "cac-440000"
    assert recorded.report.deadlines.get(kind="file").opened_at == now
    with pytest.raises(InvalidTransition):
        tipoff_dismiss(user=demo["national"], pk=tipoff.pk, reason="重复", now=now)
    other = _submit(now, address="198.51.100.2")
    with pytest.raises(Http404):
        tipoff_dismiss(user=demo["reviewer-bj"], pk=other.pk, reason="x", now=now)
    with pytest.raises(ValidationError):
        tipoff_dismiss(user=demo["national"], pk=other.pk, reason=" ", now=now)
    dismissed = tipoff_dismiss(user=demo["national"], pk=other.pk, reason="重复", now=now)
    assert dismissed.status == TipOff.Status.DISMISSED


def test_a_reviewer_requires_reports_only_from_operators_reporting_to_it(demo, now):
    beijing_unit = demo["operator-central"].memberships.get().organization
    with pytest.raises(ValidationError) as info:
        report_require(user=demo["reviewer-gd"], organization=beijing_unit, title="泄露", now=now)
    assert "organization" in info.value.message_dict
    report = report_require(user=demo["national"], organization=beijing_unit, title="泄露", now=now)
    assert report.requested_by.code == "national-cac"


def test_the_tipster_gets_a_receipt_number_to_quote(demo, client):
    """Issue 13, point 10: a receipt number for a public tip-off."""
    response = client.post(reverse("tipoffs:form"), {**FORM, "rendered_at": _signed(30)})
    tipoff = TipOff.objects.get()
    assert tipoff.receipt.startswith("JB-") and tipoff.receipt.endswith(f"{tipoff.pk:06d}")
    thanks = client.get(response.url).content.decode()
    assert tipoff.receipt in thanks and "举报编号" in thanks
    # shown once: a reload does not show it again
    assert tipoff.receipt not in client.get(response.url).content.decode()
    # the triage page names it too
    login(client, demo["national"])
    detail = client.get(reverse("tipoffs:detail", args=[tipoff.pk])).content.decode()
    assert tipoff.receipt in detail


def test_the_honeypot_gets_a_number_too_and_nothing_is_stored(demo, client):
    response = client.post(
        reverse("tipoffs:form"),
        {**FORM, "website": "http://spam.example", "rendered_at": _signed(30)},
    )
    assert "JB-" in client.get(response.url).content.decode()
    assert not TipOff.objects.exists()
