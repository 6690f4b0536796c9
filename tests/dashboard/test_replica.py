"""The read replica (issue 12, core/db.py): with one configured, the dashboard's figures, its
exports and the statistics API read from it; every write, the write path and the clocks stay
on the primary. Here the replica is a second alias on the same test database (a mirror, as
the test settings declare it), so what it reads is what the primary holds."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.db import REPLICA, ReplicaRouter, replica_alias, replica_reads
from dashboard.summary import summary_refresh
from demo.bulk import seed_reports
from escalation.services.engine import deadlines_sweep
from reports.models import Report
from tests.reports.test_query_budget import major_draft

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

YEAR = {"date_from": (date.today() - timedelta(days=400)).isoformat()}


@pytest.fixture
def seeded(demo):
    seed_reports(40)
    summary_refresh(full=True)
    return demo


@pytest.fixture
def replica_on(settings):
    settings.READ_REPLICA = True


def queries_on_both():
    return CaptureQueriesContext(connections["default"]), CaptureQueriesContext(
        connections[REPLICA]
    )


def reads_only(captured) -> bool:
    """No statement writes (SELECTs, and the server-side cursors an export streams from)."""
    writes = ("INSERT", "UPDATE", "DELETE")
    return not any(q["sql"].lstrip().upper().startswith(writes) for q in captured.captured_queries)


def test_the_statistics_api_reads_from_the_replica(seeded, api_for, settings):
    client = api_for("national")
    url = reverse("dashboard-api:summary")
    settings.READ_REPLICA = False
    on_primary_only = client.get(url, YEAR).json()

    settings.READ_REPLICA = True
    primary, replica = queries_on_both()
    with primary, replica:
        response = client.get(url, YEAR)
    assert response.status_code == 200
    figures = {k: v for k, v in response.json().items() if k != "as_of"}
    assert figures == {k: v for k, v in on_primary_only.items() if k != "as_of"}
    assert figures["total"] > 0
    assert len(replica) > 0 and reads_only(replica)
    # the figures come from the replica; the primary only does the summary's freshness
    # check (which may refresh it: a write, so on the primary)
    assert any("dashboard_" in q["sql"] for q in replica.captured_queries)


def test_without_a_replica_nothing_reads_it(seeded, api_for):
    primary, replica = queries_on_both()
    with primary, replica:
        assert api_for("national").get(reverse("dashboard-api:summary"), YEAR).status_code == 200
    assert len(replica) == 0 and len(primary) > 0


def named_cursors(monkeypatch) -> dict[str, list]:
    """The server-side (named) cursors each connection opens, by alias."""
    opened = {}
    for alias in ("default", REPLICA):
        connection = connections[alias]
        create = connection.create_cursor

        def recording(name=None, _alias=alias, _create=create):
            if name:
                opened.setdefault(_alias, []).append(name)
            return _create(name)

        monkeypatch.setattr(connection, "create_cursor", recording)
    return opened


def test_exports_read_from_the_replica(seeded, web_for, demo, replica_on, monkeypatch):
    client = web_for("national")
    primary, replica = queries_on_both()
    cursors = named_cursors(monkeypatch)
    with primary, replica:
        response = client.get(reverse("dashboard:export", args=["reports", "csv"]), YEAR)
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        compliance = client.get(reverse("dashboard:export", args=["compliance", "csv"]), YEAR)
        b"".join(compliance.streaming_content)
    rows = list(csv.reader(io.StringIO(body)))[1:]
    visible = Report.objects.visible_to(demo["national"]).filter(submitted_at__isnull=False)
    assert {r[0] for r in rows} == set(visible.values_list("reference", flat=True)) != set()
    replica_sql = " ".join(q["sql"] for q in replica.captured_queries)
    assert "reports_report" in replica_sql and reads_only(replica)
    # the rows stream from the replica (the primary answers who asks, the summary's
    # freshness, and the short lists the visibility condition inlines)
    assert cursors.get(REPLICA) and not cursors.get("default")


def test_writes_the_write_path_and_the_clocks_stay_on_the_primary(demo, api_for, replica_on):
    client = api_for("operator-general")
    primary, replica = queries_on_both()
    with primary, replica:
        draft = client.post(reverse("reports-api:report-list"), major_draft(), format="json")
        submitted = client.post(
            reverse("reports-api:report-submit", args=[draft.json()["id"]]), {}, format="json"
        )
        assert submitted.status_code == 200
        client.get(reverse("reports-api:report-detail", args=[draft.json()["id"]]))
        deadlines_sweep(now=timezone.now() + timedelta(hours=2))  # reminders, the forward
    assert len(replica) == 0
    assert Report.objects.get(pk=draft.json()["id"]).tier == "national"


def test_the_router(replica_on):
    router = ReplicaRouter()
    assert router.db_for_read(Report) == "default"  # not marked
    with replica_reads():
        assert router.db_for_read(Report) == REPLICA
        assert router.db_for_write(Report) == "default"
        with transaction.atomic():  # a transaction reads what it wrote
            assert router.db_for_read(Report) == "default"
    assert replica_alias() == REPLICA
    assert router.allow_migrate(REPLICA, "reports") is False
    assert router.allow_migrate("default", "reports") is True


def test_no_replica_configured_means_the_primary(settings):
    settings.READ_REPLICA = False
    with replica_reads():
        assert ReplicaRouter().db_for_read(Report) == "default"
    assert replica_alias() == "default"
