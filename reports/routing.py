"""Routing: the channel and the recipients of a report, derived from the organisation and
whether the incident involves CII (MEASURES.md §2) — never from the request."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Authority

from .constants import Channel


def channel_for(*, involves_cii: bool, is_central_unit: bool) -> str:
    """PURE. CII first (the stricter limit), then central units, then everyone else."""
    if involves_cii:
        return Channel.CII
    if is_central_unit:
        return Channel.CENTRAL
    return Channel.GENERAL


@dataclass(frozen=True)
class Route:
    channel: str
    receiving: Authority
    copies: tuple[Authority, ...]


def _one(error_field: str, message: str, **lookup) -> Authority:
    authority = Authority.objects.filter(**lookup).first()
    if authority is None:
        raise ValidationError({error_field: message})
    return authority


def route(organization, *, involves_cii: bool, suspected_crime: bool) -> Route:
    channel = channel_for(involves_cii=involves_cii, is_central_unit=organization.is_central_unit)
    copies: list[Authority] = []

    def police():
        return _one(
            "suspected_crime",
            _("No public-security authority is configured for your province."),
            kind=Authority.Kind.PUBLIC_SECURITY,
            province_id=organization.province_id,
            is_national=False,
        )

    if channel == Channel.CII:
        if not organization.sector_id:
            raise ValidationError(
                {
                    "involves_cii": _(
                        "Your organisation has no CII sector on record, so the protection "
                        "department cannot be found. Ask the portal administrator to record it."
                    )
                }
            )
        receiving = _one(
            "involves_cii",
            _("No protection department is configured for your sector."),
            kind=Authority.Kind.PROTECTION_DEPARTMENT,
            sector_id=organization.sector_id,
        )
        copies.append(police())
        if organization.is_central_unit and organization.department_id:
            office = Authority.objects.filter(
                kind=Authority.Kind.DEPARTMENT_CYBER_OFFICE,
                department_id=organization.department_id,
            ).first()
            if office:
                copies.append(office)
    elif channel == Channel.CENTRAL:
        receiving = _one(
            "organization",
            _("No cyber office is configured for your department."),
            kind=Authority.Kind.DEPARTMENT_CYBER_OFFICE,
            department_id=organization.department_id,
        )
    else:
        receiving = _one(
            "organization",
            _("No provincial cyberspace administration is configured for your province."),
            kind=Authority.Kind.PROVINCIAL_CAC,
            province_id=organization.province_id,
        )
    if suspected_crime:
        ps = police()
        if ps not in copies:
            copies.append(ps)
    return Route(channel=channel, receiving=receiving, copies=tuple(copies))
