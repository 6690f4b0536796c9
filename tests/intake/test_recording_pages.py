"""The intake officer's compact form and `POST /api/v1/intake/reports/`: field-level errors
for bad input with nothing stored, and the report page showing the route."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from accounts.validators import make_uscc
from reports.models import Report

pytestmark = pytest.mark.django_db

RECORD = "/intake/reports/new/"
API = "/api/v1/intake/reports/"
GENERAL_ORG = make_uscc("440100", 1)


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def form_data(**changes) -> dict:
    now = timezone.now()
    return {
        "received_via": "hotline",
        "received_at": local(now - timedelta(minutes=10)),
        "caller_name": "李四",
        "caller_contact": "020-12345678",
        "organization_code": GENERAL_ORG,
        "title": "勒索软件加密了财务系统",
        "affected_systems": "财务系统",
        "discovered_at": local(now - timedelta(minutes=30)),
        "location": "广州",
        "category": "0208",
        "severity_declared": "significant",
        "impact_description": "财务系统不可用",
        "measures_taken": "断网隔离",
        **changes,
    }


def test_the_form_records_a_hotline_report_and_the_page_shows_its_route(web_for):
    client = web_for("intake-12387")
    assert client.get(RECORD).status_code == 200
    response = client.post(RECORD, form_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    report = Report.objects.get()
    assert response["Location"] == reverse("review:report", args=[report.pk])
    assert report.received_via == "hotline" and report.status == "submitted"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-route="hotline"' in html and "李四" in html
    # the organisation's reporter sees the same report and its route
    operator_page = web_for("operator-general").get(response["Location"])
    assert 'data-route="hotline"' in operator_page.content.decode()


def test_the_form_shows_field_errors_and_stores_nothing(web_for):
    client = web_for("intake-12387")
    future = local(timezone.now() + timedelta(hours=2))
    response = client.post(
        RECORD, form_data(received_at=future, organization_code="91440100000000000X")
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "organization_code" in errors
    assert not Report.objects.exists()
    response = client.post(RECORD, form_data(received_at=future))
    assert response.status_code == 422
    assert "received_at" in response.context["form"].errors
    assert not Report.objects.exists()


@pytest.mark.parametrize("username", ["operator-general", "reviewer-gd"])
def test_the_form_is_for_intake_officers_only(web_for, username):
    assert web_for(username).get(RECORD).status_code == 403


def api_body(**changes) -> dict:
    now = timezone.now()
    return {
        "organization_code": GENERAL_ORG,
        "received_via": "wechat",
        "received_at": (now - timedelta(minutes=5)).isoformat(),
        "caller_name": "王五",
        "caller_contact": "wx:wangwu",
        "title": "数据泄露",
        "affected_systems": "会员系统",
        "discovered_at": (now - timedelta(minutes=20)).isoformat(),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "会员信息泄露",
        "measures_taken": "重置口令",
        **changes,
    }


def test_the_api_records_a_wechat_report(api_for):
    response = api_for("intake-12387").post(API, api_body(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["received_via"] == "wechat" and body["status"] == "submitted"
    assert body["received_at"] == body["submitted_at"]
    assert body["receiving_authority"]["name"]
    assert {d["kind"] for d in body["deadlines"]} == {"file", "forward"}


def test_the_api_creates_an_unknown_organisation(api_for):
    code = make_uscc("330100", 5)
    body = api_body(
        organization_code=code,
        organization_name="杭州示例科技有限公司",
        organization_province="330000",
    )
    response = api_for("intake-12387").post(API, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["organization"]["uscc"] == code
    assert Organization.objects.get(uscc=code).province_id == "330000"


def test_the_api_refuses_bad_input_field_by_field(api_for):
    client = api_for("intake-12387")
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    response = client.post(API, api_body(received_at=future, received_via="web"), format="json")
    assert response.status_code == 400
    assert "received_via" in response.json()
    response = client.post(API, api_body(received_at=future), format="json")
    assert response.status_code == 400 and "received_at" in response.json()
    early = (timezone.now() - timedelta(hours=1)).isoformat()
    response = client.post(API, api_body(received_at=early), format="json")
    assert response.status_code == 400 and "received_at" in response.json()
    response = client.post(API, api_body(organization_code="123"), format="json")
    assert response.status_code == 400 and "organization_code" in response.json()
    assert not Report.objects.exists()


def test_the_api_is_for_intake_officers_only(api_for):
    response = api_for("operator-general").post(API, api_body(), format="json")
    assert response.status_code == 403
    assert not Report.objects.exists()
