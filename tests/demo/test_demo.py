"""`seed_demo --reports N`: bulk demo data consistent with what the services write."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from accounts.models import Organization
from accounts.validators import is_valid_uscc
from demo.bulk import seed_reports
from demo.pool import POOL_SIZE
from escalation.models import Deadline
from reports.constants import FILE_LIMITS
from reports.models import Forwarding, Report, ReportEvent

pytestmark = pytest.mark.django_db
N = 200


@pytest.fixture
def seeded(demo, now):
    assert seed_reports(N, now=now) == N
    return Report.objects.filter(reference__startswith="DEMO-")


def test_counts_and_spread(seeded, now):
    assert seeded.count() == N
    assert set(seeded.values_list("channel", flat=True)) == {"cii", "central", "general"}
    assert set(seeded.values_list("severity_declared", flat=True)) == {
        "general",
        "significant",
        "major",
        "especially_major",
    }
    assert {"draft", "submitted", "in_review", "closed"} <= set(
        seeded.values_list("status", flat=True)
    )
    assert set(seeded.values_list("tier", flat=True)) == {"receiving", "national"}
    assert seeded.values("organization__province").distinct().count() >= 25
    assert seeded.values("category").distinct().count() >= 30
    first = seeded.order_by("discovered_at").first().discovered_at
    assert now - timedelta(days=366) <= first
    assert now - first > timedelta(days=200)
    assert seeded.filter(created_at__lt=now - timedelta(days=30)).exists()  # not "now"


def test_references_are_unique_and_continue(seeded, now):
    refs = list(seeded.values_list("reference", flat=True))
    assert len(refs) == len(set(refs)) == N
    assert all(r.startswith("DEMO-20") and len(r) == len("DEMO-2026-0000001") for r in refs)
    assert max(int(r[-7:]) for r in refs) == N


def test_events_and_clocks_follow_the_rules(seeded):
    # every report was created; every non-draft was submitted once
    assert ReportEvent.objects.filter(report__in=seeded, kind="created").count() == N
    submitted = seeded.exclude(status="draft")
    assert (
        ReportEvent.objects.filter(report__in=seeded, kind="submitted").count() == submitted.count()
    )
    # forwarded reports sit at the national tier with a forward event and a met/late clock
    national = seeded.filter(tier="national")
    assert national.exists()
    assert not national.filter(forwarded_at__isnull=True).exists()
    forward = Deadline.objects.filter(report__in=national, kind="forward")
    assert forward.count() == national.count()
    assert set(forward.values_list("outcome", flat=True)) <= {"met", "late"}
    assert Forwarding.objects.filter(report__in=national).count() == national.count()
    assert not Forwarding.objects.exclude(at=F("report__forwarded_at")).exists()
    # file clocks: met on time or late with legal lateness and a reason
    file_clocks = Deadline.objects.filter(report__in=submitted, kind="file")
    assert file_clocks.filter(outcome="met").exists()
    late = file_clocks.filter(lateness__isnull=False)
    assert late.exists()
    assert not late.filter(report__late_reason="").exists()
    assert not file_clocks.filter(outcome="met", lateness__isnull=False).exists()
    # no clock for 一般; no forward clock below major
    assert not Deadline.objects.filter(report__in=seeded, report__severity="general").exists()
    for clock in file_clocks.select_related("report")[:50]:
        assert clock.due_at == clock.opened_at + FILE_LIMITS[clock.report.channel]
        assert clock.opened_at == clock.report.discovered_at
        assert clock.met_at == clock.report.submitted_at
    assert not Deadline.objects.filter(due_at__gt=F("statutory_due_at")).exists()
    # at most one open clock per kind, and no clock opened on a report of another channel
    assert not (
        Deadline.objects.filter(outcome="open")
        .values("report", "kind")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )
    assert not Deadline.objects.exclude(policy_channel=F("report__channel")).exists()


def test_routing_matches_the_channel(seeded):
    cii = seeded.filter(channel="cii").select_related("receiving_authority")
    assert all(r.receiving_authority.kind == "protection_department" for r in cii)
    assert all(r.copied_to.filter(kind="public_security").exists() for r in cii)
    general = seeded.filter(channel="general").select_related("receiving_authority", "organization")
    assert all(r.receiving_authority.province_id == r.organization.province_id for r in general)


def test_general_forwards_notify_the_provinces_same_level_departments(seeded):
    # Art. 4 (issue 11, item 2): as the automatic forward does, the province's configured
    # same-level departments, the one with a portal authority copied
    forwarded = Forwarding.objects.filter(report__in=seeded.filter(channel="general"))
    assert forwarded.exists()
    for forwarding in forwarded.select_related("report__organization")[:30]:
        province = forwarding.report.organization.province_id
        codes = set(forwarding.same_level_departments.values_list("code", flat=True))
        assert f"sl-ps-{province}" in codes
        assert forwarding.report.copied_to.filter(code=f"ps-{province}").exists()
    other = Forwarding.objects.filter(report__in=seeded.exclude(channel="general"))
    assert not other.filter(same_level_departments__isnull=False).exists()


def test_the_pool_covers_every_province_with_valid_codes(seeded):
    pool = Organization.objects.filter(memberships__user__username__startswith="demo-op-")
    assert pool.count() >= POOL_SIZE
    assert pool.values("province").distinct().count() == 32
    assert pool.filter(is_cii_operator=True).values("sector").distinct().count() == 8
    assert pool.filter(is_central_unit=True, is_cii_operator=True).exists()
    assert all(is_valid_uscc(code) for code in pool.values_list("uscc", flat=True))


def test_history_rows_exist(seeded):
    report = seeded.first()
    assert report.history.count() == 1


def test_seeding_twice_adds_twice(seeded, now):
    orgs = Organization.objects.count()
    assert seed_reports(N, now=now) == N
    assert Report.objects.filter(reference__startswith="DEMO-").count() == 2 * N
    assert Organization.objects.count() == orgs  # the pool is reused
    refs = Report.objects.values_list("reference", flat=True)
    assert len(set(refs)) == len(refs)


def test_deterministic(demo, now):
    seed_reports(50, now=now)
    first = list(
        Report.objects.filter(reference__startswith="DEMO-")
        .order_by("reference")
        .values_list("reference", "organization__uscc", "severity", "status", "discovered_at")
    )
    Report.objects.filter(reference__startswith="DEMO-").delete()
    seed_reports(50, now=now)
    again = list(
        Report.objects.filter(reference__startswith="DEMO-")
        .order_by("reference")
        .values_list("reference", "organization__uscc", "severity", "status", "discovered_at")
    )
    assert first == again


def test_the_command(demo):
    out = StringIO()
    call_command("seed_demo", "--reports", "30", stdout=out)
    assert "Added 30 reports." in out.getvalue()
    assert Report.objects.filter(reference__startswith="DEMO-").count() == 30
