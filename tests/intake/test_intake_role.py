"""The intake officer (MEASURES.md §7): staff of the 12387 reporting service, an authority
of its own, who log in with two factors like every authority and see what they recorded."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.urls import reverse

from accounts.constants import Role
from accounts.models import Authority
from accounts.roles import roles_of
from reports.models import Report
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from tests.helpers import serious_report_data

pytestmark = pytest.mark.django_db


def test_the_reporting_service_is_reference_data_and_its_migration_is_idempotent(demo):
    service = Authority.objects.get(code="svc-12387")
    assert service.kind == "reporting_service" and service.is_national
    migration = importlib.import_module("accounts.migrations.0004_intake_officer")
    migration.load_reporting_service(global_apps, None)
    assert Authority.objects.filter(kind="reporting_service").count() == 1


def test_the_demo_intake_officer(demo):
    roles = roles_of(demo["intake-12387"])
    assert roles.is_intake_officer
    assert roles.intake_at == {Authority.objects.get(code="svc-12387").pk}
    assert roles.is_authority_staff  # two-factor login
    assert not roles.can_act_as_staff and not roles.can_draft and not roles.is_receiving_staff
    assert roles.memberships[0].role == Role.INTAKE_OFFICER


def test_an_intake_officer_sees_no_report_of_the_portal_s_own_routes(demo):
    user = demo["operator-general"]
    report = report_create(user=user, data=serious_report_data())
    report_submit(user=user, pk=report.pk)
    assert not Report.objects.visible_to(demo["intake-12387"]).exists()


def test_an_intake_api_token_needs_the_second_factor(demo, client):
    response = client.post(
        reverse("accounts-api:token"),
        {"username": "intake-12387", "password": "demo-password"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "otp" in response.json()
