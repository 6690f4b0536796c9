"""Routing: the channel and the recipients of a report, derived from the organisation and
whether the incident involves CII (docs/RULES.md §2) — never from the request.

`plan_route` is the rule (pure: which kinds of authority, for which province, sector or
department); `route` finds those authorities. The demo generator resolves the same plan
against its own index of the authorities."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Authority
from core.refcache import ReferenceCache

from .constants import Channel

Kind = Authority.Kind
# Where each kind of receiving or copied authority is found, and what a reporter is told
# (on which field) when none is configured.
SCOPE_FIELD = {
    Kind.PROVINCIAL_CAC: "province_id",
    Kind.PUBLIC_SECURITY: "province_id",
    Kind.PROTECTION_DEPARTMENT: "sector_id",
    Kind.DEPARTMENT_CYBER_OFFICE: "department_id",
}
MISSING = {
    Kind.PROVINCIAL_CAC: (
        "organization",
        gettext_lazy("No provincial cyberspace administration is configured for your province."),
    ),
    Kind.PUBLIC_SECURITY: (
        "suspected_crime",
        gettext_lazy("No public-security authority is configured for your province."),
    ),
    Kind.PROTECTION_DEPARTMENT: (
        "involves_cii",
        gettext_lazy("No protection department is configured for your sector."),
    ),
    Kind.DEPARTMENT_CYBER_OFFICE: (
        "organization",
        gettext_lazy("No cyber office is configured for your department."),
    ),
}


def channel_for(*, involves_cii: bool, is_central_unit: bool) -> str:
    """PURE. CII first (the stricter limit), then central units, then everyone else."""
    if involves_cii:
        return Channel.CII
    if is_central_unit:
        return Channel.CENTRAL
    return Channel.GENERAL


@dataclass(frozen=True)
class AuthorityKey:
    """An authority by its kind and the province, sector or department it serves."""

    kind: str
    scope: str

    @classmethod
    def of(cls, authority) -> "AuthorityKey":
        return cls(authority.kind, getattr(authority, SCOPE_FIELD[authority.kind]))


@dataclass(frozen=True)
class RoutePlan:
    channel: str
    receiving: AuthorityKey
    copies: tuple[AuthorityKey, ...]
    copies_if_configured: tuple[AuthorityKey, ...] = ()


def plan_route(
    organization, *, involves_cii: bool, suspected_crime: bool, cii_sector: str | None = None
) -> RoutePlan:
    """PURE (reads the organisation's attributes only). The CII channel goes to the sector's
    protection department with a copy to public security (and to the cyber office of a
    central unit's department, where there is one); central units to their department's
    cyber office; everyone else to the provincial CAC. A suspected crime is copied to public
    security. The sector is the organisation's on record; an organisation with none names
    the sector of the CII its incident involves (`cii_sector`)."""
    channel = channel_for(involves_cii=involves_cii, is_central_unit=organization.is_central_unit)
    police = AuthorityKey(Kind.PUBLIC_SECURITY, organization.province_id)
    copies: list[AuthorityKey] = []
    optional: list[AuthorityKey] = []
    if cii_sector and organization.sector_id and cii_sector != organization.sector_id:
        raise ValidationError(
            {
                "cii_sector": _(
                    "Your organisation's CII sector on record is “%(sector)s”: leave this "
                    "empty or name that sector."
                )
                % {"sector": organization.sector_id}
            }
        )
    if cii_sector and not involves_cii:
        raise ValidationError(
            {"cii_sector": _("Name a CII sector only for an incident that involves CII.")}
        )
    if channel == Channel.CII:
        sector = organization.sector_id or cii_sector
        if not sector:
            raise ValidationError(
                {
                    "cii_sector": _(
                        "Your organisation has no CII sector on record: name the sector of "
                        "the critical information infrastructure the incident involves."
                    )
                }
            )
        receiving = AuthorityKey(Kind.PROTECTION_DEPARTMENT, sector)
        copies.append(police)
        if organization.is_central_unit and organization.department_id:
            optional.append(AuthorityKey(Kind.DEPARTMENT_CYBER_OFFICE, organization.department_id))
    elif channel == Channel.CENTRAL:
        receiving = AuthorityKey(Kind.DEPARTMENT_CYBER_OFFICE, organization.department_id)
    else:
        receiving = AuthorityKey(Kind.PROVINCIAL_CAC, organization.province_id)
    if suspected_crime and police not in copies:
        copies.append(police)
    return RoutePlan(channel, receiving, tuple(copies), tuple(optional))


def missing_error(key: AuthorityKey) -> ValidationError:
    field, message = MISSING[key.kind]
    return ValidationError({field: str(message)})


@dataclass(frozen=True)
class Route:
    channel: str
    receiving: Authority
    copies: tuple[Authority, ...]  # in the authorities' order (kind, code)


AUTHORITY_FIELDS = [f.attname for f in Authority._meta.concrete_fields]


def _load_authorities() -> dict:
    """The authorities a report can be routed or copied to, by kind and scope."""
    found = {}
    rows = Authority.objects.filter(is_national=False, kind__in=list(SCOPE_FIELD))
    for values in rows.values_list(*AUTHORITY_FIELDS):
        row = dict(zip(AUTHORITY_FIELDS, values, strict=True))
        found[AuthorityKey(row["kind"], row[SCOPE_FIELD[row["kind"]]])] = row
    return found


_authorities = ReferenceCache(_load_authorities)


def _authority(row: dict) -> Authority:
    authority = Authority(**row)
    authority._state.adding = False
    authority._state.db = "default"
    return authority


def route(
    organization, *, involves_cii: bool, suspected_crime: bool, cii_sector: str | None = None
) -> Route:
    """The plan, with its authorities (kept in memory: core/refcache.py; fresh instances
    each call)."""
    plan = plan_route(
        organization,
        involves_cii=involves_cii,
        suspected_crime=suspected_crime,
        cii_sector=cii_sector,
    )
    known = _authorities.get()
    found = {
        key: _authority(known[key])
        for key in (plan.receiving, *plan.copies, *plan.copies_if_configured)
        if key.scope and key in known
    }
    for key in (plan.receiving, *plan.copies):
        if key not in found:
            raise missing_error(key)
    copies = [found[key] for key in plan.copies]
    copies += [found[key] for key in plan.copies_if_configured if key in found]
    copies.sort(key=lambda a: (a.kind, a.code))
    return Route(channel=plan.channel, receiving=found[plan.receiving], copies=tuple(copies))


def copies_national_police_at_forward(channel: str) -> bool:
    """PURE. Art. 4: a serious CII incident goes to the national CAC *and* to the State
    Council's public security department (公安部): forwarding copies it there."""
    return channel == Channel.CII


def national_police() -> Authority:
    """The Ministry of Public Security (the national public-security authority)."""
    return Authority.objects.get(kind=Kind.PUBLIC_SECURITY, is_national=True)


def routed_copy_keys(report) -> set[AuthorityKey] | None:
    """The copies the report's route makes (by kind and scope), as its submission made them;
    None when the organisation's record no longer yields a route."""
    try:
        plan = plan_route(
            report.organization,
            involves_cii=report.involves_cii,
            suspected_crime=report.suspected_crime,
            cii_sector=report.cii_sector_id,
        )
    except ValidationError:
        return None
    return {*plan.copies, *plan.copies_if_configured}


def is_routed_copy(authority, keys: set[AuthorityKey] | None) -> bool:
    if keys is None:
        return True
    scope = SCOPE_FIELD.get(authority.kind)
    return scope is not None and AuthorityKey(authority.kind, getattr(authority, scope)) in keys
