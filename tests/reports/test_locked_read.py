"""The locked read of a report (`report_get(lock=True)`, reports.selectors): the ORM's query
for the user's visibility, compiled once per process for each visibility condition and run
as a raw query. It must answer as `Report.objects.visible_to(user)` does, for every user,
whatever was compiled before for another."""

import pytest
from django.db import connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from reports.models import Report
from reports.selectors import report_get
from reports.services.drafting import report_create
from tests.helpers import submitted_report

USERS = [
    "admin",
    "operator-general",
    "operator-cii",
    "operator-central",
    "national",
    "reviewer-gd",
    "reviewer-bj",
    "police-liaison",
    "intake-12387",
]


def draft(demo, username, now, **data):
    return report_create(
        user=demo[username],
        data={"title": "网站被篡改", "location": "广州", **data},
        now=now,
    )


@pytest.fixture
def reports(demo, now):
    """A draft and a submitted serious report of two operators."""
    general_draft = draft(demo, "operator-general", now)
    serious = submitted_report(demo, now)
    central_draft = draft(demo, "operator-central", now)
    return [general_draft, serious, central_draft]


def row(report) -> list:
    return [getattr(report, f.attname) for f in Report._meta.concrete_fields]


def test_every_user_locks_exactly_the_reports_it_sees_with_the_same_row(demo, reports):
    # every user in turn, twice: the second round runs what the first compiled
    outcomes = set()
    for _ in range(2):
        for username in USERS:
            user = demo[username]
            for report in reports:
                visible = Report.objects.visible_to(user).filter(pk=report.pk).first()
                with transaction.atomic():
                    outcomes.add(visible is not None)
                    if visible is None:
                        with pytest.raises(Http404):
                            report_get(user=user, pk=report.pk, lock=True)
                        continue
                    locked = report_get(user=user, pk=report.pk, lock=True)
                assert row(locked) == row(visible), (username, report.pk)
                assert sorted(locked.held_copies) == sorted(
                    visible.copied_to.values_list("pk", flat=True)
                )
                assert locked.organization == visible.organization
    assert outcomes == {True, False}


def test_the_read_takes_the_row_lock(demo, reports):
    report = reports[0]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        report_get(user=demo["operator-general"], pk=report.pk, lock=True)
    (read,) = [q["sql"] for q in queries if "reports_report" in q["sql"]]
    assert 'FOR UPDATE OF "reports_report"' in read


def test_an_unknown_or_malformed_id_is_not_found(demo, reports):
    with transaction.atomic():
        for pk in (0, -7_315_071, 10**9, "abc", None):
            with pytest.raises(Http404):
                report_get(user=demo["operator-general"], pk=pk, lock=True)


def test_a_reporter_gets_the_organisation_of_its_membership_without_a_read(demo, reports):
    report = reports[0]
    with transaction.atomic():
        locked = report_get(user=demo["operator-general"], pk=report.pk, lock=True)
        with CaptureQueriesContext(connection) as queries:
            name = locked.organization.name
    assert queries.captured_queries == []
    assert name == report.organization.name
