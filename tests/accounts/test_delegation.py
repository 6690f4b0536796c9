"""Service-provider delegation (Art. 5): a provider drafts, only the operator submits, and
the history shows who drafted what."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import Membership
from accounts.services import provider_grant, provider_revoke
from core.exceptions import ActionForbidden
from reports.models import Report
from reports.services.drafting import report_create, report_update
from reports.services.submission import report_submit


@pytest.fixture
def provider(demo):
    return get_user_model().objects.create_user("provider-soc", password="x")


@pytest.fixture
def org(demo):
    return demo["operator-general"].memberships.get().organization


def _draft(user, now):
    return report_create(
        user=user,
        now=now,
        data={
            "title": "钓鱼",
            "affected_systems": "邮件",
            "discovered_at": now - timedelta(minutes=5),
            "location": "广州",
            "category": "0202",
            "severity_declared": "significant",
            "impact_description": "账号被盗",
            "measures_taken": "重置",
        },
    )


def test_a_granted_provider_drafts_and_the_operator_submits(demo, provider, org, now):
    provider_grant(
        user=demo["operator-general"], organization_id=org.pk, provider_username="provider-soc"
    )
    draft = _draft(provider, now)
    assert draft.organization == org and draft.created_by == provider
    report_update(
        user=provider, pk=draft.pk, data={"cause": "弱口令"}, version=draft.version, now=now
    )
    with pytest.raises(ActionForbidden):
        report_submit(user=provider, pk=draft.pk, now=now)
    report = report_submit(user=demo["operator-general"], pk=draft.pk, now=now)
    assert report.status == "submitted" and report.submitted_by == demo["operator-general"]
    drafters = {h.history_user_id for h in report.history.all() if h.history_user_id}
    assert provider.pk in drafters or report.created_by == provider


def test_a_provider_sees_only_the_drafts_it_wrote(demo, provider, org, now):
    own = _draft(demo["operator-general"], now)
    provider_grant(
        user=demo["operator-general"], organization_id=org.pk, provider_username="provider-soc"
    )
    mine = _draft(provider, now)
    visible = set(Report.objects.visible_to(provider).values_list("pk", flat=True))
    assert visible == {mine.pk}
    with pytest.raises(Http404):
        report_update(user=provider, pk=own.pk, data={"cause": "x"}, version=own.version, now=now)


def test_only_the_operator_grants_and_revokes(demo, provider, org):
    with pytest.raises(ActionForbidden):
        provider_grant(
            user=demo["operator-cii"], organization_id=org.pk, provider_username="provider-soc"
        )
    with pytest.raises(ValidationError):
        provider_grant(
            user=demo["operator-general"], organization_id=org.pk, provider_username="nobody"
        )
    with pytest.raises(ValidationError):
        provider_grant(
            user=demo["operator-general"], organization_id=org.pk, provider_username="reviewer-gd"
        )
    grant = provider_grant(
        user=demo["operator-general"], organization_id=org.pk, provider_username="provider-soc"
    )
    with pytest.raises(ActionForbidden):
        provider_revoke(user=demo["operator-cii"], membership_id=grant.pk)
    provider_revoke(user=demo["operator-general"], membership_id=grant.pk)
    assert not Membership.objects.filter(pk=grant.pk).exists()
    assert Membership.history.filter(id=grant.pk, history_type="-").exists()
