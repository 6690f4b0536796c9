"""The write path's query budget (issue 12, docs/ARCHITECTURE.md "The write path"): creating
and submitting a serious report through the API costs at most 20 SQL queries together (was
59), and the answers the commands give are the report as a later read shows it.

Counted with CaptureQueriesContext in a transactional test, i.e. as a production request
sends them: the queries that read or write data, plus, counted apart, the BEGIN and COMMIT
of the one transaction each command runs in (Django logs those too; inside a test's own
transaction they would be a SAVEPOINT and its RELEASE)."""

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escalation.models import Deadline, EscalationPolicy
from notifications.models import Notification
from reports.models import GradingCriterion, Report, ReportEvent

LIST = reverse("reports-api:report-list")
BUDGET = 20  # queries of data: create + submit
TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK"}
MINIMAL = {"HTTP_PREFER": "return=minimal"}


def submit_url(pk) -> str:
    return reverse("reports-api:report-submit", args=[pk])


def detail(pk) -> str:
    return reverse("reports-api:report-detail", args=[pk])


def major_draft(n: int = 0) -> dict:
    """What bench/submissions.py files: a serious report, so both clocks open."""
    return {
        "title": f"官网遭受攻击 {n}",
        "affected_systems": "门户网站",
        "discovered_at": (timezone.now() - timedelta(minutes=20)).isoformat(),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "业务中断，部分用户无法访问",
        "measures_taken": "已隔离受影响主机",
    }


def create_and_submit(client, n: int, **headers) -> tuple[list, list, dict, dict]:
    """(SQL of the create, of the submit, the two answers)."""
    with CaptureQueriesContext(connection) as created:
        response = client.post(LIST, major_draft(n), format="json", **headers)
    assert response.status_code == 201, response.json()
    draft = response.json()
    with CaptureQueriesContext(connection) as submitted:
        response = client.post(submit_url(draft["id"]), {}, format="json", **headers)
    assert response.status_code == 200, response.json()
    return (
        [q["sql"] for q in created.captured_queries],
        [q["sql"] for q in submitted.captured_queries],
        draft,
        response.json(),
    )


def data(queries: list) -> list:
    return [sql for sql in queries if sql.split()[0].upper() not in TRANSACTION_CONTROL]


def check_budget(created: list, submitted: list) -> None:
    n_create, n_submit = len(data(created)), len(data(submitted))
    assert n_create + n_submit <= BUDGET, f"create {n_create} + submit {n_submit}:\n" + "\n".join(
        sql[:120] for sql in data(created) + data(submitted)
    )
    # one transaction per command, nothing more
    assert len(created) - n_create == 2 and len(submitted) - n_submit == 2


@pytest.mark.django_db(transaction=True)
class TestBudget:
    def test_create_and_submit_fit_in_20_queries_and_do_everything(self, api_for):
        client = api_for("operator-general")
        create_and_submit(client, 0, **MINIMAL)  # warm: the reference tables in memory

        created, submitted, draft, answer = create_and_submit(client, 1, **MINIMAL)

        check_budget(created, submitted)
        # ...and nothing was skipped: the report, its history, clocks, events, notification
        report = Report.objects.get(pk=draft["id"])
        assert report.status == "submitted" and report.reference == draft["reference"]
        assert answer["version"] == report.version == 2
        assert [h.history_type for h in report.history.order_by("history_id")] == ["+", "~"]
        assert report.history.earliest("history_id").reference == report.reference
        assert report.history.earliest("history_id").history_user.username == "operator-general"
        clocks = {d.kind: d for d in Deadline.objects.filter(report=report)}
        assert clocks["file"].outcome == "met" and clocks["forward"].outcome == "open"
        assert report.next_due_at == clocks["forward"].due_at
        assert Deadline.history.filter(report_id=report.pk).count() == 3  # +file ~file +forward
        assert list(report.events.values_list("kind", flat=True)) == ["created", "submitted"]
        assert Notification.objects.filter(report=report, kind="report_received").exists()

    def test_the_full_answers_fit_too(self, api_for):
        client = api_for("operator-general")
        create_and_submit(client, 0)
        created, submitted, _draft, _answer = create_and_submit(client, 1)
        check_budget(created, submitted)

    def test_the_budget_holds_with_copies_to_public_security(self, api_for):
        client = api_for("operator-cii")  # CII channel: copied to public security
        create_and_submit(client, 0, **MINIMAL)
        created, submitted, draft, _answer = create_and_submit(client, 1, **MINIMAL)
        check_budget(created, submitted)
        report = Report.objects.get(pk=draft["id"])
        assert [a.kind for a in report.copied_to.all()] == ["public_security"]
        assert Notification.objects.filter(
            report=report, user__memberships__authority__kind="public_security"
        ).exists()

    def test_the_write_paths_statements_are_planned_once_per_connection(self, api_for):
        """Prepared by psycopg after DATABASE_PREPARE_THRESHOLD runs (config/settings/base.py):
        the token's read, the report's insert and its locked read are planned once, not at
        every request."""
        client = api_for("operator-general")
        for n in range(settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"] + 1):
            create_and_submit(client, n, **MINIMAL)
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        for table in ('"authtoken_token"', 'INSERT INTO "reports_report"', "FOR UPDATE"):
            assert any(table in sql for sql in prepared), (table, prepared)

    def test_the_budget_fails_when_the_path_grows(self, api_for):
        """The check can fail: one more query per command and it does."""
        client = api_for("operator-general")
        create_and_submit(client, 0)
        created, submitted, _draft, _answer = create_and_submit(client, 1)
        spare = BUDGET - len(data(created)) - len(data(submitted))
        with pytest.raises(AssertionError):
            check_budget(created + ["SELECT 1"] * (spare + 1), submitted)


def without_volatile(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "deadlines"} | {
        "deadlines": [
            {k: v for k, v in d.items() if k != "breached"} for d in body.get("deadlines", [])
        ]
    }


class TestAnswersAreTheReport:
    """The commands answer from what they wrote; a read afterwards shows the same report."""

    @pytest.mark.parametrize("operator", ["operator-general", "operator-cii"])
    def test_create_and_submit_answer_what_a_read_shows(self, api_for, operator):
        client = api_for(operator)
        created = client.post(LIST, major_draft(), format="json")
        assert created.status_code == 201
        read = client.get(detail(created.json()["id"]))
        assert without_volatile(created.json()) == without_volatile(read.json())

        submitted = client.post(submit_url(created.json()["id"]), {}, format="json")
        assert submitted.status_code == 200
        read = client.get(detail(created.json()["id"]))
        assert without_volatile(submitted.json()) == without_volatile(read.json())
        assert [d["kind"] for d in read.json()["deadlines"]] == ["file", "forward"]
        assert [e["kind"] for e in read.json()["events"]] == ["created", "submitted"]

    def test_the_short_form_is_asked_for_and_said(self, api_for):
        client = api_for("operator-general")
        created = client.post(LIST, major_draft(), format="json", **MINIMAL)
        assert created.status_code == 201
        assert created["Preference-Applied"] == "return=minimal"
        body = created.json()
        assert set(body) == {
            "id",
            "reference",
            "version",
            "status",
            "tier",
            "channel",
            "severity",
            "receiving_authority",
            "submitted_at",
            "deadlines",
            "actions",
        }
        assert body["status"] == "draft" and body["actions"] == ["submit"]
        submitted = client.post(
            submit_url(body["id"]), {"version": body["version"]}, format="json", **MINIMAL
        )
        assert submitted.status_code == 200
        full = client.get(detail(body["id"])).json()
        assert {k: v for k, v in full.items() if k in submitted.json()} == submitted.json()
        # without the preference, the full report as before
        plain = client.post(LIST, major_draft(), format="json")
        assert "Preference-Applied" not in plain
        assert {"events", "followups", "copied_to"} <= set(plain.json())

    def test_a_draft_with_evidence_answers_with_its_attachments_and_events(self, api_for):
        client = api_for("operator-general")
        draft = client.post(LIST, major_draft(), format="json").json()
        report = Report.objects.get(pk=draft["id"])
        ReportEvent.objects.create(
            report=report, kind=ReportEvent.Kind.REMINDED, at=timezone.now(), automatic=True
        )
        submitted = client.post(submit_url(draft["id"]), {}, format="json").json()
        assert [e["kind"] for e in submitted["events"]] == ["created", "reminded", "submitted"]


class TestReferenceTablesInMemory:
    """The grading criteria and the policies are kept in memory, and an admin's change is
    seen at once."""

    def test_a_changed_criterion_grades_the_next_report(self, api_for):
        client = api_for("operator-general")
        body = major_draft() | {"severity_declared": "", "indicators": {"people_affected": 1000}}
        first = client.post(LIST, body, format="json").json()
        criterion = GradingCriterion.objects.get(indicator="people_affected", level="significant")
        criterion.threshold = "500"
        criterion.save()
        second = client.post(LIST, body, format="json").json()
        GradingCriterion.objects.filter(pk=criterion.pk).update(threshold="2000")
        third = client.post(LIST, body, format="json").json()
        assert first["severity_suggested"] == "general"
        assert second["severity_suggested"] == "significant"
        assert third["severity_suggested"] == "general"

    def test_a_stricter_policy_sets_the_next_clock(self, api_for):
        client = api_for("operator-general")
        first = client.post(LIST, major_draft(), format="json").json()
        EscalationPolicy.objects.filter(channel="general").update(file_within=timedelta(hours=1))
        second = client.post(LIST, major_draft(), format="json").json()

        def window(body):
            clock = body["deadlines"][0]
            return _at(clock["due_at"]) - _at(clock["opened_at"])

        assert window(first) == timedelta(hours=4)
        assert window(second) == timedelta(hours=1)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.mark.django_db
def test_the_short_form_is_what_its_declared_fields_give(demo):
    """ReportBriefSerializer writes its answer by hand; DRF's own rendering of its declared
    fields (the schema's) gives the same, for a draft, a submitted report, a forwarded one,
    and as each of the users who see it."""
    from rest_framework import serializers
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from reports.api.serializers import ReportBriefSerializer
    from reports.services.drafting import report_create
    from reports.services.submission import report_submit
    from review.services.forwarding import report_forward
    from review.services.triage import report_claim
    from tests.helpers import serious_report_data

    operator, reviewer = demo["operator-general"], demo["reviewer-gd"]
    draft = report_create(user=operator, data=serious_report_data())
    submitted = report_submit(
        user=operator, pk=report_create(user=operator, data=serious_report_data()).pk
    )
    forwarded = report_submit(
        user=operator, pk=report_create(user=operator, data=serious_report_data()).pk
    )
    report_claim(user=reviewer, pk=forwarded.pk)
    report_forward(user=reviewer, pk=forwarded.pk)
    for report in (draft, submitted, forwarded):
        for user in (operator, reviewer, demo["national"]):
            if not Report.objects.visible_to(user).filter(pk=report.pk).exists():
                continue
            request = Request(APIRequestFactory().post("/"))
            request.user = user
            fresh = (
                Report.objects.select_related("receiving_authority")
                .prefetch_related("deadlines")
                .get(pk=report.pk)
            )
            context = {"request": request, "now": timezone.now()}
            brief = ReportBriefSerializer(fresh, context=context)
            declared = serializers.ModelSerializer.to_representation(brief, fresh)
            assert brief.data == declared
