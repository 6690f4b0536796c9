"""`accounts.roles.roles_of(user)`: what each demo account is, towards which reports, and
that the memberships are read once per user object."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from accounts.constants import Role
from accounts.models import Authority, Organization
from accounts.roles import roles_of
from accounts.services import provider_grant
from reports.services.drafting import report_create
from reports.services.submission import report_submit

User = get_user_model()


def fresh(user):
    """A new user object, as a new request has."""
    return User.objects.get(pk=user.pk)


def org_of(username) -> Organization:
    return Organization.objects.get(memberships__user__username=username)


def authority(code) -> int:
    return Authority.objects.get(code=code).pk


# username → (reporter_of, reviewer_at, police_at, national_at, can_triage_tipoffs), by name
EXPECTED = {
    "operator-general": ({"operator-general"}, set(), set(), set(), False),
    "operator-cii": ({"operator-cii"}, set(), set(), set(), False),
    "operator-central": ({"operator-central"}, set(), set(), set(), False),
    "reviewer-gd": (set(), {"cac-440000"}, set(), set(), True),
    "reviewer-bj": (set(), {"cac-110000"}, set(), set(), True),
    "reviewer-energy": (set(), {"pd-energy"}, set(), set(), False),
    "reviewer-ministry": (set(), {"dco-miit"}, set(), set(), False),
    "police-liaison": (set(), set(), {"ps-440000"}, set(), False),
    "national": (set(), set(), set(), {"national-cac"}, True),
    "admin": (set(), set(), set(), set(), False),
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_what_each_demo_account_is(demo, username):
    reporter, reviewer, police, national, triage = EXPECTED[username]
    roles = roles_of(fresh(demo[username]))
    assert roles.reporter_of == {org_of(u).pk for u in reporter}
    assert roles.drafter_of == frozenset()
    assert roles.reviewer_at == {authority(code) for code in reviewer}
    assert roles.police_at == {authority(code) for code in police}
    assert roles.national_at == {authority(code) for code in national}
    assert roles.can_triage_tipoffs is triage
    assert roles.drafting_organizations() == [org_of(u) for u in reporter]


def test_an_anonymous_or_inactive_user_has_no_role(demo):
    assert roles_of(AnonymousUser()).memberships == []
    User.objects.filter(username="reviewer-gd").update(is_active=False)
    roles = roles_of(User.objects.get(username="reviewer-gd"))
    assert roles.reviewer_at == frozenset() and not roles.can_triage_tipoffs


@pytest.fixture
def provider(demo):
    user = User.objects.create_user("provider-soc")
    provider_grant(
        user=demo["operator-general"],
        organization_id=org_of("operator-general").pk,
        provider_username="provider-soc",
    )
    return fresh(user)


def test_a_provider_drafts_for_the_organisation_that_granted_it(demo, provider):
    roles = roles_of(provider)
    org = org_of("operator-general")
    assert roles.drafter_of == {org.pk} and roles.reporter_of == frozenset()
    assert roles.drafting_organizations() == [org]
    assert not roles.reports_for(org.pk)


def test_who_may_edit_a_draft(demo, provider, now):
    data = {"title": "草稿", "discovered_at": now - timedelta(minutes=5)}
    by_reporter = report_create(user=demo["operator-general"], data=data, now=now)
    by_provider = report_create(user=provider, data=data, now=now)
    reporter = roles_of(fresh(demo["operator-general"]))
    assert reporter.can_edit_draft(by_reporter) and reporter.can_edit_draft(by_provider)
    provider_roles = roles_of(fresh(provider))
    assert provider_roles.can_edit_draft(by_provider)
    assert not provider_roles.can_edit_draft(by_reporter)
    for username in ("operator-cii", "reviewer-gd", "national"):
        assert not roles_of(fresh(demo[username])).can_edit_draft(by_reporter), username


def _submitted(demo, username, now, **changes):
    user = demo[username]
    data = {
        "title": "攻击",
        "affected_systems": "ERP",
        "discovered_at": now - timedelta(minutes=10),
        "location": "广州",
        "category": "0208",
        "severity_declared": "significant",
        "impact_description": "中断",
        "measures_taken": "隔离",
        **changes,
    }
    report = report_create(user=user, data=data, now=now)
    return report_submit(user=user, pk=report.pk, now=now)


R, V, N, P = Role.REPORTER, Role.REVIEWER, Role.NATIONAL_OFFICIAL, Role.POLICE_LIAISON
TOWARDS = {
    # username: (general report, general report with suspected crime, cii report)
    "operator-general": ({R}, {R}, set()),
    "operator-cii": (set(), set(), {R}),
    "reviewer-gd": ({V}, {V}, set()),
    "reviewer-bj": (set(), set(), set()),
    "reviewer-energy": (set(), set(), {V}),
    "police-liaison": (set(), {P}, {P}),
    "national": ({N}, {N}, {N}),
    "admin": (set(), set(), set()),
}


def test_the_roles_each_account_holds_towards_a_report(demo, now):
    reports = (
        _submitted(demo, "operator-general", now),
        _submitted(demo, "operator-general", now, suspected_crime=True),
        _submitted(demo, "operator-cii", now),
    )
    for username, expected in TOWARDS.items():
        roles = roles_of(fresh(demo[username]))
        got = tuple(set(roles.towards(report)) for report in reports)
        assert got == expected, username


def test_the_memberships_are_read_once_per_user_object(demo, django_assert_num_queries):
    user = fresh(demo["reviewer-gd"])
    with django_assert_num_queries(1):
        roles = roles_of(user)
        again = roles_of(user)
        assert again is roles
        assert roles.reviewer_at and roles.can_triage_tipoffs
        assert roles.staff_membership.authority.code == "cac-440000"
        assert roles.drafting_organizations() == []
    # another object for the same user (the next request) reads them again
    with django_assert_num_queries(1):
        assert roles_of(_copy(user)).reviewer_at == roles.reviewer_at


def _copy(user):
    """Another object for the same user, without going through the database."""
    return User(pk=user.pk, username=user.username, is_active=True)


@pytest.mark.parametrize("username", ["operator-general", "national", "police-liaison"])
def test_every_role_question_costs_one_query_in_all(demo, username, django_assert_num_queries):
    user = fresh(demo[username])
    with django_assert_num_queries(1):
        roles = roles_of(user)
        _ = (roles.reporter_of, roles.reviewer_at, roles.police_at, roles.national_at)
        _ = (roles.can_triage_tipoffs, roles.drafting_organizations(), roles.can_require)
        roles_of(user).reporter_organizations()
