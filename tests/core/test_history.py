"""History rows copied inside the database (core.history): the same rows
django-simple-history's signal writes, for a report and for clocks, created and changed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.history import history_create
from escalation.models import Deadline
from reports.models import Report
from reports.services.drafting import report_create
from tests.helpers import serious_report_data

IGNORED = {"history_id", "history_date"}


def row(historical) -> dict:
    return {
        f.attname: getattr(historical, f.attname)
        for f in type(historical)._meta.concrete_fields
        if f.attname not in IGNORED
    }


@pytest.fixture
def report(demo):
    created = report_create(user=demo["operator-general"], data=serious_report_data())
    return Report.objects.get(pk=created.pk)


def test_a_copied_row_is_the_row_the_signal_writes(report, demo):
    report.title = "门户网站被篡改"
    report._history_user = demo["operator-general"]
    report._change_reason = "标题更正"
    report.save()  # the signal's row
    by_signal = report.history.first()

    report.skip_history_when_saving = True
    report.save()
    history_create(Report, [(report, "~")])
    copied = report.history.first()

    assert copied.history_id > by_signal.history_id
    assert row(copied) == row(by_signal)
    assert (copied.history_user_id, copied.history_change_reason, copied.title) == (
        demo["operator-general"].pk,
        "标题更正",
        "门户网站被篡改",
    )


def test_created_and_changed_clocks_in_one_statement_in_the_order_of_their_ids(report):
    (file_clock,) = Deadline.objects.filter(report=report)
    file_clock.due_at -= timedelta(minutes=5)
    file_clock.skip_history_when_saving = True
    file_clock.save()
    forward = Deadline(
        report=report,
        kind=Deadline.Kind.FORWARD,
        opened_at=timezone.now(),
        statutory_due_at=timezone.now() + timedelta(hours=1),
        due_at=timezone.now() + timedelta(minutes=50),
        policy_channel=report.channel,
        policy_within=timedelta(hours=1),
    )
    forward.skip_history_when_saving = True
    forward.save()
    before = Deadline.history.count()

    history_create(Deadline, [(file_clock, "~"), (forward, "+")])

    rows = list(Deadline.history.filter(report_id=report.pk).order_by("history_id"))[-2:]
    assert Deadline.history.count() == before + 2
    assert [(r.id, r.history_type) for r in rows] == [(file_clock.pk, "~"), (forward.pk, "+")]
    assert rows[0].due_at == file_clock.due_at and rows[1].kind == "forward"
