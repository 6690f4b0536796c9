"""Several requests for information open at once: one follow-up answers them all and meets
every one of their clocks; closing the report cancels every one (no reminder or breach for
a question already answered, or on a closed report)."""

from datetime import timedelta

from escalation.services.engine import deadlines_sweep
from reports.services.drafting import report_create
from reports.services.followups import report_followup
from reports.services.submission import report_submit
from review.services.requests import report_request_info
from review.services.triage import report_claim, report_close


def _submitted(demo, now, severity="major"):
    op = demo["operator-general"]
    data = {
        "title": "勒索软件攻击",
        "affected_systems": "ERP",
        "discovered_at": now - timedelta(minutes=30),
        "location": "广州",
        "category": "0208",
        "severity_declared": severity,
        "impact_description": "业务中断",
        "measures_taken": "隔离",
    }
    report = report_create(user=op, data=data, now=now)
    return report_submit(user=op, pk=report.pk, now=now)


def _two_requests(demo, report, now):
    gd = demo["reviewer-gd"]
    report_claim(user=gd, pk=report.pk, now=now)
    for question in ("日志？", "影响范围？"):
        report_request_info(
            user=gd, pk=report.pk, question=question, due_at=now + timedelta(hours=2), now=now
        )


def test_a_followup_that_answers_two_requests_meets_both_their_clocks(demo, now):
    # given two open requests with a due time
    report = _submitted(demo, now)
    _two_requests(demo, report, now)
    # when one follow-up answers them (the service marks both requests answered)
    answered = now + timedelta(minutes=30)
    report_followup(
        user=demo["operator-general"],
        pk=report.pk,
        data={"kind": "supplement", "body": "两项均已补充"},
        now=answered,
    )
    assert set(report.info_requests.values_list("answered_at", flat=True)) == {answered}
    deadlines_sweep(now=now + timedelta(hours=3))
    # then no request clock is left open, and nothing is breached
    assert list(report.deadlines.filter(kind="info_request").values_list("outcome", flat=True)) == [
        "met",
        "met",
    ]
    assert not report.events.filter(kind="deadline_breached").exists()


def test_closing_a_report_cancels_every_open_request_clock(demo, now):
    # given two open requests with a due time on a significant report
    report = _submitted(demo, now, severity="significant")
    _two_requests(demo, report, now)
    # when the reviewer closes the report
    report_close(user=demo["reviewer-gd"], pk=report.pk, reason="已处置", now=now)
    deadlines_sweep(now=now + timedelta(hours=3))
    # then
    assert list(report.deadlines.filter(kind="info_request").values_list("outcome", flat=True)) == [
        "not_required",
        "not_required",
    ]
    assert not report.events.filter(kind="deadline_breached").exists()
