"""Grading up a voluntary (一般) report records whether it was filed in time, even when its
draft once had a filing clock (opened when declared 较大, cancelled when declared 一般)."""

from datetime import timedelta

from reports.services.drafting import report_create, report_update
from reports.services.submission import report_submit
from review.services.triage import report_grade


def test_grading_up_records_the_filing_outcome_even_if_the_draft_once_had_a_clock(demo, now):
    op = demo["operator-general"]
    data = {
        "title": "网站被篡改",
        "affected_systems": "官网",
        "discovered_at": now - timedelta(minutes=30),
        "location": "广州",
        "category": "0208",
        "severity_declared": "significant",
        "impact_description": "首页被篡改",
        "measures_taken": "恢复页面",
    }
    # given a draft declared 较大, then 一般 (its filing clock cancelled), submitted
    report = report_create(user=op, data=data, now=now)
    report_update(user=op, pk=report.pk, data={"severity_declared": "general"}, version=1, now=now)
    report_submit(user=op, pk=report.pk, now=now)
    # when the reviewer grades it 较大
    report_grade(
        user=demo["reviewer-gd"],
        pk=report.pk,
        severity="significant",
        reason="核定为较大",
        now=now + timedelta(hours=1),
    )
    # then, as for a report declared 一般 from the start, its filing is judged: met at submission
    clock = report.deadlines.exclude(outcome="not_required").get(kind="file")
    assert clock.outcome == "met" and clock.met_at == now
