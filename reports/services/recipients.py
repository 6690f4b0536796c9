"""Who is told about a report: the notification recipients of every service."""

from accounts.models import Authority, Membership

from ..constants import Tier


def members(**lookup) -> list:
    return [m.user for m in Membership.objects.filter(**lookup).select_related("user")]


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


def summary_recipients(report) -> list:
    """Art. 8, "原渠道": the summary report goes back through the original channel — the
    receiving authority and its copies — and to the national tier once it holds the report."""
    users = receiving_reviewers(report) + copied_staff(report)
    if report.tier == Tier.NATIONAL:
        users += national_officials()
    return users
