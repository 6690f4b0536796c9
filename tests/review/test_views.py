"""The review workflow's web pages: the receiving and national queues (tabs, isolation,
constant queries), every action on the report page (happy path and a refused twin that
changes nothing), the operator's side, requiring a report, the timeline, notifications,
and the whole journey through real pages with the demo accounts."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Authority, Membership
from escalation.rules import summary_due
from reports.constants import Status, Tier
from reports.models import InfoRequest, Report, ReportEvent, SummaryReport
from reports.services.drafting import report_create, report_update
from reports.services.followups import report_followup
from reports.services.submission import report_submit
from review.services.forwarding import report_forward, report_notify
from review.services.requests import report_request_info, report_require
from review.services.triage import report_acknowledge, report_claim, report_close, report_grade
from tests.factories.accounts import UserFactory
from tests.helpers import login as login_as

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock(now):
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


def complete(now, **extra):
    data = {
        "title": "官网遭受拒绝服务攻击",
        "affected_systems": "门户网站",
        "discovered_at": now - timedelta(minutes=30),
        "location": "广州",
        "category": "0208",
        "severity_declared": "significant",
        "impact_description": "无法访问",
        "measures_taken": "流量清洗",
    }
    data.update(extra)
    return data


def submitted(demo, now, operator="operator-general", at=None, **extra) -> Report:
    at = at or now
    user = demo[operator]
    report = report_create(user=user, data=complete(at, **extra), now=at)
    return report_submit(user=user, pk=report.pk, now=at)


def beijing(moment) -> str:
    """As a datetime-local input shows it (Beijing time)."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")


def fresh(report) -> Report:
    return Report.objects.get(pk=report.pk)


def login(username, demo) -> Client:
    client = Client()
    login_as(client, demo[username])
    return client


def queue(client, tab, url="review:queue", **params):
    response = client.get(reverse(url), {"tab": tab, **params})
    assert response.status_code == 200
    return response.content.decode()


def act(client, report, action, htmx=True, **data):
    payload = {"version": fresh(report).version, **data}
    return client.post(
        reverse("review:action", args=[report.pk, action]), payload, **(HTMX if htmx else {})
    )


def colleague(username="reviewer-gd-2", authority="cac-440000"):
    user = UserFactory(username=username)
    Membership.objects.create(
        user=user, role="reviewer", authority=Authority.objects.get(code=authority)
    )
    return user


@pytest.fixture
def world(demo, now, clock):
    """One report per tab of reviewer-gd's queue, plus another authority's report."""
    gd = demo["reviewer-gd"]
    r = {}
    r["new"] = submitted(demo, now, title="新报告")
    r["mine"] = submitted(demo, now, title="我的")
    report_claim(user=gd, pk=r["mine"].pk, now=now)
    r["waiting"] = submitted(demo, now, title="等待运营者")
    report_claim(user=gd, pk=r["waiting"].pk, now=now)
    report_request_info(user=gd, pk=r["waiting"].pk, question="补充日志", now=now)
    r["serious"] = submitted(demo, now, title="重大事件", severity_declared="major")
    early = now - timedelta(hours=3)
    r["overdue"] = submitted(demo, now, at=early, title="超时", severity_declared="major")
    r["closed"] = submitted(demo, now, title="已关闭")
    report_claim(user=gd, pk=r["closed"].pk, now=now)
    report_close(user=gd, pk=r["closed"].pk, reason="误报", now=now)
    r["other"] = submitted(demo, now, operator="operator-central", title="别的机关")
    return r


class TestReceivingQueue:
    TABS = {
        "new": {"new", "serious", "overdue"},
        "mine": {"mine", "waiting"},
        "waiting": {"waiting"},
        "serious": {"serious", "overdue"},
        "overdue": {"overdue"},
        "closed": {"closed"},
    }

    @pytest.mark.parametrize("tab", list(TABS))
    def test_each_tab_shows_the_right_reports(self, demo, world, tab):
        content = queue(login("reviewer-gd", demo), tab)
        shown = {name for name, report in world.items() if report.reference in content}
        assert shown == self.TABS[tab]

    def test_sorted_by_the_clock_that_runs_out_first(self, demo, world):
        content = queue(login("reviewer-gd", demo), "new")
        positions = [content.index(world[n].reference) for n in ("overdue", "serious", "new")]
        assert positions == sorted(positions)

    def test_another_authoritys_report_is_never_shown_and_its_page_is_404(self, demo, world):
        client = login("reviewer-gd", demo)
        for tab in self.TABS:
            assert world["other"].reference not in queue(client, tab)
        assert client.get(reverse("review:report", args=[world["other"].pk])).status_code == 404
        response = act(client, world["other"], "claim")
        assert response.status_code == 404
        assert fresh(world["other"]).status == Status.SUBMITTED
        # and the ministry's reviewer sees it, but not Guangdong's
        content = queue(login("reviewer-ministry", demo), "new")
        assert world["other"].reference in content
        assert world["new"].reference not in content

    def test_filters_and_search(self, demo, world, now):
        client = login("reviewer-gd", demo)
        by_ref = queue(client, "new", q=world["new"].reference)
        assert world["new"].reference in by_ref
        assert world["serious"].reference not in by_ref
        by_title = queue(client, "new", q="重大")
        assert world["serious"].reference in by_title
        assert world["new"].reference not in by_title
        by_level = queue(client, "new", severity="major")
        assert world["serious"].reference in by_level
        assert world["new"].reference not in by_level
        by_org = queue(client, "new", organization="广州示例")
        assert world["new"].reference in by_org
        assert world["new"].reference not in queue(client, "new", organization="不存在的单位")
        today = now.date().isoformat()
        assert world["new"].reference in queue(client, "new", submitted_from=today)
        tomorrow = (now + timedelta(days=1)).date().isoformat()
        assert world["new"].reference not in queue(client, "new", submitted_from=tomorrow)
        assert world["new"].reference in queue(client, "new", category="02", channel="general")

    def test_serious_tab_has_a_live_countdown(self, demo, world):
        content = queue(login("reviewer-gd", demo), "serious")
        assert 'class="countdown' in content
        assert "data-due=" in content
        assert "js/countdown.js" in content
        assert "<script>" not in content  # no inline script

    def test_police_sees_its_copies_read_only(self, demo, now, clock):
        report = submitted(demo, now, operator="operator-cii", involves_cii=True)
        client = login("police-liaison", demo)
        content = queue(client, "new")
        assert report.reference in content
        page = client.get(reverse("review:report", args=[report.pk])).content.decode()
        assert 'data-action="claim"' not in page
        assert 'data-action="acknowledge"' in page
        assert act(client, report, "claim").status_code == 403
        assert fresh(report).status == Status.SUBMITTED

    def test_operators_may_not_open_the_queue(self, demo):
        assert login("operator-general", demo).get(reverse("review:queue")).status_code == 403

    def test_paging(self, demo, now, clock):
        for i in range(12):
            submitted(demo, now, title=f"第{i}号")
        client = login("reviewer-gd", demo)
        first = queue(client, "new", per_page=10)
        second = queue(client, "new", per_page=10, page=2)
        refs = set(re.findall(r"CSIR-\d{4}-\d{6}", first))
        refs2 = set(re.findall(r"CSIR-\d{4}-\d{6}", second))
        assert len(refs) == 10
        assert len(refs2) == 2
        assert not refs & refs2


def _count_queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


class TestConstantQueries:
    def _many(self, demo, now, n):
        gd = demo["reviewer-gd"]
        for i in range(n):
            report = submitted(
                demo, now, title=f"批量{i}", severity_declared="major" if i % 2 else "significant"
            )
            if i % 3 == 0:
                report_claim(user=gd, pk=report.pk, now=now)

    @pytest.mark.parametrize("tab", ["new", "mine", "waiting", "serious", "overdue", "closed"])
    def test_receiving_queue(self, demo, now, clock, tab):
        client = login("reviewer-gd", demo)
        url = reverse("review:queue")
        self._many(demo, now, 5)
        few = _count_queries(client, url, {"tab": tab, "per_page": 50})
        self._many(demo, now, 25)
        many = _count_queries(client, url, {"tab": tab, "per_page": 50})
        assert few == many
        assert _count_queries(client, url, {"tab": tab, "per_page": 10}) == many

    @pytest.mark.parametrize("tab", ["new", "mine", "waiting", "closed"])
    def test_national_queue(self, demo, now, clock, tab):
        client = login("national", demo)
        url = reverse("review:national_queue")
        gd = demo["reviewer-gd"]

        def more(n):
            for i in range(n):
                report = submitted(demo, now, title=f"国家{i}", severity_declared="major")
                if i % 2:
                    report_forward(user=gd, pk=report.pk, now=now)

        more(5)
        few = _count_queries(client, url, {"tab": tab, "per_page": 50})
        more(25)
        many = _count_queries(client, url, {"tab": tab, "per_page": 50})
        assert few == many

    def test_report_page(self, demo, now, clock):
        client = login("reviewer-gd", demo)
        gd = demo["reviewer-gd"]
        report = submitted(demo, now)
        url = reverse("review:report", args=[report.pk])
        few = _count_queries(client, url, {})
        report_claim(user=gd, pk=report.pk, now=now)
        for i in range(6):
            report_notify(user=gd, pk=report.pk, departments=[f"部门{i}"], now=now)
        report_request_info(user=gd, pk=report.pk, question="?", now=now)
        report_followup(
            user=demo["operator-general"],
            pk=report.pk,
            data={"kind": "supplement", "body": "补充", "cause": "弱口令"},
            now=now,
        )
        report_grade(user=gd, pk=report.pk, severity="major", reason="影响大", now=now)
        many = _count_queries(client, url, {})
        assert few <= many <= few + 2  # related names in the change history: one per model


class TestNationalQueue:
    def test_tabs_and_watch_list(self, demo, now, clock):
        gd, national = demo["reviewer-gd"], demo["national"]
        watched = submitted(demo, now, title="仍在省级", severity_declared="major")
        forwarded = submitted(demo, now, title="已上报", severity_declared="major")
        report_forward(user=gd, pk=forwarded.pk, now=now)
        mine = submitted(demo, now, title="国家认领", severity_declared="major")
        report_forward(user=gd, pk=mine.pk, now=now)
        report_acknowledge(user=national, pk=mine.pk, now=now)
        waiting = submitted(demo, now, title="国家等待", severity_declared="major")
        report_forward(user=gd, pk=waiting.pk, now=now)
        report_acknowledge(user=national, pk=waiting.pk, now=now)
        report_request_info(user=national, pk=waiting.pk, question="?", now=now)
        closed = submitted(demo, now, title="国家关闭", severity_declared="major")
        report_forward(user=gd, pk=closed.pk, now=now)
        report_acknowledge(user=national, pk=closed.pk, now=now)
        report_close(user=national, pk=closed.pk, reason="处置完毕", now=now)
        minor = submitted(demo, now, title="较大")
        client = login("national", demo)
        expected = {
            "new": {forwarded},
            "mine": {mine, waiting},
            "waiting": {waiting},
            "closed": {closed},
        }
        everything = {watched, forwarded, mine, waiting, closed, minor}
        for tab, reports in expected.items():
            content = queue(client, tab, url="review:national_queue")
            body = content.split('id="watch-title"')[1].split("</section>", 1)[1]
            shown = {r for r in everything if r.reference in body}
            assert shown == reports, tab
            watch = content.split('id="watch-title"')[1].split("</section>", 1)[0]
            assert watched.reference in watch
            assert forwarded.reference not in watch
            assert minor.reference not in content
            assert "data-due=" in watch

    def test_reviewers_may_not_open_it(self, demo):
        assert login("reviewer-gd", demo).get(reverse("review:national_queue")).status_code == 403


class TestReviewActions:
    def test_claim_and_the_loser_of_a_race(self, demo, now, clock):
        report = submitted(demo, now)
        other = colleague()
        first, second = login("reviewer-gd", demo), Client()
        login_as(second, other)
        version = report.version
        url = reverse("review:action", args=[report.pk, "claim"])
        response = first.post(url, {"version": version}, **HTMX)
        assert response.status_code == 200
        assert "<html" not in response.content.decode()  # the partial only
        assert fresh(report).assignee == demo["reviewer-gd"]
        response = second.post(url, {"version": version}, **HTMX)
        assert response.status_code == 409
        assert "已由 reviewer-gd 认领" in response.content.decode()  # "Already claimed by …"
        assert fresh(report).assignee == demo["reviewer-gd"]

    def test_claim_without_javascript_redirects(self, demo, now, clock):
        report = submitted(demo, now)
        response = act(login("reviewer-gd", demo), report, "claim", htmx=False)
        assert response.status_code == 302
        assert fresh(report).status == Status.IN_REVIEW

    def test_assign(self, demo, now, clock):
        report = submitted(demo, now)
        other = colleague()
        client = login("reviewer-gd", demo)
        # refused: reviewer-bj is not at the authority holding it
        response = act(client, report, "assign", user=demo["reviewer-bj"].pk)
        assert response.status_code == 422
        assert fresh(report).assignee is None
        response = act(client, report, "assign", user=other.pk)
        assert response.status_code == 200
        assert fresh(report).assignee == other

    def test_grade(self, demo, now, clock):
        report = submitted(demo, now)
        client = login("reviewer-gd", demo)
        report_claim(user=demo["reviewer-gd"], pk=report.pk, now=now)
        response = act(client, report, "grade", severity="major", reason="")
        assert response.status_code == 422
        assert 'class="invalid-feedback' in response.content.decode()
        assert fresh(report).severity == "significant"
        response = act(client, report, "grade", severity="major", reason="影响范围大")
        assert response.status_code == 200
        assert fresh(report).severity == "major"
        assert fresh(report).deadlines.filter(kind="forward", outcome="open").exists()

    def test_a_stale_version_changes_nothing(self, demo, now, clock):
        report = submitted(demo, now)
        client = login("reviewer-gd", demo)
        old_version = report.version
        report_claim(user=demo["reviewer-gd"], pk=report.pk, now=now)
        response = client.post(
            reverse("review:action", args=[report.pk, "grade"]),
            {"version": old_version, "severity": "major", "reason": "x"},
            **HTMX,
        )
        assert response.status_code == 409
        assert fresh(report).severity == "significant"

    def test_request_info(self, demo, now, clock):
        report = submitted(demo, now)
        client = login("reviewer-gd", demo)
        assert act(client, report, "request_info", question="  ").status_code == 422
        assert fresh(report).status == Status.SUBMITTED
        due = (now + timedelta(hours=5)).astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")
        response = act(client, report, "request_info", question="请提供日志", due_at=due)
        assert response.status_code == 200
        assert fresh(report).status == Status.AWAITING_OPERATOR
        assert InfoRequest.objects.get(report=report).due_at is not None

    def test_forward(self, demo, now, clock):
        minor = submitted(demo, now)
        serious = submitted(demo, now, severity_declared="major")
        client = login("reviewer-gd", demo)
        response = act(client, minor, "forward")
        assert response.status_code == 409
        assert fresh(minor).tier == Tier.RECEIVING
        response = act(client, serious, "forward", note="请国家网信部门关注")
        assert response.status_code == 200
        assert fresh(serious).tier == Tier.NATIONAL

    def test_notify(self, demo, now, clock):
        report = submitted(demo, now)
        client = login("reviewer-gd", demo)
        assert act(client, report, "notify", departments=" ，\n").status_code == 422
        assert not report.events.filter(kind="notified").exists()
        response = act(
            client, report, "notify", departments="广东省公安厅，广东省通信管理局\n工信厅"
        )
        assert response.status_code == 200
        assert report.events.get(kind="notified").note == "广东省公安厅、广东省通信管理局、工信厅"

    def test_close(self, demo, now, clock):
        minor = submitted(demo, now)
        serious = submitted(demo, now, severity_declared="major")
        client = login("reviewer-gd", demo)
        assert act(client, serious, "close", reason="误报").status_code == 409
        assert fresh(serious).status == Status.SUBMITTED
        assert act(client, minor, "close", reason="").status_code == 422
        assert act(client, minor, "close", reason="x" * 20_001).status_code == 422  # as the API
        assert fresh(minor).status == Status.SUBMITTED
        assert act(client, minor, "close", reason="已处置").status_code == 200
        assert fresh(minor).status == Status.CLOSED

    def test_the_web_caps_the_close_reason_and_the_question_as_the_api_does(
        self, demo, now, clock, api_for
    ):
        report = submitted(demo, now)
        client = login("reviewer-gd", demo)
        too_long = "长" * 20_001
        response = act(client, report, "close", reason=too_long)
        assert response.status_code == 422
        assert "20000" in response.content.decode() or "20,000" in response.content.decode()
        assert act(client, report, "request_info", question=too_long).status_code == 422
        api = api_for("reviewer-gd").post(
            reverse("review-api:report-close", args=[report.pk]),
            {"reason": too_long, "version": fresh(report).version},
            format="json",
        )
        assert api.status_code == 400 and "reason" in api.json()
        assert fresh(report).status == Status.SUBMITTED
        assert act(client, report, "close", reason="长" * 20_000).status_code == 200

    def test_acknowledge_at_the_national_tier(self, demo, now, clock):
        report = submitted(demo, now, severity_declared="major")
        report_forward(user=demo["reviewer-gd"], pk=report.pk, now=now)
        client = login("national", demo)
        assert act(client, report, "acknowledge").status_code == 200
        assert fresh(report).status == Status.IN_REVIEW
        assert act(client, report, "acknowledge").status_code == 409
        assert report.events.filter(kind="acknowledged").count() == 1

    def test_an_operator_may_not_review(self, demo, now, clock):
        report = submitted(demo, now)
        response = act(login("operator-general", demo), report, "claim")
        assert response.status_code == 403
        assert fresh(report).status == Status.SUBMITTED

    def test_actions_are_offered_only_when_allowed(self, demo, now, clock):
        report = submitted(demo, now)
        client = login("reviewer-gd", demo)
        page = client.get(reverse("review:report", args=[report.pk])).content.decode()
        assert 'data-action="claim"' in page
        assert 'data-action="forward"' not in page  # not serious
        assert 'data-action="followup"' not in page  # the operator's
        operator_page = (
            login("operator-general", demo)
            .get(reverse("review:report", args=[report.pk]))
            .content.decode()
        )
        assert 'data-action="claim"' not in operator_page
        assert 'data-action="followup"' in operator_page

    def test_unknown_action_is_404(self, demo, now, clock):
        report = submitted(demo, now)
        response = act(login("reviewer-gd", demo), report, "delete")
        assert response.status_code == 404


class TestOperatorSide:
    def test_followup_answers_the_request(self, demo, now, clock):
        report = submitted(demo, now)
        gd = demo["reviewer-gd"]
        report_claim(user=gd, pk=report.pk, now=now)
        report_request_info(user=gd, pk=report.pk, question="攻击来源？", now=now)
        client = login("operator-general", demo)
        page = client.get(reverse("review:report", args=[report.pk])).content.decode()
        assert "info-requests-open" in page
        assert "攻击来源？" in page
        response = act(client, report, "followup", kind="supplement", body="")
        assert response.status_code == 422
        assert fresh(report).status == Status.AWAITING_OPERATOR
        response = act(
            client,
            report,
            "followup",
            kind="supplement",
            body="来源为境外 IP",
            attack_clues="203.0.113.7",
            severity_declared="major",
        )
        assert response.status_code == 200
        report = fresh(report)
        assert report.status == Status.IN_REVIEW
        assert report.attack_clues == "203.0.113.7"
        assert report.severity == "major"
        assert InfoRequest.objects.get(report=report).answered_at is not None

    def test_handling_ended_and_summary(self, demo, now, clock):
        report = submitted(demo, now)
        client = login("operator-general", demo)
        # refused: the summary before the end of handling
        fields = {
            "cause": "弱口令",
            "emergency_measures": "隔离",
            "harm": "中断 40 分钟",
            "accountability": "已问责",
            "rectification": "加固",
            "lessons": "加强口令管理",
        }
        assert act(client, report, "summary", **fields).status_code == 409
        future = (now + timedelta(hours=2)).astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")
        assert act(client, report, "handling_ended", handling_ended_at=future).status_code == 422
        assert fresh(report).handling_ended_at is None
        ended = now.astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")
        response = act(client, report, "handling_ended", handling_ended_at=ended)
        assert response.status_code == 200
        content = response.content.decode()
        assert "summary-deadline" in content
        due = summary_due(now).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        assert due in content
        assert act(client, report, "summary", **{**fields, "lessons": ""}).status_code == 422
        assert not SummaryReport.objects.filter(report=report).exists()
        assert act(client, report, "summary", **fields).status_code == 200
        assert SummaryReport.objects.get(report=report).lessons == "加强口令管理"

    def test_a_reviewer_may_not_file_a_followup(self, demo, now, clock):
        report = submitted(demo, now)
        response = act(login("reviewer-gd", demo), report, "followup", kind="progress", body="x")
        assert response.status_code == 403
        assert not report.followups.exists()


class TestRequiredReport:
    def test_a_reviewer_requires_a_report_and_the_operator_sees_it(self, demo, now, clock):
        client = login("reviewer-gd", demo)
        org = Membership.objects.get(user=demo["operator-general"]).organization
        search = client.get(reverse("review:organization_search"), {"org_q": org.uscc})
        assert org.name in search.content.decode()
        page = client.get(reverse("review:require"), {"org_q": "广州示例"})
        assert org.name in page.content.decode()
        # refused: no organisation chosen
        response = client.post(reverse("review:require"), {"title": "网站被篡改"})
        assert response.status_code == 422
        assert not Report.objects.filter(title="网站被篡改").exists()
        response = client.post(
            reverse("review:require"),
            {"organization": org.pk, "title": "网站被篡改", "note": "网民举报"},
        )
        assert response.status_code == 302
        report = Report.objects.get(title="网站被篡改")
        assert report.requested_by.code == "cac-440000"
        listing = login("operator-general", demo).get(reverse("reports:list")).content.decode()
        assert report.reference in listing
        assert "required-badge" in listing
        detail = client.get(reverse("review:report", args=[report.pk])).content.decode()
        assert "required-report" in detail

    def test_missed_report_is_shown(self, demo, now, clock):
        report = report_require(
            user=demo["reviewer-gd"],
            organization=Membership.objects.get(user=demo["operator-general"]).organization,
            title="未报事件",
            now=now,
        )
        Report.objects.filter(pk=report.pk).update(missed_at=now)
        page = login("operator-general", demo).get(reverse("review:report", args=[report.pk]))
        assert "missed-badge" in page.content.decode()

    def test_operators_may_not_require(self, demo):
        client = login("operator-general", demo)
        assert client.get(reverse("review:require")).status_code == 403


class TestNotifications:
    def test_bell_count_and_mark_read(self, demo, now, clock):
        client = login("reviewer-gd", demo)
        before = demo["reviewer-gd"].notifications.filter(read_at__isnull=True).count()
        report = submitted(demo, now)
        page = client.get(reverse("review:queue")).content.decode()
        count = int(re.search(r'id="unread-count">(\d+)<', page).group(1))
        assert count == before + 1
        listing = client.get(reverse("notifications:list")).content.decode()
        assert report.reference in listing
        assert reverse("review:report", args=[report.pk]) in listing
        response = client.post(reverse("notifications:read"))
        assert response.status_code == 302
        page = client.get(reverse("review:queue")).content.decode()
        assert re.search(r'id="unread-count">(\d+)<', page).group(1) == "0"

    def test_mark_read_needs_post(self, demo):
        client = login("reviewer-gd", demo)
        assert client.get(reverse("notifications:read")).status_code == 405


def _timeline(page: str) -> str:
    return page.split('id="timeline"')[1].split('id="change-history"')[0]


def test_the_full_journey_through_real_pages(demo, now, clock):
    operator = login("operator-general", demo)
    reviewer = login("reviewer-gd", demo)
    national = login("national", demo)
    reviewer_unread = demo["reviewer-gd"].notifications.filter(read_at__isnull=True).count()

    # the operator files through the existing form pages: the state-secret question, then
    # the blank form, submitted at once (the draft is created by that first save)
    response = operator.post(reverse("reports:new"), {"involves_state_secrets": "no"})
    assert response.status_code == 302
    blank = operator.get(response["Location"])
    key = blank.context["new_draft"].key
    form = {
        "request_key": key,
        "action": "submit",
        "title": "门户网站遭勒索攻击",
        "affected_systems": "门户网站",
        "discovered_at": beijing(now - timedelta(minutes=20)),
        "location": "广州",
        "category": "0208",
        "severity_declared": "significant",
        "impact_description": "无法访问",
        "measures_taken": "流量清洗",
    }
    response = operator.post(reverse("reports:draft_new"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    report = Report.objects.filter(organization__memberships__user=demo["operator-general"]).latest(
        "pk"
    )
    assert fresh(report).status == Status.SUBMITTED

    # the reviewer sees it in the queue and the bell rings
    clock.shift(timedelta(minutes=5))
    page = reviewer.get(reverse("review:queue")).content.decode()
    assert report.reference in page
    unread = int(re.search(r'id="unread-count">(\d+)<', page).group(1))
    assert unread == reviewer_unread + 1

    # claims, grades 重大, requests information
    assert act(reviewer, report, "claim").status_code == 200
    clock.shift(timedelta(minutes=1))
    assert (
        act(reviewer, report, "grade", severity="major", reason="影响百万用户").status_code == 200
    )
    clock.shift(timedelta(minutes=1))
    response = act(reviewer, report, "request_info", question="请补报攻击线索")
    assert response.status_code == 200
    assert fresh(report).status == Status.AWAITING_OPERATOR

    # the operator answers with a supplement
    clock.shift(timedelta(minutes=5))
    page = operator.get(reverse("review:report", args=[report.pk])).content.decode()
    assert "请补报攻击线索" in page
    response = act(
        operator, report, "followup", kind="supplement", body="攻击线索如下", attack_clues="境外 IP"
    )
    assert response.status_code == 200

    # the reviewer forwards it
    clock.shift(timedelta(minutes=2))
    assert act(reviewer, report, "forward").status_code == 200
    assert fresh(report).tier == Tier.NATIONAL

    # national acknowledges and closes
    clock.shift(timedelta(minutes=3))
    page = national.get(reverse("review:national_queue")).content.decode()
    assert report.reference in page
    assert act(national, report, "acknowledge").status_code == 200
    clock.shift(timedelta(minutes=20))
    assert act(national, report, "close", reason="处置完毕").status_code == 200
    assert fresh(report).status == Status.CLOSED

    # the operator records the end of handling and files the summary
    clock.shift(timedelta(hours=1))
    # sessions expire after 30 idle minutes: people come back and log in again
    operator = login("operator-general", demo)
    reviewer = login("reviewer-gd", demo)
    ended = (now + timedelta(minutes=40)).astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")
    assert act(operator, report, "handling_ended", handling_ended_at=ended).status_code == 200
    summary = {
        "cause": "弱口令",
        "emergency_measures": "隔离",
        "harm": "中断",
        "accountability": "已问责",
        "rectification": "加固",
        "lessons": "加强管理",
    }
    assert act(operator, report, "summary", **summary).status_code == 200

    # the timeline shows every step, with actor and time
    page = reviewer.get(reverse("review:report", args=[report.pk])).content.decode()
    timeline = _timeline(page)
    expected = [
        ("created", "operator-general"),
        ("submitted", "operator-general"),
        ("claimed", "reviewer-gd"),
        ("graded", "reviewer-gd"),
        ("info_requested", "reviewer-gd"),
        ("followup", "operator-general"),
        ("info_supplied", "operator-general"),
        ("forwarded", "reviewer-gd"),
        ("acknowledged", "national"),
        ("closed", "national"),
        ("handling_ended", "operator-general"),
        ("summary_filed", "operator-general"),
    ]
    items = re.findall(r'data-kind="(\w+)">(.*?)</li>', timeline, flags=re.S)
    assert [k for k, _body in items] == [k for k, _a in expected]
    for (kind, body), (_k, actor) in zip(items, expected, strict=True):
        assert actor in body, kind
        assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", body), kind
    assert ReportEvent.objects.filter(report=report).count() == len(expected)
    # Beijing time: 10:05 for the claim (02:05 UTC)
    assert "2026-11-25 10:05:00" in timeline
    history = page.split('id="change-history"')[1]
    assert "reviewer-gd" in history
    assert "national" in history


def test_text_that_existed_only_in_a_draft_never_reaches_the_authorities_history(demo, now, clock):
    operator = demo["operator-general"]
    draft = report_create(
        user=operator,
        data=complete(now, impact_description="草稿里的内部猜测：供应商甲的漏洞"),
        now=now,
    )
    draft = report_update(
        user=operator,
        pk=draft.pk,
        data={"impact_description": "门户网站无法访问"},
        version=draft.version,
        now=now,
    )
    report = report_submit(user=operator, pk=draft.pk, now=now)
    report_claim(user=demo["reviewer-gd"], pk=report.pk, now=now)
    report_grade(
        user=demo["reviewer-gd"], pk=report.pk, severity="major", reason="影响面大", now=now
    )
    page = reverse("review:report", args=[report.pk])

    staff = login("reviewer-gd", demo).get(page).content.decode()
    assert "门户网站无法访问" in staff  # the submitted text
    assert "供应商甲" not in staff  # the draft's text, nowhere on the page
    assert "影响面大" in staff  # the review's own changes are in the history

    own = login("operator-general", demo).get(page).content.decode()
    assert "供应商甲" in own  # the operator's own history keeps its drafts
