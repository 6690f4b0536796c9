"""Nothing raw in what people read (issue 13, points 4 and 5): Beijing time, field labels and
formatted values in the change log, indicator choices by their labels, evidence types and
sizes in words."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.formats import display_value, file_size, local_minute
from reports.forms import EvidenceForm
from reports.indicators import criterion_text, indicators_display
from reports.models import GradingCriterion, Report
from reports.services.drafting import report_create, report_update
from reports.services.evidence import attachment_add
from reports.services.followups import report_followup
from reports.services.submission import report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(now):
    # 2026-11-25 02:00 UTC = 10:00 Beijing time
    with time_machine.travel(now, tick=False):
        yield


@pytest.fixture(autouse=True)
def evidence_root(tmp_path, settings):
    settings.EVIDENCE_ROOT = str(tmp_path / "evidence")


def complete(now, **changes):
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


def test_times_read_in_beijing_time(now):
    assert local_minute(now) == "2026-11-25 10:00"
    assert display_value(Report._meta.get_field("submitted_at"), now) == "2026-11-25 10:00"


def test_sizes_read_in_words():
    assert file_size(75) == "75 字节"
    assert file_size(2048) == "2.0 KB"


def test_indicators_and_criteria_read_as_labels():
    text = indicators_display({"personal_info_leaked": 2000000, "portal_scope": "none"})
    assert text == (
        "个人信息泄露涉及的公民人数：2,000,000；"
        "网站范围（门户网站 / 新闻网站）：其他网站（不属于上述范围）"
    )
    assert "{" not in text and "none" not in text
    criterion = GradingCriterion.objects.filter(indicator="personal_info_leaked").first()
    assert criterion is not None
    assert "个人信息泄露涉及的公民人数" in str(criterion)
    assert "personal_info_leaked" not in str(criterion)
    assert (
        criterion_text(
            {
                "indicator": "personal_info_leaked",
                "level": "major",
                "threshold": "1000000",
                "unit": "people",
            }
        )
        == "重大：个人信息泄露涉及的公民人数 ≥ 1,000,000 人"
    )


def test_the_evidence_form_labels_follow_ups_in_beijing_time(demo, now):
    operator = demo["operator-general"]
    report = report_create(user=operator, data=complete(now), now=now)
    report = report_submit(user=operator, pk=report.pk, now=now)
    followup = report_followup(
        user=operator, pk=report.pk, data={"kind": "progress", "body": "已恢复"}, now=now
    )
    form = EvidenceForm(followups=[followup])
    labels = [label for _value, label in form.fields["followup"].choices]
    assert any("2026-11-25 10:00" in label for label in labels), labels
    assert not any("02:00" in label for label in labels), labels


def test_the_report_page_shows_indicators_and_the_change_log_in_words(demo, now, web_for):
    operator = demo["operator-general"]
    draft = report_create(user=operator, data=complete(now), now=now)
    draft = report_update(
        user=operator,
        pk=draft.pk,
        data={"indicators": {"personal_info_leaked": 2000000, "portal_scope": "none"}},
        version=draft.version,
        now=now,
    )
    report = report_submit(user=operator, pk=draft.pk, now=now)
    attachment_add(
        user=operator, pk=report.pk, upload=SimpleUploadedFile("log.txt", b"x" * 75), now=now
    )
    html = web_for("operator-general").get(reverse("review:report", args=[report.pk]))
    html = html.content.decode()
    # indicator values by their labels (not "none" / "major")
    assert "其他网站（不属于上述范围）" in html
    # the change log: labels and formatted values, no dict literal, no raw codes
    assert "分级指标" in html
    assert "个人信息泄露涉及的公民人数：2,000,000" in html
    assert "{&#x27;" not in html and "{}" not in html
    assert "&#x27;personal_info_leaked&#x27;" not in html
    assert "→ submitted" not in html and "draft →" not in html
    # the evidence list and the timeline: the type and size in words, times in Beijing time
    assert "文本文件" in html and "75 字节" in html
    assert "text/plain" not in html.replace('title="text/plain"', "")
    assert "75 B" not in html
    assert "2026-11-25 10:00" in html
