"""Issue 11 ("the statutory chain without holes"), the intake side: each numbered item of
the issue at its boundary. State is driven through the services; time is the `now` each
one is given (and time-machine where the sweep or the pages read the clock)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from notifications.models import Notification
from reports.models import Report, SummaryReport
from reports.services.drafting import report_create
from reports.services.followups import report_handling_ended, report_summary
from reports.services.submission import report_submit
from review.services.triage import report_grade

SUMMARY = {
    "cause": "弱口令",
    "emergency_measures": "隔离主机",
    "harm": "无",
    "accountability": "无",
    "rectification": "启用双因素",
    "lessons": "加强口令管理",
}


def data(now, **changes) -> dict:
    return {
        "title": "官网遭受拒绝服务攻击",
        "affected_systems": "门户网站",
        "discovered_at": now - timedelta(minutes=30),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "无法访问",
        "measures_taken": "流量清洗",
        **changes,
    }


def submitted(demo, now, username="operator-general", **changes) -> Report:
    report = report_create(user=demo[username], data=data(now, **changes), now=now)
    return report_submit(user=demo[username], pk=report.pk, now=now)


def told(report, kind) -> set[str]:
    return set(
        Notification.objects.filter(report=report, kind=kind).values_list(
            "user__username", flat=True
        )
    )


def clocks(report, kind) -> list[tuple]:
    return list(
        report.deadlines.filter(kind=kind)
        .order_by("pk")
        .values_list("outcome", "opened_at", "statutory_due_at")
    )


# --- item 6: a 一般 report carries no clocks ----------------------------------------------


def test_the_end_of_handling_of_a_general_report_opens_no_summary_clock(demo, now):
    op = demo["operator-general"]
    report = submitted(demo, now, severity_declared="general")
    assert report.severity == "general"
    # when
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=now, now=now)
    # then: recorded, but no clock and no "summary due" message
    report.refresh_from_db()
    assert report.handling_ended_at == now
    assert report.events.filter(kind="handling_ended").count() == 1
    assert not report.deadlines.exists()
    assert report.next_due_at is None
    assert told(report, "summary_due") == set()
    # a voluntary summary is still taken, against no clock
    report_summary(user=op, pk=report.pk, data=SUMMARY, now=now + timedelta(days=40))
    assert SummaryReport.objects.filter(report=report).exists()
    assert not report.deadlines.exists()


def test_a_significant_report_still_gets_its_summary_clock(demo, now):
    op = demo["operator-general"]
    report = submitted(demo, now, severity_declared="significant")
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=now, now=now)
    assert clocks(report, "summary") == [("open", now, now + timedelta(days=30))]


def test_a_reviewer_grading_a_general_report_up_after_handling_opens_the_summary_clock(demo, now):
    op, gd = demo["operator-general"], demo["reviewer-gd"]
    report = submitted(demo, now, severity_declared="general")
    ended = now + timedelta(hours=1)
    report_handling_ended(user=op, pk=report.pk, handling_ended_at=ended, now=ended)
    # when graded up a day later
    later = now + timedelta(days=1)
    report_grade(user=gd, pk=report.pk, severity="significant", reason="影响较大", now=later)
    # then the clock runs from the end of handling, not from the grade
    assert clocks(report, "summary") == [("open", ended, ended + timedelta(days=30))]
    # and graded back to 一般, it is no longer required
    report_grade(user=gd, pk=report.pk, severity="general", reason="复核", now=later)
    assert [c[0] for c in clocks(report, "summary")] == ["not_required"]
    assert Report.objects.get(pk=report.pk).next_due_at is None


# --- item 10: the reference year is the Beijing date's year --------------------------------


@pytest.mark.parametrize(
    ("utc", "year"),
    [
        # 31 Dec 16:00 UTC is 1 Jan 00:00 in Beijing: already the new year
        (datetime(2026, 12, 31, 16, 0, tzinfo=UTC), 2027),
        (datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC), 2026),
    ],
)
def test_the_reference_carries_the_year_of_the_beijing_date(demo, utc, year):
    with time_machine.travel(utc, tick=False):
        report = report_create(
            user=demo["operator-general"], data=data(utc, discovered_at=utc), now=None
        )
    assert report.reference.startswith(f"CSIR-{year}-")
    assert Report.objects.get(pk=report.pk).reference == report.reference
