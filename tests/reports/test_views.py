"""The operator's web pages: visibility, drafts that are never lost, live grading, the
state-secret guard, submission (once), languages and optimistic concurrency."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from reports.constants import Status
from reports.models import Report, ReportEvent
from reports.services.drafting import report_create, report_update
from tests.helpers import login as login_as

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}

# A complete first report (Art. 7 items 1–2), as the browser posts it. The fixed `now` is
# 2026-11-25 02:00 UTC = 10:00 in Beijing.
COMPLETE = {
    "title": "官网遭受拒绝服务攻击",
    "affected_systems": "门户网站 www.example.cn，两台负载均衡",
    "discovered_at": "2026-11-25T09:30",
    "occurred_at": "2026-11-25T09:10",
    "location": "广州市天河区机房",
    "category": "0208",
    "severity_declared": "significant",
    "impact_description": "官网无法访问约 40 分钟",
    "measures_taken": "已启用流量清洗，业务恢复",
}


@pytest.fixture(autouse=True)
def frozen(now):
    with time_machine.travel(now, tick=False):
        yield


@pytest.fixture
def draft(demo, now):
    return report_create(user=demo["operator-general"], data={}, now=now)


def edit_url(report):
    return reverse("reports:edit", args=[report.pk])


def submit_url(report):
    return reverse("reports:submit", args=[report.pk])


def post_data(report, **fields):
    return {"version": report.version, **fields}


class TestVisibility:
    def test_the_list_shows_only_my_organisations_reports(self, demo, now, web_for):
        # given
        mine = report_create(user=demo["operator-general"], data={"title": "我的"}, now=now)
        theirs = report_create(user=demo["operator-cii"], data={"title": "别人的"}, now=now)
        # when
        response = web_for("operator-general").get(reverse("reports:list"))
        # then
        assert response.status_code == 200
        content = response.content.decode()
        assert mine.reference in content
        assert theirs.reference not in content

    @pytest.mark.parametrize(
        ("name", "method"),
        [
            ("review:report", "get"),
            ("edit", "get"),
            ("edit", "post"),
            ("autosave", "post"),
            ("submit", "post"),
        ],
    )
    def test_another_organisations_report_is_404(self, demo, now, web_for, name, method):
        theirs = report_create(user=demo["operator-cii"], data={"title": "别人的"}, now=now)
        client = web_for("operator-general")
        url = reverse(name if ":" in name else f"reports:{name}", args=[theirs.pk])
        response = getattr(client, method)(
            url, post_data(theirs, title="x") if method == "post" else None
        )
        assert response.status_code == 404
        theirs.refresh_from_db()
        assert theirs.title == "别人的"
        assert theirs.status == Status.DRAFT

    def test_login_is_required(self, client, draft):
        response = client.get(reverse("review:report", args=[draft.pk]))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]

    def test_home_sends_a_reporter_to_the_list(self, web_for):
        response = web_for("operator-general").get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:list")

    def test_home_lists_submitted_reports_for_authority_staff(self, demo, now, web_for):
        report = report_create(user=demo["operator-general"], data={**_service_data(now)}, now=now)
        from reports.services.submission import report_submit

        report_submit(user=demo["operator-general"], pk=report.pk, now=now)
        response = web_for("reviewer-gd").get(reverse("home"))
        assert response.status_code == 200
        assert report.reference in response.content.decode()
        assert reverse("admin:index") not in response.content.decode()

    def test_superusers_get_the_admin_link(self, web_for):
        response = web_for("admin").get(reverse("home"))
        assert reverse("admin:index") in response.content.decode()


def _service_data(now):
    return {
        "title": "DDoS",
        "affected_systems": "web",
        "discovered_at": now - timedelta(minutes=30),
        "location": "广州",
        "category": "0208",
        "severity_declared": "significant",
        "impact_description": "down",
        "measures_taken": "scrubbing",
    }


class TestDrafts:
    def test_a_saved_draft_is_intact_when_reopened(self, demo, now, client):
        # given: a CII operator's draft, every field of the form filled in
        user = demo["operator-cii"]
        draft = report_create(user=user, data={}, now=now)
        fields = {
            **COMPLETE,
            "category": "0107",
            "involves_cii": "on",
            "ransom_amount": "12.50",
            "ransom_currency": "BTC",
            "ransom_payment_method": "比特币钱包转账",
            "ransom_demanded_at": "2026-11-25T09:20",
            "trend": "可能扩散",
            "cause": "弱口令",
            "attack_clues": "IP 203.0.113.7",
            "planned_measures": "全面排查",
            "support_requested": "请求技术支援",
            "scene_preservation": "已镜像磁盘",
            "other": "无",
            "suspected_crime": "on",
            "emergency_plan": "启动二级预案",
            "protective_measures": "等保三级",
            "late_reason": "",
            "ind_people_affected": "1000000",
            "ind_population_scope": "prefecture",
            "ind_population_share_percent": "12.5",
            "ind_catch_all": "significant",
            "ind_catch_all_reason": "影响社会秩序",
        }
        login_as(client, user)
        # when: saved with the "Save draft" button, the browser closed, the page reopened
        response = client.post(edit_url(draft), post_data(draft, **fields))
        assert response.status_code == 302, _errors(response)
        client.logout()
        login_as(client, user)
        response = client.get(edit_url(draft))
        # then
        assert response.status_code == 200
        form = response.context["form"]
        for name, value in fields.items():
            shown = form[name].value()
            if name in ("involves_cii", "suspected_crime"):
                assert shown is True, name
            elif name.endswith("_at") and value:
                assert shown.strftime("%Y-%m-%dT%H:%M") == value, name
            else:
                assert str(shown if shown is not None else "") == value, name
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT
        assert draft.ransom_amount == Decimal("12.50")
        assert draft.discovered_at == timezone.make_aware(timezone.datetime(2026, 11, 25, 9, 30))
        assert draft.indicators == {
            "people_affected": 1000000,
            "population_scope": "prefecture",
            "population_share_percent": "12.5",
            "catch_all": "significant",
            "catch_all_reason": "影响社会秩序",
        }
        assert draft.severity_suggested == "major"

    def test_autosave_saves_and_returns_the_new_version(self, demo, draft, web_for):
        client = web_for("operator-general")
        response = client.post(
            reverse("reports:autosave", args=[draft.pk]),
            post_data(draft, title="自动保存的标题"),
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        content = response.content.decode()
        draft.refresh_from_db()
        assert draft.title == "自动保存的标题"
        assert f'value="{draft.version}"' in content
        assert 'hx-swap-oob="true"' in content

    def test_a_bad_field_does_not_lose_the_rest_of_the_draft(self, demo, draft, web_for):
        client = web_for("operator-general")
        response = client.post(
            edit_url(draft),
            post_data(draft, title="保留的标题", discovered_at="2027-01-01T00:00"),
        )
        assert response.status_code == 200
        assert "discovered_at" in response.context["form"].errors
        draft.refresh_from_db()
        assert draft.title == "保留的标题"
        assert draft.discovered_at is None

    def test_a_stale_version_is_refused_with_a_message(self, demo, draft, web_for, now):
        # given: someone else saved the draft since this form was opened
        old_version = draft.version
        report_update(
            user=demo["operator-general"],
            pk=draft.pk,
            data={"title": "别人先保存的"},
            version=old_version,
            now=now,
        )
        client = web_for("operator-general")
        # when
        response = client.post(edit_url(draft), {"version": old_version, "title": "我的修改"})
        # then
        assert response.status_code == 409
        assert "someone else changed this report" in _messages(response).lower() or (
            "有人修改了" in _messages(response)
        )
        draft.refresh_from_db()
        assert draft.title == "别人先保存的"
        # and the autosave says so too
        response = client.post(
            reverse("reports:autosave", args=[draft.pk]),
            {"version": old_version, "title": "我的修改"},
            HTTP_HX_REQUEST="true",
        )
        assert 'role="alert"' in response.content.decode()
        draft.refresh_from_db()
        assert draft.title == "别人先保存的"


class TestGrading:
    def test_one_million_people_affected_suggests_major(self, web_for):
        response = web_for("operator-general").post(
            reverse("reports:grading_preview"),
            {"ind_people_affected": "1000000", "severity_declared": "significant"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert 'data-level="major"' in content
        assert response.context["grading"]["suggested"] == "major"
        assert response.context["grading"]["declared_below_suggested"] is True
        assert "alert-warning" in content
        assert "1000000" in content

    def test_no_warning_when_the_declared_level_is_high_enough(self, web_for):
        response = web_for("operator-general").post(
            reverse("reports:grading_preview"),
            {"ind_people_affected": "100000", "severity_declared": "major"},
        )
        assert response.context["grading"]["suggested"] == "significant"
        assert "alert-warning" not in response.content.decode()


class TestStateSecretGuard:
    def test_yes_stops_and_stores_nothing(self, web_for):
        client = web_for("operator-general")
        response = client.post(reverse("reports:new"), {"involves_state_secrets": "yes"})
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:confidential")
        assert Report.objects.count() == 0
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert Report.objects.count() == 0

    def test_no_opens_the_blank_form_and_creates_nothing(self, web_for):
        """Issue 13, point 9: the answer alone creates no (numbered) draft."""
        client = web_for("operator-general")
        form_page = client.get(reverse("reports:new"))
        key = form_page.context["form"].initial["request_key"]
        response = client.post(
            reverse("reports:new"), {"involves_state_secrets": "no", "request_key": key}
        )
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("reports:draft_new"))
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert page.context["new_draft"].key == key
        assert "（尚未保存）" in page.content.decode()
        assert Report.objects.count() == 0

    def test_an_untouched_blank_form_creates_nothing(self, web_for):
        client = web_for("operator-general")
        page = client.get(reverse("reports:draft_new") + "?key=k1")
        body = {"request_key": "k1"}  # "involves CII" unticked, as the form shows it here
        response = client.post(reverse("reports:draft_new_autosave"), body, **HTMX)
        assert "尚无内容可保存" in response.content.decode()
        response = client.post(reverse("reports:draft_new"), {**body, "action": "save"})
        assert response.status_code == 200
        assert Report.objects.count() == 0
        assert page.status_code == 200

    def test_the_first_autosave_of_something_typed_creates_the_draft_once(self, web_for):
        client = web_for("operator-general")
        url = reverse("reports:draft_new_autosave")
        first = client.post(url, {"request_key": "k2", "title": "官网"}, **HTMX)
        report = Report.objects.get()
        assert report.title == "官网" and report.reference
        html = first.content.decode()
        assert 'id="draft-created"' in html and reverse("reports:edit", args=[report.pk]) in html
        assert f'value="{report.version}" id="id_version"' in html
        # the next autosave of the same form saves onto the same draft
        client.post(
            url, {"request_key": "k2", "title": "官网首页", "version": report.version}, **HTMX
        )
        report.refresh_from_db()
        assert Report.objects.count() == 1 and report.title == "官网首页"
        # a reload of the blank form's address opens the draft
        again = client.get(reverse("reports:draft_new") + "?key=k2")
        assert again["Location"] == edit_url(report)

    def test_the_save_button_creates_the_draft_and_a_double_click_no_second(self, web_for):
        client = web_for("operator-general")
        data = {"request_key": "k3", "title": "官网", "action": "save"}
        response = client.post(reverse("reports:draft_new"), data)
        again = client.post(reverse("reports:draft_new"), data)
        report = Report.objects.get()
        assert response["Location"] == edit_url(report)
        assert again["Location"] == edit_url(report)
        assert report.status == Status.DRAFT

    def test_submit_from_the_blank_form_creates_and_submits(self, web_for):
        client = web_for("operator-general")
        data = {"request_key": "k4", "action": "submit", **COMPLETE}
        response = client.post(reverse("reports:draft_new"), data)
        report = Report.objects.get()
        assert report.status == Status.SUBMITTED
        assert response["Location"] == reverse("review:report", args=[report.pk])

    def test_a_cii_operators_draft_comes_pre_ticked(self, web_for):
        client = web_for("operator-cii")
        response = client.post(reverse("reports:new"), {"involves_state_secrets": "no"})
        page = client.get(response["Location"])
        assert page.context["form"]["involves_cii"].value() is True
        assert Report.objects.count() == 0


class TestSubmit:
    def test_missing_items_1_and_2_show_field_errors_and_stay_a_draft(self, draft, web_for):
        response = web_for("operator-general").post(
            submit_url(draft), post_data(draft, title="只有标题")
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        for name in (
            "affected_systems",
            "discovered_at",
            "location",
            "category",
            "severity_declared",
            "impact_description",
            "measures_taken",
        ):
            assert name in errors, name
        assert "title" not in errors
        assert "invalid-feedback" in response.content.decode()
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT
        assert draft.title == "只有标题"  # what was typed is kept

    def test_ransom_fields_are_required_for_ransomware(self, draft, web_for):
        response = web_for("operator-general").post(
            submit_url(draft), post_data(draft, **{**COMPLETE, "category": "0107"})
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        for name in (
            "ransom_amount",
            "ransom_currency",
            "ransom_payment_method",
            "ransom_demanded_at",
        ):
            assert name in errors, name
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT

    def test_a_successful_submit_shows_reference_authority_and_deadline(self, draft, web_for):
        client = web_for("operator-general")
        response = client.post(submit_url(draft), post_data(draft, **COMPLETE), follow=True)
        assert response.status_code == 200
        draft.refresh_from_db()
        assert draft.status == Status.SUBMITTED
        content = response.content.decode()
        assert draft.reference in content
        assert "广东省委网信办" in content
        assert "clock-met" in content
        assert 'class="receipt' in content

    def test_a_serious_report_shows_the_forward_by_time(self, draft, web_for):
        client = web_for("operator-general")
        data = post_data(draft, **{**COMPLETE, "severity_declared": "major"})
        response = client.post(submit_url(draft), data, follow=True)
        forward = response.context["report"].deadlines.get(kind="forward")
        shown = timezone.localtime(forward.statutory_due_at).strftime("%Y-%m-%d %H:%M")
        assert shown == "2026-11-25 11:00"
        assert shown in response.content.decode()

    def test_double_submit_makes_one_submission(self, draft, web_for):
        client = web_for("operator-general")
        data = post_data(draft, **COMPLETE)
        first = client.post(submit_url(draft), data)
        second = client.post(submit_url(draft), data)
        assert first.status_code == second.status_code == 302
        assert second["Location"] == reverse("review:report", args=[draft.pk])
        assert Report.objects.count() == 1
        assert ReportEvent.objects.filter(report=draft, kind="submitted").count() == 1
        assert client.get(second["Location"]).status_code == 200

    def test_a_submitted_report_is_no_longer_editable(self, draft, web_for):
        client = web_for("operator-general")
        client.post(submit_url(draft), post_data(draft, **COMPLETE))
        response = client.get(edit_url(draft))
        assert response.status_code == 302
        assert response["Location"] == reverse("review:report", args=[draft.pk])


class TestLanguages:
    def test_chinese_by_default_and_english_after_switching(self, draft, web_for):
        client = web_for("operator-general")
        response = client.get(reverse("reports:list"))
        content = response.content.decode()
        assert '<html lang="zh-hans">' in content
        assert "新建报告" in content
        assert "New report" not in content
        client.post(reverse("set_language"), {"language": "en", "next": reverse("reports:list")})
        response = client.get(reverse("reports:list"))
        content = response.content.decode()
        assert '<html lang="en">' in content
        assert "New report" in content
        assert "新建报告" not in content

    def test_the_report_form_is_translated(self, draft, web_for):
        content = web_for("operator-general").get(edit_url(draft)).content.decode()
        assert "保存草稿" in content
        assert "提交报告" in content


def _errors(response):
    context = getattr(response, "context", None)
    return context["form"].errors if context and "form" in context else response.status_code


def _messages(response):
    return " ".join(str(m) for m in response.context["messages"])
