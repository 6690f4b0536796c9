"""Django admin for every model, with history (docs/ARCHITECTURE.md, Interfaces)."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token

from escalation.models import Deadline, EscalationPolicy, SweepHeartbeat
from intake.services.inbox import inbox_ingest
from reports.contents import SUMMARY_FIELDS
from reports.models import Report
from reports.services.drafting import report_create
from reports.services.evidence import attachment_add
from reports.services.followups import report_followup, report_handling_ended, report_summary
from reports.services.submission import report_submit
from review.services.forwarding import report_forward
from review.services.requests import report_request_info
from review.services.triage import report_claim
from tests.helpers import login
from tests.intake.messages import utf8_qp_with_attachments
from tipoffs.services import tipoff_submit

pytestmark = pytest.mark.django_db

MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)
# Libraries' own admins (login lockout, two-factor devices): their pages must open too.
LIBRARY_APPS = {"axes", "otp_totp", "otp_static"}
OWN_MODELS = [m for m in MODELS if m._meta.app_label not in LIBRARY_APPS]
LIBRARY_MODELS = [m for m in MODELS if m._meta.app_label in LIBRARY_APPS]
ADMIN_MODELS = {
    "accounts.Province",
    "accounts.Sector",
    "accounts.Department",
    "accounts.Authority",
    "accounts.Organization",
    "accounts.Membership",
    "reports.Category",
    "reports.GradingCriterion",
    "reports.Report",
    "reports.ReportEvent",
    "reports.IdempotencyKey",
    "reports.Forwarding",
    "reports.InfoRequest",
    "reports.FollowUp",
    "reports.SummaryReport",
    "reports.Attachment",
    "tipoffs.TipOff",
    "accounts.AuthEvent",
    "escalation.EscalationPolicy",
    "escalation.Deadline",
    "notifications.Notification",
    "escalation.SweepHeartbeat",
    "intake.InboxItem",
    "intake.InboxAttachment",
}
WITH_HISTORY = {
    "accounts.Authority",
    "accounts.Organization",
    "accounts.Membership",
    "reports.Category",
    "reports.GradingCriterion",
    "reports.Report",
    "reports.Forwarding",
    "reports.InfoRequest",
    "reports.FollowUp",
    "reports.SummaryReport",
    "reports.Attachment",
    "tipoffs.TipOff",
    "escalation.EscalationPolicy",
    "escalation.Deadline",
}
# Written by the services only: no add page.
NO_ADD = {
    "intake.InboxItem",
    "intake.InboxAttachment",
    "reports.Report",
    "reports.ReportEvent",
    "reports.IdempotencyKey",
    "reports.Forwarding",
    "reports.InfoRequest",
    "reports.FollowUp",
    "reports.SummaryReport",
    "reports.Attachment",
    "tipoffs.TipOff",
    "accounts.AuthEvent",
    "escalation.Deadline",
    "notifications.Notification",
    "escalation.SweepHeartbeat",
}


@pytest.fixture
def report(demo, now):
    user = demo["operator-general"]
    draft = report_create(
        user=user,
        now=now,
        idempotency_key="k-1",
        data={
            "title": "DDoS",
            "affected_systems": "web",
            "discovered_at": now - timedelta(minutes=30),
            "location": "广州",
            "category": "0208",
            "severity_declared": "major",
            "impact_description": "down",
            "measures_taken": "scrubbing",
        },
    )
    return report_submit(user=user, pk=draft.pk, now=now)


@pytest.fixture(autouse=True)
def evidence_root(tmp_path, settings):
    settings.EVIDENCE_ROOT = str(tmp_path / "evidence")


@pytest.fixture
def worked_report(demo, now, report):
    """The report taken through the review workflow, so that every workflow row exists."""
    reviewer, operator = demo["reviewer-gd"], demo["operator-general"]
    at = now + timedelta(minutes=1)
    report_claim(user=reviewer, pk=report.pk, now=at)
    report_request_info(user=reviewer, pk=report.pk, question="影响范围？", now=at)
    report_followup(
        user=operator, pk=report.pk, data={"kind": "progress", "body": "已恢复"}, now=at
    )
    report_forward(user=reviewer, pk=report.pk, now=at)
    report_handling_ended(user=operator, pk=report.pk, handling_ended_at=at, now=at)
    summary = dict.fromkeys(SUMMARY_FIELDS, "—")
    report_summary(user=operator, pk=report.pk, data=summary, now=at)
    attachment_add(
        user=operator,
        pk=report.pk,
        upload=SimpleUploadedFile("log.txt", b"evidence log\n"),
        now=at,
    )
    tipoff_submit(
        data={"title": "网站被篡改", "description": "首页出现违法信息", "province": "440000"},
        address="203.0.113.9",
        rendered_at=at.timestamp() - 60,
        now=at,
    )
    inbox_ingest(raw=utf8_qp_with_attachments(), now=at)
    SweepHeartbeat.objects.get_or_create(pk=1, defaults={"last_run_at": at})
    return report


@pytest.fixture
def admin_client(demo, worked_report, client):
    Group.objects.get_or_create(name="reviewers")
    Token.objects.get_or_create(user=demo["admin"])
    login(client, demo["admin"])
    return client


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_of_the_portal_is_registered():
    labels = {m._meta.label for m in MODELS}
    assert labels >= ADMIN_MODELS
    from simple_history.admin import SimpleHistoryAdmin

    for model in MODELS:
        if model._meta.label in WITH_HISTORY:
            assert isinstance(admin.site._registry[model], SimpleHistoryAdmin), model


@pytest.mark.parametrize("model", LIBRARY_MODELS, ids=lambda m: m._meta.label)
def test_library_admin_pages_open(admin_client, model):
    assert admin_client.get(_url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model", OWN_MODELS, ids=lambda m: m._meta.label)
def test_changelist_add_and_change_pages(admin_client, model):
    # changelist
    assert admin_client.get(_url(model, "changelist")).status_code == 200
    # add: refused for what only the services create
    response = admin_client.get(_url(model, "add"))
    assert response.status_code == (403 if model._meta.label in NO_ADD else 200)
    # change (a view page for read-only models)
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"no {model._meta.label} row to open"
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200
    if model._meta.label in WITH_HISTORY:
        assert admin_client.get(_url(model, "history", obj.pk)).status_code == 200


def test_report_changelist_filters_and_search(admin_client, report):
    url = _url(Report, "changelist")
    report.refresh_from_db()
    for query in (
        {"status": report.status},
        {"tier": report.tier, "channel": "general", "severity": "major"},
        {"q": report.reference},
        {"q": "广州示例"},
    ):
        response = admin_client.get(url, query)
        assert response.status_code == 200
        assert report.reference in response.content.decode()


def test_report_history_page(admin_client, report):
    response = admin_client.get(_url(Report, "history", report.pk))
    assert response.status_code == 200
    assert report.history.count() >= 2  # created, then submitted
    # the creation row names the report as the rest do
    assert report.history.earliest().history_type == "+"
    assert report.history.earliest().reference == report.reference != ""


def test_the_report_admin_cannot_change_workflow_fields(admin_client, report):
    # given
    report.refresh_from_db()
    url = _url(Report, "change", report.pk)
    form = admin_client.get(url).context["adminform"].form
    assert "status" not in form.fields
    assert {"title", "impact_description"} <= set(form.fields)
    assert not {"channel", "severity", "submitted_at", "receiving_authority"} & set(form.fields)
    # when a crafted POST tries anyway
    data = {name: getattr(report, name) for name in form.fields}
    data.update(title="DDoS (corrected)", status="closed", channel="cii", severity="general")
    for prefix in ("events", "info_requests", "followups"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = admin_client.post(url, data)
    # then only the wording changed, with a version bump and a history entry
    assert response.status_code == 302, response.context and response.context["errors"]
    fresh = Report.objects.get(pk=report.pk)
    assert fresh.title == "DDoS (corrected)"
    assert (fresh.status, fresh.channel, fresh.severity) == (report.status, "general", "major")
    assert fresh.version == report.version + 1
    assert fresh.history.latest().history_user.username == "admin"


def test_report_history_cannot_be_reverted(admin_client, report):
    report.refresh_from_db()
    first = report.history.earliest()
    url = _url(Report, "history", report.pk) + f"{first.history_id}/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"title": "x"}).status_code == 403
    assert Report.objects.get(pk=report.pk).tier == report.tier == "national"


def test_reports_and_deadlines_cannot_be_deleted(admin_client, report):
    clock = report.deadlines.first()
    assert admin_client.get(_url(Report, "delete", report.pk)).status_code == 403
    assert admin_client.get(_url(Deadline, "delete", clock.pk)).status_code == 403


def test_a_deadline_accepts_only_an_explanation(admin_client, report):
    clock = report.deadlines.get(kind="file")
    form = admin_client.get(_url(Deadline, "change", clock.pk)).context["adminform"].form
    assert set(form.fields) == {"late_cause"}


def test_the_policy_admin_refuses_a_looser_limit(admin_client):
    policy = EscalationPolicy.objects.get(channel="cii")
    url = _url(EscalationPolicy, "change", policy.pk)
    data = {
        "channel": "cii",
        "file_within": "02:00:00",
        "forward_within": "00:30:00",
        "auto_forward_margin": "00:20:00",
        "reminder_fractions": "[0.5, 1.5]",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"file_within", "auto_forward_margin", "reminder_fractions"} <= set(errors)
    policy.refresh_from_db()
    assert policy.file_within == timedelta(hours=1)
    # a stricter one is accepted, with history
    data.update(file_within="00:20:00", auto_forward_margin="00:05:00", reminder_fractions="[0.5]")
    assert admin_client.post(url, data).status_code == 302
    policy.refresh_from_db()
    assert policy.file_within == timedelta(minutes=20)
    assert policy.history.latest().history_user.username == "admin"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"threshold": "lots"}, "threshold"),
        ({"threshold": "-5"}, "threshold"),
        ({"scope": "county"}, "scope"),
        ({"indicator": "portal_scope"}, "indicator"),
        ({"unit": "choice"}, "threshold"),
    ],
)
def test_the_grading_criterion_admin_validates_rows(admin_client, changes, field):
    from reports.models import GradingCriterion

    row = GradingCriterion.objects.get(indicator="population_share_percent", level="major")
    data = {
        "indicator": row.indicator,
        "level": row.level,
        "threshold": row.threshold,
        "unit": row.unit,
        "scope": row.scope,
        "note": row.note,
        **changes,
    }
    response = admin_client.post(_url(GradingCriterion, "change", row.pk), data)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors


def test_the_user_admin_shows_memberships(admin_client, demo):
    from django.contrib.auth import get_user_model

    user = demo["reviewer-gd"]
    response = admin_client.get(_url(get_user_model(), "change", user.pk))
    assert response.status_code == 200
    assert "cac-440000" in response.content.decode() or "广东" in response.content.decode()


# --- Readable admin (issue 13, points 4 and 5) ---------------------------------------------


def test_the_admin_has_the_portals_title(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "网络安全事件报告平台" in html
    assert "Django" not in html


def test_report_history_reads_as_words_in_beijing_time(admin_client, worked_report):
    from django.utils import timezone

    html = admin_client.get(_url(Report, "history", worked_report.pk)).content.decode()
    # statuses by their labels, an assignee by name; no codes, no "None", no "pk=None"
    assert "审核中" in html
    for raw in ("in_review", "submitted →", "pk=None", ">None<", "+00:00", "None\n"):
        assert raw not in html, raw
    # every record's time in Beijing time
    for record in worked_report.history.all():
        assert timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M:%S") in html


def test_report_change_page_shows_events_and_indicators_in_words(admin_client, worked_report):
    from django.utils import timezone

    html = admin_client.get(_url(Report, "change", worked_report.pk)).content.decode()
    event = worked_report.events.order_by("pk").first()
    # the inline rows name their events in Beijing time, with the kind's label
    assert f"{event.get_kind_display()} {timezone.localtime(event.at):%Y-%m-%d %H:%M}" in html
    assert f"{event.kind} {event.at:%Y-%m-%d %H:%M}" not in html


def test_grading_criteria_are_listed_by_their_labels(admin_client):
    from reports.models import GradingCriterion

    html = admin_client.get(_url(GradingCriterion, "changelist")).content.decode()
    assert "个人信息泄露涉及的公民人数" in html
    assert ">personal_info_leaked<" not in html
    add = admin_client.get(_url(GradingCriterion, "add")).content.decode()
    assert '<option value="personal_info_leaked">个人信息泄露涉及的公民人数</option>' in add
