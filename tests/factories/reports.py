"""Reports at rest (list pages, filters, visibility). State changes go through the services,
so that events, clocks and history are real (docs/ARCHITECTURE.md, "Conventions")."""

from datetime import UTC, datetime, timedelta

import factory

from accounts.models import Authority
from reports.constants import Channel, Severity, Status, Tier
from reports.models import Report

from .accounts import OrganizationFactory, UserFactory

DISCOVERED = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def _provincial_cac(report) -> Authority:
    return Authority.objects.get(
        kind=Authority.Kind.PROVINCIAL_CAC, province_id=report.organization.province_id
    )


class ReportFactory(factory.django.DjangoModelFactory):
    """A draft of a general-channel operator, routed to its provincial CAC. The `submitted`
    trait gives a report as `report_submit` leaves it (without clocks or events)."""

    class Meta:
        model = Report

    reference = factory.Sequence(lambda n: f"TEST-2026-{n:06d}")
    organization = factory.SubFactory(OrganizationFactory)
    created_by = factory.SubFactory(UserFactory)
    channel = Channel.GENERAL
    receiving_authority = factory.LazyAttribute(_provincial_cac)
    status = Status.DRAFT
    tier = Tier.RECEIVING
    title = factory.Sequence(lambda n: f"网站遭受 DDoS 攻击 {n}")
    affected_systems = "门户网站"
    discovered_at = DISCOVERED
    location = "广州"
    category_id = "0208"
    severity_declared = Severity.SIGNIFICANT
    severity_suggested = Severity.GENERAL
    severity = Severity.SIGNIFICANT
    impact_description = "服务中断"
    measures_taken = "流量清洗"

    class Params:
        submitted = factory.Trait(
            status=Status.SUBMITTED,
            submitted_at=factory.LazyAttribute(lambda r: r.discovered_at + timedelta(minutes=30)),
            submitted_by=factory.SelfAttribute("created_by"),
            version=2,
        )
        serious = factory.Trait(severity_declared=Severity.MAJOR, severity=Severity.MAJOR)
