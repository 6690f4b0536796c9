"""The delegation services (Art. 5): the membership `provider_grant` writes and its history,
what `provider_revoke` removes and the history keeps, and what each refuses."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import Membership
from accounts.services import provider_grant, provider_revoke
from core.exceptions import ActionForbidden
from reports.models import Report
from reports.services.drafting import report_create

User = get_user_model()


@pytest.fixture
def provider(db):
    return User.objects.create_user("provider-soc", password="x")


@pytest.fixture
def org(demo):
    return demo["operator-general"].memberships.get().organization


def grant(demo, org, username="provider-soc", by="operator-general"):
    return provider_grant(user=demo[by], organization_id=org.pk, provider_username=username)


def draft_as(user, now):
    return report_create(
        user=User.objects.get(pk=user.pk),  # a fresh user object, as in a new request
        data={"title": "钓鱼邮件", "discovered_at": now - timedelta(minutes=5)},
        now=now,
    )


# --- provider_grant ------------------------------------------------------------------------


def test_grant_writes_a_drafter_membership_for_the_organisation(demo, provider, org):
    # when
    membership = grant(demo, org, username=" provider-soc ")
    # then
    membership = Membership.objects.get(pk=membership.pk)
    assert (membership.user, membership.role, membership.organization, membership.authority) == (
        provider,
        "provider_drafter",
        org,
        None,
    )
    (record,) = membership.history.all()
    assert record.history_type == "+" and record.role == "provider_drafter"
    assert record.organization_id == org.pk and record.user_id == provider.pk


def test_a_granted_provider_drafts_for_the_organisation(demo, provider, org, now):
    grant(demo, org)
    report = draft_as(provider, now)
    assert report.organization == org and report.created_by == provider


@pytest.mark.parametrize(
    "username",
    ["nobody", "reviewer-gd", "national", "police-liaison", "operator-general", "inactive"],
)
def test_grant_refuses_an_account_that_cannot_be_a_provider(demo, org, username):
    User.objects.create_user("inactive", is_active=False)
    before = Membership.objects.count()
    with pytest.raises(ValidationError) as refused:
        grant(demo, org, username=username)
    assert "provider" in refused.value.message_dict
    assert Membership.objects.count() == before


def test_the_refusal_never_tells_whether_an_account_exists_or_is_authority_staff(demo, org):
    User.objects.create_user("inactive", is_active=False)
    messages = set()
    for username in ("nobody", "reviewer-gd", "national", "operator-general", "inactive"):
        with pytest.raises(ValidationError) as refused:
            grant(demo, org, username=username)
        messages.add(tuple(refused.value.message_dict["provider"]))
    assert len(messages) == 1, messages


def test_grant_refuses_an_account_that_already_works_for_the_organisation(demo, provider, org):
    grant(demo, org)
    with pytest.raises(ValidationError):
        grant(demo, org)
    assert Membership.objects.filter(user=provider).count() == 1


def test_only_the_organisations_reporters_grant(demo, provider, org):
    for outsider in ("operator-cii", "reviewer-gd", "national"):
        with pytest.raises(ActionForbidden):
            grant(demo, org, by=outsider)
    assert not Membership.objects.filter(user=provider).exists()


def test_a_provider_may_work_for_two_organisations(demo, provider, org):
    other = demo["operator-cii"].memberships.get().organization
    grant(demo, org)
    grant(demo, other, by="operator-cii")
    assert set(Membership.objects.filter(user=provider).values_list("organization", flat=True)) == {
        org.pk,
        other.pk,
    }


# --- provider_revoke -----------------------------------------------------------------------


def test_revoke_removes_the_membership_and_the_history_keeps_both(demo, provider, org):
    membership = grant(demo, org)
    # when
    provider_revoke(user=demo["operator-general"], membership_id=membership.pk)
    # then
    assert not Membership.objects.filter(pk=membership.pk).exists()
    history = list(Membership.history.filter(id=membership.pk).order_by("history_id"))
    assert [h.history_type for h in history] == ["+", "-"]
    assert (history[-1].role, history[-1].organization_id, history[-1].user_id) == (
        "provider_drafter",
        org.pk,
        provider.pk,
    )


def test_a_revoked_provider_drafts_no_more_but_its_drafts_stay(demo, provider, org, now):
    membership = grant(demo, org)
    written = draft_as(provider, now)
    provider_revoke(user=demo["operator-general"], membership_id=membership.pk)
    with pytest.raises(ActionForbidden):
        draft_as(provider, now)
    assert Report.objects.get(pk=written.pk).created_by == provider


def test_only_the_organisations_reporters_revoke(demo, provider, org):
    membership = grant(demo, org)
    with pytest.raises(ActionForbidden):
        provider_revoke(user=demo["operator-cii"], membership_id=membership.pk)
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert [h.history_type for h in Membership.history.filter(id=membership.pk)] == ["+"]


def test_revoke_touches_only_provider_memberships(demo, org):
    own = demo["operator-general"].memberships.get()
    with pytest.raises(Http404):
        provider_revoke(user=demo["operator-general"], membership_id=own.pk)
    with pytest.raises(Http404):
        provider_revoke(user=demo["operator-general"], membership_id=0)
    assert Membership.objects.filter(pk=own.pk).exists()
