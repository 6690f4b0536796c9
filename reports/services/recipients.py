"""Who is told about a report: the notification recipients of every service."""

from django.db.models import Q

from accounts.models import Authority, Membership

from ..constants import Tier


def members(*conditions, **lookup) -> list:
    return [m.user for m in Membership.objects.filter(*conditions, **lookup).select_related("user")]


def reporters(report) -> list:
    return members(role=Membership.Role.REPORTER, organization_id=report.organization_id)


def receiving_reviewers(report) -> list:
    return members(role=Membership.Role.REVIEWER, authority_id=report.receiving_authority_id)


def national_officials() -> list:
    return members(role=Membership.Role.NATIONAL_OFFICIAL)


def national_public_security() -> list:
    return members(authority__kind=Authority.Kind.PUBLIC_SECURITY, authority__is_national=True)


def holding_staff(report) -> list:
    """Staff of the authority that holds the report now."""
    if report.tier == Tier.NATIONAL:
        return national_officials()
    return receiving_reviewers(report)


def copied_staff(report) -> list:
    return members(authority__in=report.copied_to.all())


def holding_and_copied_staff(report, copies=None) -> list:
    """`holding_staff` and `copied_staff` in one query (`copies`: the authorities the report
    is copied to, when the caller has just written them)."""
    if report.tier == Tier.NATIONAL:
        holding = Q(role=Membership.Role.NATIONAL_OFFICIAL)
    else:
        holding = Q(role=Membership.Role.REVIEWER, authority_id=report.receiving_authority_id)
    copies = [a.pk for a in (report.copied_to.all() if copies is None else copies)]
    return members(holding | Q(authority_id__in=copies)) if copies else members(holding)


def summary_recipients(report) -> list:
    """Art. 8, "原渠道": the summary report goes back through the original channel — the
    receiving authority and its copies — and to the national tier once it holds the report."""
    users = receiving_reviewers(report) + copied_staff(report)
    if report.tier == Tier.NATIONAL:
        users += national_officials()
    return users
