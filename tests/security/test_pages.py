"""The pages of the security issue: the public tip-off form and its triage, the service
providers page, a provider drafter's view of its draft, and the evidence list."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import Membership
from reports.models import Report
from reports.services.drafting import report_update
from reports.services.submission import report_submit
from tipoffs.models import TipOff
from tipoffs.services import TIPOFF_PER_HOUR, tipoff_submit
from tipoffs.views import render_time, sign_render_time

from .conftest import report_data

GOOD = {
    "title": "某网站首页被篡改",
    "description": "今天上午发现某公司官网首页出现违法信息。",
    "organization_name": "广州示例",
    "province": "440000",
    "contact": "",
}


def _signed(seconds_ago: float) -> str:
    from datetime import UTC, datetime

    return sign_render_time(datetime.fromtimestamp(time.time() - seconds_ago, tz=UTC))


def test_the_signed_render_time_cannot_be_forged():
    token = _signed(10)
    assert abs(render_time(token) - (time.time() - 10)) < 1
    assert render_time(token.replace(":", ";", 1)) is None
    assert render_time("1700000000.0") is None
    assert render_time("") is None


def test_a_tipoff_needs_no_login_and_lands_in_the_queue(demo, client):
    page = client.get(reverse("tipoffs:form"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="website"' in html and "hp-field" in html and 'name="rendered_at"' in html
    assert " style=" not in html and "<script>" not in html
    response = client.post(reverse("tipoffs:form"), {**GOOD, "rendered_at": _signed(30)})
    assert response.status_code == 302 and response.url == reverse("tipoffs:thanks")
    assert TipOff.objects.get().title == GOOD["title"]


def test_the_honeypot_is_thanked_and_nothing_is_stored(demo, client):
    response = client.post(
        reverse("tipoffs:form"),
        {**GOOD, "website": "http://spam.example", "rendered_at": _signed(30)},
    )
    assert response.status_code == 302 and response.url == reverse("tipoffs:thanks")
    assert TipOff.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**GOOD, "rendered_at": "forged"}, "__all__"),
        ({**GOOD, "rendered_at": "just now"}, "__all__"),  # signed at test time, below
        ({**GOOD, "description": "加微信 13800138000 13900139000 13700137000"}, "description"),
        ({**GOOD, "description": "篡改" * 3000}, "description"),
        ({**GOOD, "title": ""}, "title"),
    ],
)
def test_bad_tipoffs_get_field_errors(demo, client, data, field):
    data = dict(data)
    if data.get("rendered_at") == "just now":
        data["rendered_at"] = _signed(0)  # quicker than a person can type
    data.setdefault("rendered_at", _signed(30))
    response = client.post(reverse("tipoffs:form"), data)
    assert response.status_code == 422
    form = response.context["form"]
    assert form.non_field_errors() if field == "__all__" else form.errors.get(field)
    assert TipOff.objects.count() == 0


def test_one_address_is_rate_limited_with_429(demo, client):
    for _ in range(TIPOFF_PER_HOUR):
        client.post(reverse("tipoffs:form"), {**GOOD, "rendered_at": _signed(30)})
    response = client.post(reverse("tipoffs:form"), {**GOOD, "rendered_at": _signed(30)})
    assert response.status_code == 429
    assert TipOff.objects.count() == TIPOFF_PER_HOUR


def _tipoff(now, address="203.0.113.7"):
    return tipoff_submit(data=GOOD, address=address, rendered_at=now.timestamp() - 30, now=now)


def test_triage_records_a_tipoff_as_an_incident(demo, now, web_for):
    tipoff = _tipoff(now)
    client = web_for("reviewer-gd")
    assert "/tipoffs/" in client.get(reverse("reports:list")).content.decode()  # nav link
    queue = client.get(reverse("tipoffs:queue")).content.decode()
    assert tipoff.title in queue
    detail = client.get(reverse("tipoffs:detail", args=[tipoff.pk]))
    assert detail.status_code == 200
    org = demo["operator-general"].memberships.get().organization
    response = client.post(
        reverse("tipoffs:detail", args=[tipoff.pk]),
        {"decision": "record", "organization": org.pk, "title": ""},
    )
    assert response.status_code == 302
    tipoff.refresh_from_db()
    assert tipoff.status == TipOff.Status.RECORDED and tipoff.report.organization == org


def test_triage_dismisses_with_a_reason_and_others_cannot_triage(demo, now, web_for):
    tipoff = _tipoff(now)
    url = reverse("tipoffs:detail", args=[tipoff.pk])
    assert web_for("reviewer-bj").get(url).status_code == 404  # another province
    assert web_for("operator-general").get(reverse("tipoffs:queue")).status_code == 403
    client = web_for("national")
    response = client.post(url, {"decision": "dismiss", "reason": ""})
    assert response.status_code == 422
    response = client.post(url, {"decision": "dismiss", "reason": "重复线索"})
    assert response.status_code == 302
    tipoff.refresh_from_db()
    assert tipoff.status == TipOff.Status.DISMISSED and tipoff.handling_note == "重复线索"


@pytest.fixture
def provider(demo):
    return get_user_model().objects.create_user("provider-soc", password="x")


def test_a_reporter_grants_and_revokes_a_provider(demo, provider, web_for):
    client = web_for("operator-general")
    assert "/organisation/providers/" in client.get(reverse("reports:list")).content.decode()
    response = client.post(reverse("providers"), {"provider": "reviewer-gd"})
    assert response.status_code == 422 and response.context["form"].errors["provider"]
    response = client.post(reverse("providers"), {"provider": "provider-soc"})
    assert response.status_code == 302
    grant = Membership.objects.get(user=provider, role="provider_drafter")
    assert "provider-soc" in client.get(reverse("providers")).content.decode()
    # another organisation cannot revoke it (as if it did not exist)
    other = web_for("operator-cii")
    assert other.post(reverse("provider_revoke", args=[grant.pk])).status_code == 404
    assert web_for("reviewer-gd").get(reverse("providers")).status_code == 403
    client = web_for("operator-general")
    assert client.post(reverse("provider_revoke", args=[grant.pk])).status_code == 302
    assert not Membership.objects.filter(pk=grant.pk).exists()


def test_a_provider_drafts_without_a_submit_button_and_its_name_is_in_the_history(
    demo, provider, now, client
):
    org = demo["operator-general"].memberships.get().organization
    Membership.objects.create(user=provider, role="provider_drafter", organization=org)
    client.force_login(provider)
    assert "/reports/new/" in client.get(reverse("reports:list")).content.decode()
    response = client.post(reverse("reports:new"), {"involves_state_secrets": "no"})
    assert response.status_code == 302
    key = client.get(response["Location"]).context["new_draft"].key
    client.post(reverse("reports:draft_new"), {"request_key": key, "title": "草稿"})
    draft = Report.objects.get(created_by=provider)
    edit = client.get(reverse("reports:edit", args=[draft.pk])).content.decode()
    assert reverse("reports:submit", args=[draft.pk]) not in edit
    page = client.get(reverse("review:report", args=[draft.pk])).content.decode()
    assert "provider-soc" in page  # the change history names the drafter
    assert f'action="/reports/{draft.pk}/attachments/"' in page  # may attach evidence
    # the operator submits it; the provider's name stays in the history
    operator = demo["operator-general"]
    report_update(user=provider, pk=draft.pk, data=report_data(now), version=draft.version, now=now)
    report_submit(user=operator, pk=draft.pk, now=now)
    client.force_login(operator)
    page = client.get(reverse("review:report", args=[draft.pk])).content.decode()
    assert "provider-soc" in page and "operator-general" in page


def test_a_draft_made_through_the_api_by_a_provider_names_it_in_the_history(
    demo, provider, api_for, now
):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    org = demo["operator-general"].memberships.get().organization
    Membership.objects.create(user=provider, role="provider_drafter", organization=org)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=provider).key}")
    response = client.post(reverse("reports-api:report-list"), {"title": "钓鱼"}, format="json")
    assert response.status_code == 201, response.content
    report = Report.objects.get(pk=response.json()["id"])
    assert report.created_by == provider
    assert report.history.earliest("history_date").history_user == provider
    submit = reverse("reports-api:report-submit", kwargs={"pk": report.pk})
    assert client.post(submit, {}, format="json").status_code == 403  # only the operator
