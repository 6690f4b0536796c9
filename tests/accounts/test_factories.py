"""The factories build valid rows (full_clean) with their defaults and traits."""

import pytest

from accounts.validators import is_valid_uscc
from reports.models import Report
from tests.factories.accounts import MembershipFactory, OrganizationFactory, UserFactory
from tests.factories.reports import ReportFactory

pytestmark = pytest.mark.django_db


def test_organization_factory_builds_valid_organisations():
    plain, cii, central = (
        OrganizationFactory(),
        OrganizationFactory(cii=True),
        OrganizationFactory(central=True),
    )
    for org in (plain, cii, central):
        org.full_clean()
        assert is_valid_uscc(org.uscc)
    assert cii.is_cii_operator and cii.sector_id == "energy"
    assert central.is_central_unit and central.department_id == "miit"
    assert len({plain.uscc, cii.uscc, central.uscc}) == 3


def test_user_and_membership_factories():
    user = UserFactory()
    assert user.check_password("demo-password")
    membership = MembershipFactory(user=user)
    membership.full_clean()
    assert membership.role == "reporter"
    assert list(Report.objects.visible_to(user)) == []


def test_report_factory_builds_a_valid_routed_draft():
    report = ReportFactory()
    report.full_clean()
    assert report.receiving_authority.code == "cac-440000"
    assert report.status == "draft"
    assert report.history.count() == 1


def test_report_factory_submitted_and_serious_traits():
    report = ReportFactory(submitted=True, serious=True)
    report.full_clean()
    assert report.status == "submitted"
    assert report.submitted_at > report.discovered_at
    assert report.submitted_by == report.created_by
    assert report.is_serious
    member = MembershipFactory(organization=report.organization)
    assert list(Report.objects.visible_to(member.user)) == [report]
