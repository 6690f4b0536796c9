"""The permission matrix, generated from data: every object endpoint of the API and every
report page and action of the web UI × every demo user who may not see the report (another
organisation, another authority). Each request is answered 404, as if the report did not
exist, and nothing about the report changes: its row, events, deadlines, follow-ups,
attachments (rows and files) and history."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reports.contents import SUMMARY_FIELDS
from reports.models import Attachment, FollowUp, Report, ReportEvent
from review.views.report import ACTIONS
from tests.helpers import login

from .conftest import DEMO_USERS, PDF, stored_files_under

WHEN = datetime(2026, 11, 25, 3, 0, tzinfo=UTC).isoformat()
SUMMARY = dict.fromkeys(SUMMARY_FIELDS, "x")


# The commands of the review side (review.api), and the report page's URLs (review).
API_REVIEW_COMMANDS = {
    "claim",
    "assign",
    "grade",
    "request-info",
    "forward",
    "notify",
    "acknowledge",
    "close",
}
WEB_URL_NAMES = {"detail": "review:report", "attachment_add": "review:attachment_add"}


@dataclass(frozen=True)
class Endpoint:
    side: str  # "api" or "web"
    method: str
    name: str  # URL name
    body: dict | None = None
    multipart: bool = False
    needs_attachment: bool = False
    action: str | None = None  # web: the report page's action slug

    @property
    def id(self) -> str:
        return f"{self.side}:{self.method}:{self.action or self.name}"

    def url(self, report_pk, attachment_pk) -> str:
        if self.side == "api":
            kwargs = {"pk": report_pk}
            if self.needs_attachment:
                kwargs["aid"] = attachment_pk
            command = self.name.removeprefix("report-")
            namespace = "review-api" if command in API_REVIEW_COMMANDS else "reports-api"
            return reverse(f"{namespace}:{self.name}", kwargs=kwargs)
        if self.action:
            return reverse("review:action", args=[report_pk, self.action])
        args = [report_pk, attachment_pk] if self.needs_attachment else [report_pk]
        return reverse(WEB_URL_NAMES.get(self.name, f"reports:{self.name}"), args=args)


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("evil.pdf", PDF)


# Every POST command of the API on one report, with a body that would be valid.
API_COMMANDS = {
    "submit": {},
    "claim": {},
    "assign": {"user": "reviewer-gd"},
    "grade": {"severity": "major", "reason": "x"},
    "request-info": {"question": "x"},
    "forward": {},
    "notify": {"departments": ["公安厅"]},
    "acknowledge": {},
    "close": {"reason": "x"},
    "followups": {"kind": "progress", "body": "x"},
    "handling-ended": {"handling_ended_at": WHEN},
    "summary": SUMMARY,
}
API_ENDPOINTS = [
    Endpoint("api", "GET", "report-detail"),
    Endpoint("api", "PATCH", "report-detail", {"version": 1, "title": "x"}),
    Endpoint("api", "DELETE", "report-detail"),
    *(Endpoint("api", "POST", f"report-{name}", body) for name, body in API_COMMANDS.items()),
    Endpoint("api", "GET", "report-attachments"),
    Endpoint("api", "POST", "report-attachments", {"file": "upload"}, multipart=True),
    Endpoint("api", "GET", "report-attachment-download", needs_attachment=True),
]

# Every action of the report page (review.views.report.ACTIONS), and the other pages.
WEB_ACTION_BODIES = {
    "assign": {"user": "1"},
    "grade": {"severity": "major", "reason": "x"},
    "request_info": {"question": "x"},
    "notify": {"departments": "公安厅"},
    "close": {"reason": "x"},
    "followup": {"kind": "progress", "body": "x"},
    "handling_ended": {"handling_ended_at": "2026-11-25T11:00"},
    "summary": SUMMARY,
}
WEB_ENDPOINTS = [
    Endpoint("web", "GET", "detail"),
    Endpoint("web", "GET", "edit"),
    Endpoint("web", "POST", "edit", {"version": "1", "title": "x"}),
    Endpoint("web", "POST", "autosave", {"version": "1", "title": "x"}),
    Endpoint("web", "POST", "submit", {"version": "1", "title": "x"}),
    Endpoint("web", "POST", "discard"),
    *(
        Endpoint(
            "web", "POST", "action", {"version": "1", **WEB_ACTION_BODIES.get(a, {})}, action=a
        )
        for a in ACTIONS
    ),
    Endpoint("web", "POST", "attachment_add", {"file": "upload"}, multipart=True),
    Endpoint("web", "GET", "attachment", needs_attachment=True),
]
ENDPOINTS = API_ENDPOINTS + WEB_ENDPOINTS


def snapshot(report) -> dict:
    """Everything an endpoint could change about a report."""
    return {
        "row": Report.objects.filter(pk=report.pk).values().get(),
        "copied_to": sorted(report.copied_to.values_list("pk", flat=True)),
        "events": list(
            ReportEvent.objects.filter(report_id=report.pk)
            .order_by("pk")
            .values_list("pk", "kind", "at", "actor_id", "note")
        ),
        "deadlines": list(report.deadlines.order_by("pk").values()),
        "followups": list(FollowUp.objects.filter(report_id=report.pk).order_by("pk").values()),
        "info_requests": list(report.info_requests.order_by("pk").values()),
        "attachments": list(Attachment.objects.filter(report_id=report.pk).order_by("pk").values()),
        "history": report.history.count(),
        "summary": hasattr(Report.objects.get(pk=report.pk), "summary"),
    }


def _call(endpoint: Endpoint, client, url):
    body = dict(endpoint.body or {})
    if endpoint.multipart:
        body["file"] = _upload()
    method = endpoint.method.lower()
    if endpoint.side == "api":
        if method == "get":
            return client.get(url)
        return getattr(client, method)(
            url, body, format="multipart" if endpoint.multipart else "json"
        )
    if method == "get":
        return client.get(url)
    return client.post(url, body)


@pytest.fixture
def client_of(api_for, demo):
    """`client_of(side, username)`: the user's API client (`side` "api") or logged-in web
    client, one per user and side in a test (a login is as costly as the request it makes)."""
    clients = {}

    def make(side: str, username: str):
        if (side, username) not in clients:
            clients[side, username] = (
                api_for(username) if side == "api" else login(Client(), demo[username])
            )
        return clients[side, username]

    return make


def test_the_matrix_covers_every_api_command_and_page_action():
    from reports.api.views import ReportViewSet

    api_actions = {a.url_path for a in ReportViewSet.get_extra_actions()}
    covered = {e.name.removeprefix("report-") for e in API_ENDPOINTS}
    assert api_actions - {"attachments/(?P<aid>[0-9]+)"} <= covered | {"attachments"}
    assert {e.action for e in WEB_ENDPOINTS if e.action} == set(ACTIONS)


def test_each_case_has_the_visibility_the_architecture_gives_it(world, demo):
    """The matrix's expectations come from docs/ARCHITECTURE.md; check them against the
    visibility primitive once, so a wrong expectation cannot make the matrix vacuous."""
    for case in world:
        visible = {
            u for u in DEMO_USERS if Report.objects.visible_to(demo[u]).filter(pk=case.report.pk)
        }
        assert visible == case.insiders, case.name


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_outsiders_get_404_and_nothing_changes(endpoint, world, client_of, evidence_root):
    files = stored_files_under(evidence_root)
    for case in world:
        before = snapshot(case.report)
        url = endpoint.url(case.report.pk, case.attachment.pk)
        for username in case.outsiders:
            response = _call(endpoint, client_of(endpoint.side, username), url)
            assert response.status_code == 404, (case.name, username, response.status_code)
        assert snapshot(case.report) == before, case.name
    assert stored_files_under(evidence_root) == files


@pytest.mark.parametrize(
    "endpoint",
    [e for e in ENDPOINTS if e.method == "GET"],
    ids=lambda e: e.id,
)
def test_insiders_can_read(endpoint, world, client_of):
    """The twin of the matrix: the same requests succeed for those who may see the report."""
    for case in world:
        url = endpoint.url(case.report.pk, case.attachment.pk)
        for username in sorted(case.insiders):
            client = client_of(endpoint.side, username)
            response = client.get(url)
            expected = (200, 302) if endpoint.name == "edit" else (200,)
            assert response.status_code in expected, (case.name, username, response.status_code)


def test_an_attachment_is_only_reachable_through_its_own_report(world, api_for, web_for):
    """A visible report's URL with another report's attachment id is a 404 too."""
    general, cii = world[0], world[1]
    url = reverse(
        "reports-api:report-attachment-download",
        kwargs={"pk": general.report.pk, "aid": cii.attachment.pk},
    )
    assert api_for("operator-general").get(url).status_code == 404
    url = reverse("reports:attachment", args=[general.report.pk, cii.attachment.pk])
    assert web_for("operator-general").get(url).status_code == 404
