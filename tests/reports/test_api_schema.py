"""The OpenAPI schema and its interactive docs: served, accurate, and with no CDN."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_schema_is_served_and_lists_the_v1_endpoints():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert {
        "/api/v1/auth/token/",
        "/api/v1/reports/",
        "/api/v1/reports/{id}/",
        "/api/v1/reports/{id}/submit/",
        "/api/v1/categories/",
    } <= set(paths)
    assert set(paths["/api/v1/reports/{id}/"]) == {"get", "patch", "delete"}
    discard = paths["/api/v1/reports/{id}/"]["delete"]
    assert {"204", "403", "404", "409"} <= set(discard["responses"])
    patch = paths["/api/v1/reports/{id}/"]["patch"]
    assert {"200", "400", "404", "409"} <= set(patch["responses"])
    submit = paths["/api/v1/reports/{id}/submit/"]["post"]
    assert {"200", "400", "404", "409"} <= set(submit["responses"])
    create = paths["/api/v1/reports/"]["post"]
    assert {"201", "400", "403", "422"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    filters = {p["name"] for p in paths["/api/v1/reports/"]["get"]["parameters"]}
    assert {
        "page",
        "page_size",
        "status",
        "tier",
        "channel",
        "severity",
        "province",
        "category",
        "overdue",
    } <= filters
    update = schema["components"]["schemas"]["ReportUpdateInputRequest"]
    assert update["required"] == ["version"]


REVIEW_COMMANDS = {
    "claim": "200",
    "assign": "200",
    "grade": "200",
    "request-info": "200",
    "forward": "200",
    "notify": "200",
    "acknowledge": "200",
    "close": "200",
    "followups": "201",
    "handling-ended": "200",
    "summary": "201",
}


@pytest.mark.parametrize("command, ok", REVIEW_COMMANDS.items())
def test_every_review_command_is_documented(command, ok):
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"][f"/api/v1/reports/{{id}}/{command}/"]
    assert set(operation) == {"post"}
    post = operation["post"]
    assert {ok, "400", "401", "403", "404", "409"} <= set(post["responses"])
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "version" in body["properties"]


def test_the_other_review_endpoints_and_report_fields_are_documented():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert {"201", "400", "403"} <= set(paths["/api/v1/required-reports/"]["post"]["responses"])
    listing = paths["/api/v1/notifications/"]["get"]
    assert {"page", "page_size", "unread"} <= {p["name"] for p in listing["parameters"]}
    assert "200" in paths["/api/v1/notifications/read/"]["post"]["responses"]
    report = schema["components"]["schemas"]["Report"]["properties"]
    assert {
        "followups",
        "info_requests",
        "summary",
        "assignee",
        "forwarded",
        "missed",
        "handling_ended_at",
        "closed_reason",
        "grade_reason",
        "severity_reviewed",
        "received_via",
        "received_at",
    } <= set(report)


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))


def test_the_docs_are_served_from_local_assets():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/" in html
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)
    assert external == []
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs"):
        assert cdn not in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
