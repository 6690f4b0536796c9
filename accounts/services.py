"""Writes for accounts: service-provider delegation (Art. 5) and second-factor devices."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from core.exceptions import ActionForbidden

from .models import AuthEvent, Membership, Organization, Province, Sector
from .roles import roles_of
from .validators import is_valid_uscc


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


def organization_for_code(
    *, code: str, name: str = "", province=None, sector=None
) -> tuple[Organization, bool]:
    """The organisation with this unified social credit code, or a new one with the given
    name, province and (optional) sector once the code's check digit passes (a report
    received by telephone, fax, e-mail or WeChat may come from an organisation the portal
    does not know yet). Field errors: `organization_code`, `organization_name`,
    `organization_province`, `organization_sector`. Returns (organisation, created)."""
    code = (code or "").strip().upper()
    if not is_valid_uscc(code):
        raise ValidationError(
            {
                "organization_code": _(
                    "Enter a valid 18-character unified social credit code "
                    "(the last character is a check digit)."
                )
            }
        )
    existing = Organization.objects.filter(uscc=code).first()
    if existing is not None:
        return existing, False
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["organization_name"] = _(
            "No organisation has this code yet: give its name to record it."
        )
    elif len(name) > 200:
        errors["organization_name"] = _("At most 200 characters.")
    province_id = getattr(province, "pk", province)
    if not province_id:
        errors["organization_province"] = _(
            "No organisation has this code yet: give its province to record it."
        )
    elif not Province.objects.filter(pk=province_id).exists():
        errors["organization_province"] = _("Unknown province.")
    sector_id = getattr(sector, "pk", sector) or None
    if sector_id and not Sector.objects.filter(pk=sector_id).exists():
        errors["organization_sector"] = _("Unknown sector.")
    if errors:
        raise ValidationError(errors)
    organization = Organization(name=name, uscc=code, province_id=province_id, sector_id=sector_id)
    organization.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError:  # recorded concurrently under the same code: use that one
        return Organization.objects.get(uscc=code), False
    return organization, True
