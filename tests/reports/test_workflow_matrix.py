"""Every role × every action × every state, through the services: allowed or refused with
the right error (404 not visible, 403 role, 409 state), and nothing changed when refused."""

from datetime import timedelta

import pytest
from django.http import Http404

from core.exceptions import ActionForbidden, InvalidTransition
from reports.models import Report
from reports.services.drafting import report_create
from reports.services.followups import report_followup, report_handling_ended, report_summary
from reports.services.submission import report_submit
from review.services.findings import report_record_finding
from review.services.forwarding import report_forward, report_notify
from review.services.requests import report_request_info
from review.services.triage import (
    report_acknowledge,
    report_assign,
    report_claim,
    report_close,
    report_grade,
)

USERS = ["operator-general", "reviewer-gd", "reviewer-bj", "national", "police-liaison"]
STATES = [
    "draft",
    "submitted",
    "in_review",
    "awaiting_operator",
    "closed_receiving",
    "national_submitted",
    "national_in_review",
    "national_closed",
]
RECEIVING_OPEN = {"submitted", "in_review", "awaiting_operator"}
NATIONAL_OPEN = {"national_submitted", "national_in_review"}
NATIONAL_ALL = NATIONAL_OPEN | {"national_closed"}
AFTER_DRAFT = set(STATES) - {"draft"}

VISIBLE = {
    "operator-general": set(STATES),
    "reviewer-gd": AFTER_DRAFT,
    "reviewer-bj": set(),
    # serious reports still at the receiving tier, and everything at the national tier
    "national": RECEIVING_OPEN | NATIONAL_ALL,
    "police-liaison": AFTER_DRAFT,  # copied: suspected crime
}
# who holds the action at all (others: 403), and in which states it is allowed (others: 409)
ALLOWED = {
    "claim": {"reviewer-gd": {"submitted"}},
    "assign": {"reviewer-gd": RECEIVING_OPEN, "national": NATIONAL_OPEN},
    "acknowledge": {"national": {"national_submitted"}, "police-liaison": AFTER_DRAFT},
    "grade": {"reviewer-gd": RECEIVING_OPEN, "national": NATIONAL_OPEN},
    "request_info": {"reviewer-gd": RECEIVING_OPEN, "national": NATIONAL_OPEN},
    "forward": {"reviewer-gd": RECEIVING_OPEN},
    "notify": {"reviewer-gd": AFTER_DRAFT, "national": NATIONAL_ALL},
    # a serious report cannot be closed before it is forwarded
    "close": {"reviewer-gd": set(), "national": NATIONAL_OPEN},
    # 补报 and 续报 stay possible after closure (issue 11, item 15)
    "followup": {"operator-general": AFTER_DRAFT},
    "handling_ended": {"operator-general": AFTER_DRAFT},
    "summary": {"operator-general": AFTER_DRAFT},
    # Art. 10 findings (issue 11, item 20): at any time after submission
    "finding": {"reviewer-gd": AFTER_DRAFT, "national": RECEIVING_OPEN | NATIONAL_ALL},
}


def expected(action, user, state):
    if state not in VISIBLE[user]:
        return Http404
    if user not in ALLOWED[action]:
        return ActionForbidden
    if state in ALLOWED[action][user]:
        return None
    return InvalidTransition


def build(demo, now, state, *, severity="major", handling_ended=False) -> Report:
    op, gd, nat = demo["operator-general"], demo["reviewer-gd"], demo["national"]
    t = now - timedelta(hours=2)
    severity = "significant" if state == "closed_receiving" else severity
    report = report_create(
        user=op,
        now=t,
        data={
            "title": "勒索软件攻击",
            "affected_systems": "ERP",
            "discovered_at": t - timedelta(minutes=30),
            "location": "广州",
            "category": "0203",
            "severity_declared": severity,
            "impact_description": "业务中断",
            "measures_taken": "隔离",
            "suspected_crime": True,
        },
    )
    if state == "draft":
        return report
    report_submit(user=op, pk=report.pk, now=t)
    if state in ("in_review", "awaiting_operator"):
        report_claim(user=gd, pk=report.pk, now=t)
    if state == "awaiting_operator":
        report_request_info(user=gd, pk=report.pk, question="日志？", now=t)
    if state == "closed_receiving":
        report_close(user=gd, pk=report.pk, reason="已处置", now=t)
    if state.startswith("national"):
        report_forward(user=gd, pk=report.pk, now=t)
    if state in ("national_in_review", "national_closed"):
        report_acknowledge(user=nat, pk=report.pk, now=t)
    if state == "national_closed":
        report_close(user=nat, pk=report.pk, reason="结案", now=t)
    if handling_ended:
        report_handling_ended(
            user=op, pk=report.pk, handling_ended_at=t - timedelta(minutes=5), now=t
        )
    return Report.objects.get(pk=report.pk)


def perform(action, user, demo, report, now):
    pk = report.pk
    if action == "claim":
        return report_claim(user=user, pk=pk, now=now)
    if action == "assign":
        target = demo["national"] if report.tier == "national" else demo["reviewer-gd"]
        return report_assign(user=user, pk=pk, assignee=target, now=now)
    if action == "acknowledge":
        return report_acknowledge(user=user, pk=pk, now=now)
    if action == "grade":
        return report_grade(user=user, pk=pk, severity="major", reason="核定", now=now)
    if action == "request_info":
        return report_request_info(user=user, pk=pk, question="补充？", now=now)
    if action == "forward":
        return report_forward(user=user, pk=pk, now=now)
    if action == "notify":
        return report_notify(user=user, pk=pk, departments=["工信部"], now=now)
    if action == "close":
        return report_close(user=user, pk=pk, reason="结案", now=now)
    if action == "followup":
        data = {"kind": "progress", "body": "进展"}
        return report_followup(user=user, pk=pk, data=data, now=now)
    if action == "handling_ended":
        return report_handling_ended(
            user=user, pk=pk, handling_ended_at=now - timedelta(minutes=1), now=now
        )
    if action == "finding":
        return report_record_finding(user=user, pk=pk, kind="late", reason="迟报", now=now)
    if action == "summary":
        fields = ("cause", "emergency_measures", "harm", "accountability", "rectification")
        data = {name: "内容" for name in (*fields, "lessons")}
        return report_summary(user=user, pk=pk, data=data, now=now)
    raise AssertionError(action)


def snapshot(report_pk):
    report = Report.objects.get(pk=report_pk)
    return (
        report.status,
        report.tier,
        report.version,
        report.severity,
        report.assignee_id,
        report.handling_ended_at,
        report.events.count(),
        report.followups.count(),
        report.info_requests.count(),
        report.findings.count(),
        report.deadlines.filter(outcome="open").count(),
        hasattr(report, "forwarding"),
        hasattr(report, "summary"),
    )


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_every_role_action_state(demo, now, action, state):
    report = build(demo, now, state, handling_ended=(action == "summary" and state != "draft"))
    for username in USERS:
        error = expected(action, username, state)
        before = snapshot(report.pk)
        if error is None:
            continue  # the allowed case changes the report: checked below, on a fresh one
        with pytest.raises(error):
            perform(action, demo[username], demo, Report.objects.get(pk=report.pk), now)
        assert snapshot(report.pk) == before, f"{username} {action} {state} changed the report"
    allowed_users = [u for u in USERS if expected(action, u, state) is None]
    for username in allowed_users:
        fresh = build(demo, now, state, handling_ended=(action == "summary"))
        before = snapshot(fresh.pk)
        perform(action, demo[username], demo, Report.objects.get(pk=fresh.pk), now)
        assert snapshot(fresh.pk) != before, f"{username} {action} {state} changed nothing"
