"""Writes for accounts: service-provider delegation (Art. 5) and second-factor devices."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from core.exceptions import ActionForbidden

from .models import AuthEvent, Membership
from .roles import roles_of


def is_authority_staff(user) -> bool:
    """Accounts that must use two-factor login: authority staff and admins."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return roles_of(user).is_authority_staff


def _check_reporter(user, organization_id) -> None:
    if not roles_of(user).reports_for(organization_id):
        raise ActionForbidden(_("Only the operator's reporters manage service providers."))


@transaction.atomic
def provider_grant(*, user, organization_id, provider_username: str) -> Membership:
    """Let a contracted service provider's account draft this organisation's reports. Only
    the operator's reporters submit."""
    _check_reporter(user, organization_id)
    provider = get_user_model().objects.filter(username=(provider_username or "").strip()).first()
    # One answer for "no such account", "inactive", "authority staff" and "yourself": the form
    # must not tell who has an account, or who works for an authority.
    if (
        provider is None
        or not provider.is_active
        or provider.pk == user.pk
        or is_authority_staff(provider)
    ):
        raise ValidationError(
            {
                "provider": _(
                    "This username cannot be made a service provider. Check it with the "
                    "provider: it must be the provider's own active account."
                )
            }
        )
    if Membership.objects.filter(user=provider, organization_id=organization_id).exists():
        raise ValidationError({"provider": _("This account already works for the organisation.")})
    return Membership.objects.create(
        user=provider, role=Membership.Role.PROVIDER_DRAFTER, organization_id=organization_id
    )


@transaction.atomic
def provider_revoke(*, user, membership_id) -> None:
    membership = Membership.objects.filter(
        pk=membership_id, role=Membership.Role.PROVIDER_DRAFTER
    ).first()
    if membership is None:
        raise Http404
    _check_reporter(user, membership.organization_id)
    membership.delete()  # the membership's history keeps the grant and its removal


def auth_event(kind: str, *, user=None, username: str = "", request=None) -> AuthEvent:
    address = None
    if request is not None:
        address = request.META.get("REMOTE_ADDR") or None
    return AuthEvent.objects.create(
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        username=(username or getattr(user, "username", ""))[:150],
        ip_address=address,
    )
