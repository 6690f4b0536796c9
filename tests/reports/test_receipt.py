"""The receipt (回执) of a submitted report (issue 13, point 10): a PDF at
/reports/<id>/receipt.pdf with the reference, the organisation, the receiving authority, the
copies, the times in Beijing time, the outcome and the SHA-256 of the content as submitted
(docs/DECISIONS.md, "The receipt's SHA-256"), for whoever may see the report."""

import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from reports.contents import DRAFT_FIELDS
from reports.models import Report
from reports.services.drafting import report_create
from reports.services.followups import report_followup
from reports.services.submission import report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(now):
    with time_machine.travel(now, tick=False):
        yield


def complete(now, **changes):
    return {
        "title": "官网遭受拒绝服务攻击",
        "affected_systems": "门户网站 www.example.cn",
        "discovered_at": now - timedelta(minutes=30),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "indicators": {"personal_info_leaked": 2000000},
        "impact_description": "无法访问",
        "measures_taken": "流量清洗",
        "suspected_crime": True,  # a copy to the provincial public-security department
        **changes,
    }


@pytest.fixture
def submitted(demo, now):
    user = demo["operator-general"]
    draft = report_create(user=user, data=complete(now), now=now)
    return report_submit(user=user, pk=draft.pk, now=now)


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def expected_digest(report: Report) -> str:
    """The digest as docs/DECISIONS.md defines it, computed here from the stored report."""

    def value(name):
        by_code = {"category": "category_id", "cii_sector": "cii_sector_id"}
        raw = getattr(report, by_code.get(name, name))
        if isinstance(raw, datetime):
            return raw.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if isinstance(raw, Decimal):
            return f"{raw:.2f}"
        return raw

    document = {
        "format": "csir-receipt/1",
        "organization": report.organization.uscc,
        "submitted_at": value("submitted_at"),
        "content": {name: value(name) for name in DRAFT_FIELDS},
    }
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_the_receipt_says_who_reported_what_to_whom_when_and_its_hash(demo, submitted, web_for):
    report = Report.objects.get(pk=submitted.pk)
    url = reverse("reports:receipt", args=[report.pk])
    # the report page links to it
    page = web_for("operator-general").get(reverse("review:report", args=[report.pk]))
    assert f'href="{url}"' in page.content.decode()
    # when
    response = web_for("operator-general").get(url)
    # then
    text = pdf_text(response)
    digest = expected_digest(report)
    assert report.submitted_sha256 == digest
    assert report.reference in text
    assert digest in text
    assert "网络安全事件报告回执" in text
    assert report.organization.name in text and report.organization.uscc in text
    assert report.receiving_authority.name in text
    copies = [a.name for a in report.copied_to.all()]
    assert copies and all(name in text for name in copies)
    # 2026-11-25 02:00 UTC: submitted 10:00 Beijing time; the limit (major, 4 h from the
    # discovery at 09:30) 13:30
    assert "2026-11-25 10:00（北京时间）" in text
    assert "2026-11-25 13:30（北京时间）" in text
    assert "按时" in text
    assert f'filename="{report.reference}-receipt.pdf"' in response["Content-Disposition"]


def test_the_hash_is_of_the_content_as_submitted_and_reproducible(demo, submitted, web_for, now):
    report = Report.objects.get(pk=submitted.pk)
    digest = report.submitted_sha256
    web = web_for("operator-general")
    url = reverse("reports:receipt", args=[report.pk])
    first = pdf_text(web.get(url))
    # a follow-up changes the report (item 3-8 content): not what was submitted
    report_followup(
        user=demo["operator-general"],
        pk=report.pk,
        data={"kind": "progress", "body": "已恢复", "cause": "僵尸网络攻击"},
        now=now + timedelta(hours=1),
    )
    Report.objects.filter(pk=report.pk).update(title="更正后的标题")  # an admin's correction
    second = pdf_text(web.get(url))
    assert digest in first and digest in second
    # reproducible from the first history row after submission (the content as submitted)
    as_submitted = report.history.exclude(status="draft").earliest("history_date")
    as_submitted.organization = report.organization
    assert expected_digest(as_submitted) == digest
    # and a report with no stored digest (submitted before it was stored) gets the same one
    Report.objects.filter(pk=report.pk).update(submitted_sha256="")
    assert digest in pdf_text(web.get(url))


def test_a_late_filing_reads_late_with_its_reason(demo, now, web_for):
    user = demo["operator-general"]
    draft = report_create(
        user=user, data=complete(now, discovered_at=now - timedelta(hours=6)), now=now
    )
    report = report_submit(
        user=user, pk=draft.pk, data={"late_reason": "值班人员未及时上报"}, now=now
    )
    text = pdf_text(web_for("operator-general").get(reverse("reports:receipt", args=[report.pk])))
    assert "迟报" in text and "2 小时" in text and "值班人员未及时上报" in text
    assert "按时" not in text


def test_whoever_may_see_the_report_gets_it_and_nobody_else(demo, submitted, web_for, now):
    url = reverse("reports:receipt", args=[submitted.pk])
    assert web_for("reviewer-gd").get(url).status_code == 200  # receiving authority
    assert web_for("police-liaison").get(url).status_code == 200  # holds a copy
    assert web_for("reviewer-bj").get(url).status_code == 404  # another province
    assert web_for("operator-cii").get(url).status_code == 404  # another organisation
    # a draft has no receipt, and its page offers none
    draft = report_create(user=demo["operator-general"], data=complete(now), now=now)
    web = web_for("operator-general")
    assert web.get(reverse("reports:receipt", args=[draft.pk])).status_code == 404
    page = web.get(reverse("review:report", args=[draft.pk])).content.decode()
    assert "receipt.pdf" not in page
