"""Wording that says what happened (issue 13, point 8): follow-up, summary and tip-off
notifications by their own names; the summary deadline labelled as a deadline; the authority's
forward clock not shown to the operator as its own task; no internal usernames of an
authority's staff on the operator's pages."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from notifications.models import Notification
from reports.contents import SUMMARY_FIELDS
from reports.services.drafting import report_create
from reports.services.followups import report_followup, report_handling_ended, report_summary
from reports.services.submission import report_submit
from review.services.requests import report_request_info
from review.services.triage import report_claim

pytestmark = pytest.mark.django_db

SUMMARY = dict.fromkeys(SUMMARY_FIELDS, "已完成")


@pytest.fixture(autouse=True)
def frozen(now):
    with time_machine.travel(now, tick=False):
        yield


@pytest.fixture
def report(demo, now):
    operator = demo["operator-general"]
    draft = report_create(
        user=operator,
        data={
            "title": "官网遭受拒绝服务攻击",
            "affected_systems": "门户网站",
            "discovered_at": now - timedelta(minutes=30),
            "location": "广州",
            "category": "0208",
            "severity_declared": "major",
            "impact_description": "无法访问",
            "measures_taken": "流量清洗",
        },
        now=now,
    )
    return report_submit(user=operator, pk=draft.pk, now=now)


def kinds(user, report):
    return list(
        Notification.objects.filter(user=user, report=report).values_list("kind", flat=True)
    )


def test_a_progress_report_is_notified_as_a_follow_up_not_as_information_supplied(
    demo, report, now
):
    report_claim(user=demo["reviewer-gd"], pk=report.pk, now=now)
    report_followup(
        user=demo["operator-general"],
        pk=report.pk,
        data={"kind": "progress", "body": "已恢复"},
        now=now,
    )
    notification = Notification.objects.get(user=demo["reviewer-gd"], kind="followup_filed")
    assert notification.get_kind_display() == "收到补报/续报"
    assert "info_supplied" not in kinds(demo["reviewer-gd"], report)


def test_a_follow_up_answering_a_request_is_information_supplied(demo, report, now):
    report_claim(user=demo["reviewer-gd"], pk=report.pk, now=now)
    report_request_info(user=demo["reviewer-gd"], pk=report.pk, question="攻击线索？", now=now)
    report_followup(
        user=demo["operator-general"],
        pk=report.pk,
        data={"kind": "supplement", "body": "已补充"},
        now=now,
    )
    assert "info_supplied" in kinds(demo["reviewer-gd"], report)


def test_the_summary_is_notified_as_the_summary(demo, report, now):
    operator = demo["operator-general"]
    report_handling_ended(user=operator, pk=report.pk, handling_ended_at=now, now=now)
    # the operator is told at once that a summary is required — not that it is "due soon"
    told = Notification.objects.get(user=operator, kind="summary_due")
    assert told.get_kind_display() == "需报送总结报告"
    report_summary(user=operator, pk=report.pk, data=SUMMARY, now=now)
    filed = Notification.objects.filter(kind="summary_filed", report=report)
    assert filed.exists() and filed.first().get_kind_display() == "已报送总结报告"


def test_the_operator_page_labels_the_summary_deadline_and_names_no_staff(
    demo, report, now, web_for
):
    operator = demo["operator-general"]
    report_claim(user=demo["reviewer-gd"], pk=report.pk, now=now)
    report_handling_ended(user=operator, pk=report.pk, handling_ended_at=now, now=now)
    html = web_for("operator-general").get(reverse("review:report", args=[report.pk]))
    html = html.content.decode()
    assert "总结报告报送期限" in html and "即将到期" not in html
    assert "接收机关正在处理" in html
    assert "reviewer-gd" not in html  # the reviewer's internal username
    assert "接收机关工作人员" in html  # the claim on the timeline, without the name
    # the reviewer sees who it is
    staff = web_for("reviewer-gd").get(reverse("review:report", args=[report.pk]))
    assert "承办人" in staff.content.decode()


def test_the_operators_list_shows_the_forward_clock_as_the_authoritys(demo, report, web_for):
    html = web_for("operator-general").get(reverse("reports:list")).content.decode()
    assert "上报国家层面期限（由接收机关负责）" in html
    row = html[html.index(report.reference) :]
    row = row[: row.index("</tr>")]
    forward_cell = row[row.rindex("<td") :]
    assert "剩余" in forward_cell or "left" in forward_cell  # the open forward clock
    assert "text-bg-warning" not in forward_cell  # not coloured as the operator's task


def test_the_queue_tabs_are_a_navigation_not_an_empty_tablist(web_for):
    """Issue 13, point 12: role=tablist without tabs was a critical axe violation."""
    html = web_for("reviewer-gd").get(reverse("review:queue")).content.decode()
    assert 'role="tablist"' not in html
    assert '<nav aria-label="队列视图">' in html
    assert 'aria-current="page"' in html
