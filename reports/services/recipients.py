"""Who is told about a report: the notification recipients of every service."""

from functools import reduce
from operator import or_

from django.db.models import BooleanField, ExpressionWrapper, Q

from accounts.models import Authority, Membership

from ..constants import Channel, Tier
from ..models import Forwarding
from ..routing import is_routed_copy, routed_copy_keys


def members(*conditions, **lookup) -> list:
    return [m.user for m in Membership.objects.filter(*conditions, **lookup).select_related("user")]


def members_grouped(*, with_membership: bool = False, **groups: Q) -> dict[str, list]:
    """`members` of several conditions in one query: {name: users} (the memberships, their
    `user` read with them, when `with_membership`), each list in the order of the membership
    rows (a user may be in several). The conditions are on the membership's own columns (no
    join: an annotation would make it an inner one)."""
    if not groups:
        return {}
    flags = {
        f"in_{name}": ExpressionWrapper(q, output_field=BooleanField())
        for name, q in groups.items()
    }
    rows = (
        Membership.objects.filter(reduce(or_, groups.values()))
        .annotate(**flags)
        .select_related("user")
        .order_by("pk")
    )
    found = {name: [] for name in groups}
    for membership in rows:
        for name in groups:
            if getattr(membership, f"in_{name}"):
                found[name].append(membership if with_membership else membership.user)
    return found


def reporters_q(report) -> Q:
    return Q(role=Membership.Role.REPORTER, organization_id=report.organization_id)


def receiving_reviewers_q(report) -> Q:
    return Q(role=Membership.Role.REVIEWER, authority_id=report.receiving_authority_id)


def reporters_of_q(organization_ids) -> Q:
    """`reporters_q` of several reports' organisations (a batch)."""
    return Q(role=Membership.Role.REPORTER, organization_id__in=organization_ids)


def reviewers_of_q(authority_ids) -> Q:
    """`receiving_reviewers_q` of several reports' authorities (a batch)."""
    return Q(role=Membership.Role.REVIEWER, authority_id__in=authority_ids)


def national_officials_q() -> Q:
    return Q(role=Membership.Role.NATIONAL_OFFICIAL)


def reporters(report) -> list:
    return members(reporters_q(report))


def receiving_reviewers(report) -> list:
    return members(receiving_reviewers_q(report))


def national_officials() -> list:
    return members(national_officials_q())


def national_public_security() -> list:
    return members(authority__kind=Authority.Kind.PUBLIC_SECURITY, authority__is_national=True)


def holding_staff(report) -> list:
    """Staff of the authority that holds the report now."""
    if report.tier == Tier.NATIONAL:
        return national_officials()
    return receiving_reviewers(report)


def copied_staff(report) -> list:
    return members(authority__in=report.copied_to.all())


def holding_and_copied_q(report, copies=None) -> Q:
    """The memberships of `holding_staff` and `copied_staff` (`copies`: the authorities the
    report is copied to, when the caller has just written them)."""
    if report.tier == Tier.NATIONAL:
        holding = national_officials_q()
    else:
        holding = receiving_reviewers_q(report)
    copies = [a.pk for a in (report.copied_to.all() if copies is None else copies)]
    return holding | Q(authority_id__in=copies) if copies else holding


def channel_copies(report) -> list:
    """The authorities the report is copied to on its own channel: every copy but that of a
    same-level department the provincial CAC notified at forwarding (Art. 4) — the CAC's
    notice, not the operator's channel — unless the route copies that authority too."""
    copies = list(report.copied_to.all())
    if report.forwarded_at is None or report.channel != Channel.GENERAL:
        return copies
    notified = set(
        Forwarding.same_level_departments.through.objects.filter(
            forwarding__report_id=report.pk, sameleveldepartment__authority__isnull=False
        ).values_list("sameleveldepartment__authority_id", flat=True)
    )
    if not notified:
        return copies
    keys = routed_copy_keys(report)
    return [a for a in copies if a.pk not in notified or is_routed_copy(a, keys)]


def summary_recipients(report) -> list:
    """Art. 8, "原渠道": the summary report goes back through the original channel — the
    receiving authority and its copies on that channel (`channel_copies`) — and to the
    national tier once it holds the report."""
    copies = [a.pk for a in channel_copies(report)]
    users = receiving_reviewers(report) + (members(authority__in=copies) if copies else [])
    if report.tier == Tier.NATIONAL:
        users += national_officials()
    return users
