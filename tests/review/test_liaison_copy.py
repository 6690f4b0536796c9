"""A public-security liaison's copy (issue 13, point 6; docs/DECISIONS.md, "Review
workflow"): the liaison reads the copy and reviews nothing; confirming receipt of it (签收)
is its one act, offered apart from the review actions, worded as receipt of a copy, and a
record on the timeline that changes nothing in the report."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from reports.constants import Status
from reports.models import Report
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from review.services.forwarding import report_forward
from review.services.triage import report_claim
from tests.helpers import login

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen(now):
    with time_machine.travel(now, tick=False):
        yield


def submitted(demo, now, **changes) -> Report:
    user = demo["operator-general"]
    data = {
        "title": "官网遭受拒绝服务攻击",
        "affected_systems": "门户网站",
        "discovered_at": now - timedelta(minutes=30),
        "location": "广州",
        "category": "0208",
        "severity_declared": "significant",
        "impact_description": "无法访问",
        "measures_taken": "流量清洗",
        "suspected_crime": True,  # copied to the provincial public-security department
        **changes,
    }
    draft = report_create(user=user, data=data, now=now)
    return report_submit(user=user, pk=draft.pk, now=now)


def page(client, report) -> str:
    response = client.get(reverse("review:report", args=[report.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_liaison_confirms_receipt_of_its_copy_apart_from_any_review(demo, now):
    report = submitted(demo, now)
    report_claim(user=demo["reviewer-gd"], pk=report.pk, now=now)  # in review meanwhile
    client = login(Client(), demo["police-liaison"])
    before = page(client, report)
    # no review panel and no review wording: a copy for information, and its receipt
    assert 'id="review-actions"' not in before and "确认接收" not in before
    copy = before.split('id="copy-receipt"')[1].split("</section>")[0]
    assert "抄送件（供参考）" in copy and "不审核本报告" in copy
    assert 'data-action="acknowledge"' in copy and "签收抄送件" in copy
    version = Report.objects.get(pk=report.pk).version
    # when
    response = client.post(
        reverse("review:action", args=[report.pk, "acknowledge"]), {"version": version}, **HTMX
    )
    # then: said as receipt of a copy, recorded on the timeline with the authority's name,
    # and nothing else changes
    assert response.status_code == 200
    after = response.content.decode()
    assert "已签收抄送件。" in after
    assert "确认接收" not in after.split('id="timeline"')[0]  # only the record's kind says so
    assert "您已于 2026-11-25 10:00 签收。" in after
    assert 'data-action="acknowledge"' not in after
    fresh = Report.objects.get(pk=report.pk)
    assert (fresh.status, fresh.assignee, fresh.version) == (
        Status.IN_REVIEW,
        demo["reviewer-gd"],
        version,
    )
    event = fresh.events.get(kind="acknowledged")
    assert event.actor == demo["police-liaison"]
    assert event.note == "抄送件已由广东省公安厅签收（供参考）。"
    # the operator sees on the timeline that public security received the copy
    operator_page = page(login(Client(), demo["operator-general"]), report)
    assert "抄送件已由广东省公安厅签收" in operator_page


def test_without_javascript_the_liaison_is_told_the_same(demo, now):
    report = submitted(demo, now)
    client = login(Client(), demo["police-liaison"])
    response = client.post(
        reverse("review:action", args=[report.pk, "acknowledge"]),
        {"version": Report.objects.get(pk=report.pk).version},
        follow=True,
    )
    assert "已签收抄送件。" in response.content.decode()


def test_the_national_tier_still_acknowledges_a_forwarded_report_as_a_review_step(demo, now):
    report = submitted(demo, now, severity_declared="major", suspected_crime=False)
    report_forward(user=demo["reviewer-gd"], pk=report.pk, now=now)
    client = login(Client(), demo["national"])
    body = page(client, report)
    panel = body.split('id="review-actions"')[1].split("</section>")[0]
    assert 'data-action="acknowledge"' in panel and "确认接收" in panel
    assert 'id="copy-receipt"' not in body
    done = client.post(
        reverse("review:action", args=[report.pk, "acknowledge"]),
        {"version": Report.objects.get(pk=report.pk).version},
        **HTMX,
    )
    assert "已确认接收。" in done.content.decode()
    assert Report.objects.get(pk=report.pk).status == Status.IN_REVIEW
