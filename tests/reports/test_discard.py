"""Discarding a draft (issue 13, point 9): DELETE /api/v1/reports/<id>/ answers 204 for a
draft and 409 for a submitted report; the web page has a button; the draft leaves every list
while its row, timeline and history stay."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from escalation.models import Deadline
from reports.models import Report, ReportEvent
from reports.services.drafting import report_create
from reports.services.submission import report_submit
from review.services.requests import report_require

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(now):
    with time_machine.travel(now, tick=False):
        yield


def complete(now):
    return {
        "title": "官网遭受拒绝服务攻击",
        "affected_systems": "门户网站",
        "discovered_at": now - timedelta(minutes=30),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "无法访问",
        "measures_taken": "流量清洗",
    }


@pytest.fixture
def draft(demo, now):
    return report_create(user=demo["operator-general"], data=complete(now), now=now)


def test_delete_discards_a_draft_and_it_leaves_every_list(demo, draft, api_for, web_for):
    api = api_for("operator-general")
    assert draft.deadlines.get(kind="file").outcome == "open"
    # when
    response = api.delete(f"/api/v1/reports/{draft.pk}/")
    # then: 204, gone from the API and the pages
    assert response.status_code == 204
    assert api.get(f"/api/v1/reports/{draft.pk}/").status_code == 404
    listed = [r["id"] for r in api.get("/api/v1/reports/").json()["results"]]
    assert draft.pk not in listed
    web = web_for("operator-general")
    assert draft.reference not in web.get(reverse("reports:list")).content.decode()
    assert web.get(reverse("reports:edit", args=[draft.pk])).status_code == 404
    # and a second DELETE finds nothing
    assert api.delete(f"/api/v1/reports/{draft.pk}/").status_code == 404
    # its row, timeline and history stay; its filing clock is cancelled
    row = Report.objects.get(pk=draft.pk)
    assert row.discarded_at is not None and row.status == "draft"
    assert row.events.filter(kind=ReportEvent.Kind.DISCARDED).count() == 1
    assert row.history.count() >= 2
    assert row.history.latest().history_change_reason == "草稿已删除"
    assert Deadline.objects.get(report=row, kind="file").outcome == "not_required"


def test_a_submitted_report_cannot_be_deleted(demo, draft, api_for, now):
    report = report_submit(user=demo["operator-general"], pk=draft.pk, now=now)
    response = api_for("operator-general").delete(f"/api/v1/reports/{report.pk}/")
    assert response.status_code == 409
    assert "不能删除" in response.json()["detail"]
    report.refresh_from_db()
    assert report.discarded_at is None and report.status == "submitted"


def test_a_draft_an_authority_required_cannot_be_deleted(demo, api_for, now):
    organization = demo["operator-general"].memberships.first().organization
    required = report_require(
        user=demo["reviewer-gd"], organization=organization, title="网站被篡改", now=now
    )
    response = api_for("operator-general").delete(f"/api/v1/reports/{required.pk}/")
    assert response.status_code == 409
    required.refresh_from_db()
    assert required.discarded_at is None


def test_an_authority_cannot_delete_a_draft_it_cannot_see(draft, api_for):
    assert api_for("reviewer-gd").delete(f"/api/v1/reports/{draft.pk}/").status_code == 404
    assert Report.objects.get(pk=draft.pk).discarded_at is None


def test_the_draft_page_has_a_discard_button_that_works(demo, draft, web_for):
    web = web_for("operator-general")
    page = web.get(reverse("reports:edit", args=[draft.pk])).content.decode()
    discard = reverse("reports:discard", args=[draft.pk])
    assert f'action="{discard}"' in page and "删除此草稿" in page
    response = web.post(discard, follow=True)
    assert response.redirect_chain[-1][0] == reverse("reports:list")
    assert f"草稿 {draft.reference} 已删除。" in response.content.decode()
    assert Report.objects.get(pk=draft.pk).discarded_at is not None


def test_the_button_on_a_submitted_report_says_why_not(demo, draft, web_for, now):
    report_submit(user=demo["operator-general"], pk=draft.pk, now=now)
    web = web_for("operator-general")
    response = web.post(reverse("reports:discard", args=[draft.pk]), follow=True)
    assert "已提交的报告不能删除。" in response.content.decode()
    assert Report.objects.get(pk=draft.pk).discarded_at is None
