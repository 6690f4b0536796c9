"""Every report records the route it came by and the instant it was received
(MEASURES.md §7): the portal's own pages (`web`) and API (`api`), and for reports filed
before the routes existed, what the data migration infers."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as global_apps
from django.urls import reverse

from reports.models import IdempotencyKey, Report
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from tests.helpers import serious_report_data

pytestmark = pytest.mark.django_db


def test_a_report_filed_on_the_web_is_received_via_web_when_submitted(demo, web_for):
    user = demo["operator-general"]
    report = report_create(user=user, data=serious_report_data())
    assert report.received_via == "web"
    assert report.received_at is None  # a draft has not been received
    report = report_submit(user=user, pk=report.pk, via="web")
    report.refresh_from_db()
    assert report.received_via == "web"
    assert report.received_at == report.submitted_at

    page = web_for("reviewer-gd").get(reverse("review:report", args=[report.pk]))
    html = page.content.decode()
    assert 'data-route="web"' in html


def test_a_report_created_and_submitted_through_the_api_is_received_via_api(demo, api_for):
    client = api_for("operator-general")
    data = serious_report_data()
    data["discovered_at"] = data["discovered_at"].isoformat()
    created = client.post(reverse("reports-api:report-list"), data, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["received_via"] == "api"
    assert created.json()["received_at"] is None
    pk = created.json()["id"]
    submitted = client.post(reverse("reports-api:report-submit", args=[pk]), {}, format="json")
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert body["received_via"] == "api"
    assert body["received_at"] == body["submitted_at"]


def test_a_client_cannot_choose_the_route_of_a_portal_report(demo, api_for):
    client = api_for("operator-general")
    data = serious_report_data(received_via="hotline")
    data["discovered_at"] = data["discovered_at"].isoformat()
    response = client.post(reverse("reports-api:report-list"), data, format="json")
    assert response.status_code == 400
    assert "received_via" in response.json()
    assert not Report.objects.exists()


def test_the_data_migration_infers_web_or_api_from_what_exists(demo):
    user = demo["operator-general"]
    by_api = report_create(user=user, data=serious_report_data(), idempotency_key="client-1")
    by_web_key = report_create(user=user, data=serious_report_data(), idempotency_key="web-new:abc")
    no_key = report_create(user=user, data=serious_report_data())
    report_submit(user=user, pk=no_key.pk)
    # as they stood before the migration: default route, no instant of receipt
    Report.objects.update(received_via="web", received_at=None)
    assert IdempotencyKey.objects.count() == 2

    migration = importlib.import_module("reports.migrations.0010_received_via")
    migration.infer_routes(global_apps, None)

    routes = dict(Report.objects.values_list("pk", "received_via"))
    assert routes == {by_api.pk: "api", by_web_key.pk: "web", no_key.pk: "web"}
    no_key.refresh_from_db()
    assert no_key.received_at == no_key.submitted_at
    by_api.refresh_from_db()
    assert by_api.received_at is None  # still a draft


def test_a_late_submission_is_received_when_it_is_submitted(demo, now):
    user = demo["operator-general"]
    report = report_create(
        user=user,
        data=serious_report_data(discovered_at=now - timedelta(hours=5), late_reason="停电"),
        now=now,
    )
    report = report_submit(user=user, pk=report.pk, now=now)
    assert report.received_at == now
