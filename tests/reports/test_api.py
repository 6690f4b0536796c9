"""REST API v1 (docs/ARCHITECTURE.md, "API contract (v1)"): login, drafts, submission, lists,
detail, categories, and every refusal (400 / 403 / 404 / 409) with nothing written."""

import re
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Authority, Organization
from reports.models import IdempotencyKey, Report, ReportEvent
from reports.services.drafting import report_create, report_create_idempotent
from reports.services.submission import report_submit
from tests.conftest import DEMO_PASSWORD

LIST = reverse("reports-api:report-list")
CATEGORIES = reverse("reports-api:category-list")
TOKEN = reverse("accounts-api:token")

REPORT_FIELDS = {
    "id",
    "reference",
    "version",
    "status",
    "tier",
    "channel",
    "involves_cii",
    "organization",
    "receiving_authority",
    "copied_to",
    "title",
    "category",
    "severity_declared",
    "severity_suggested",
    "criteria_met",
    "severity",
    "discovered_at",
    "occurred_at",
    "submitted_at",
    "received_via",
    "received_at",
    "handling_ended_at",
    "location",
    "affected_systems",
    "indicators",
    "impact_description",
    "measures_taken",
    "ransomware",
    "trend",
    "cause",
    "attack_clues",
    "planned_measures",
    "support_requested",
    "scene_preservation",
    "suspected_crime",
    "other",
    "late_reason",
    "deadlines",
    "events",
}
DEADLINE_FIELDS = {
    "kind",
    "opened_at",
    "statutory_due_at",
    "due_at",
    "act_at",
    "met_at",
    "outcome",
    "breached",
    "lateness_seconds",
}
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")


def detail(pk) -> str:
    return reverse("reports-api:report-detail", args=[pk])


def submit_url(pk) -> str:
    return reverse("reports-api:report-submit", args=[pk])


def iso(dt) -> str:
    return dt.isoformat()


def items_1_2(**overrides) -> dict:
    """A complete first report (Art. 7 items 1–2), discovered 30 minutes ago."""
    data = {
        "title": "DDoS on the customer portal",
        "affected_systems": "www.example.cn, 2 web servers",
        "discovered_at": iso(timezone.now() - timedelta(minutes=30)),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "Portal unreachable",
        "measures_taken": "Traffic scrubbing",
    }
    data.update(overrides)
    return data


def service_draft(user, **overrides):
    data = {
        "title": "Draft",
        "affected_systems": "web",
        "discovered_at": timezone.now() - timedelta(minutes=30),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "down",
        "measures_taken": "scrubbing",
    }
    data.update(overrides)
    return report_create(user=user, data=data)


def snapshot(report_id) -> dict:
    report = Report.objects.get(pk=report_id)
    return {
        "version": report.version,
        "status": report.status,
        "title": report.title,
        "history": report.history.count(),
        "events": ReportEvent.objects.filter(report=report).count(),
    }


# ---------------------------------------------------------------------------------------
# Login
# ---------------------------------------------------------------------------------------


class TestToken:
    def test_good_credentials_give_a_token_that_authenticates(self, demo):
        # when
        response = APIClient().post(
            TOKEN, {"username": "operator-general", "password": DEMO_PASSWORD}, format="json"
        )
        # then
        assert response.status_code == 200, response.data
        token = response.json()["token"]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get(LIST).status_code == 200

    def test_the_same_user_gets_the_same_token(self, demo):
        body = {"username": "operator-general", "password": DEMO_PASSWORD}
        first = APIClient().post(TOKEN, body, format="json").json()["token"]
        assert APIClient().post(TOKEN, body, format="json").json()["token"] == first

    @pytest.mark.parametrize(
        "username, password",
        [("operator-general", "wrong"), ("nobody", DEMO_PASSWORD)],
    )
    def test_bad_credentials_are_a_400_on_password(self, demo, username, password):
        response = APIClient().post(
            TOKEN, {"username": username, "password": password}, format="json"
        )
        assert response.status_code == 400
        assert "password" in response.json()
        assert "token" not in response.json()

    def test_missing_fields_are_named(self, demo):
        response = APIClient().post(TOKEN, {}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"username", "password"}

    def test_an_inactive_user_gets_no_token(self, demo):
        demo["operator-general"].is_active = False
        demo["operator-general"].save()
        response = APIClient().post(
            TOKEN, {"username": "operator-general", "password": DEMO_PASSWORD}, format="json"
        )
        assert response.status_code == 400

    def test_without_credentials_the_api_answers_401(self, demo):
        assert APIClient().get(LIST).status_code == 401
        assert APIClient().post(LIST, items_1_2(), format="json").status_code == 401


# ---------------------------------------------------------------------------------------
# Create
# ---------------------------------------------------------------------------------------


class TestCreate:
    def test_creates_a_draft_with_every_contract_field(self, api_for, demo):
        # when
        response = api_for("operator-general").post(LIST, items_1_2(), format="json")
        # then
        assert response.status_code == 201, response.data
        body = response.json()
        assert set(body) >= REPORT_FIELDS
        assert body["status"] == "draft"
        assert body["tier"] == "receiving"
        assert body["version"] == 1
        assert body["channel"] == "general"
        assert body["reference"].startswith("CSIR-")
        org = Organization.objects.get(memberships__user=demo["operator-general"])
        assert body["organization"] == {
            "id": org.pk,
            "name": org.name,
            "uscc": org.uscc,
            "province": "440000",
        }
        gd = Authority.objects.get(code="cac-440000")
        assert body["receiving_authority"] == {
            "id": gd.pk,
            "name": gd.name,
            "name_en": gd.name_en,
            "kind": "provincial_cac",
        }
        assert body["copied_to"] == []
        assert body["category"] == "0208"
        assert body["severity_declared"] == "major"
        assert body["severity"] == "major"
        assert body["severity_suggested"] == "general"
        assert body["criteria_met"] == []
        assert body["ransomware"] is None
        assert body["submitted_at"] is None
        assert ISO_WITH_OFFSET.match(body["discovered_at"])
        assert [e["kind"] for e in body["events"]] == ["created"]
        assert body["events"][0]["actor"] == "operator-general"
        assert set(body["events"][0]) == {"kind", "at", "actor", "automatic", "note"}
        # the draft's filing clock runs already (it has discovered_at)
        [clock] = body["deadlines"]
        assert set(clock) == DEADLINE_FIELDS
        assert clock["kind"] == "file"
        assert clock["outcome"] == "open"
        assert clock["breached"] is False
        assert clock["lateness_seconds"] is None
        assert Report.objects.count() == 1

    def test_an_empty_draft_is_fine(self, api_for):
        response = api_for("operator-general").post(LIST, {}, format="json")
        assert response.status_code == 201
        assert response.json()["deadlines"] == []

    def test_a_cii_operator_draft_is_premarked_cii(self, api_for):
        response = api_for("operator-cii").post(LIST, {"title": "x"}, format="json")
        assert response.status_code == 201
        assert response.json()["involves_cii"] is True
        assert response.json()["channel"] == "cii"

    def test_indicators_are_graded_by_the_server(self, api_for):
        response = api_for("operator-general").post(
            LIST,
            items_1_2(severity_declared="general", indicators={"personal_info_leaked": 10**7}),
            format="json",
        )
        assert response.status_code == 201, response.data
        body = response.json()
        assert body["indicators"] == {"personal_info_leaked": 10**7}
        assert body["severity_suggested"] == "major"
        assert body["severity"] == "major"
        assert body["criteria_met"][0]["indicator"] == "personal_info_leaked"

    def test_the_ransomware_object_maps_to_the_ransom_columns(self, api_for):
        ransom = {
            "amount": "50000.00",
            "currency": "BTC",
            "payment_method": "bitcoin wallet",
            "demanded_at": iso(timezone.now() - timedelta(minutes=20)),
        }
        response = api_for("operator-general").post(
            LIST, items_1_2(category="0107", ransomware=ransom), format="json"
        )
        assert response.status_code == 201, response.data
        report = Report.objects.get()
        assert str(report.ransom_amount) == "50000.00"
        assert report.ransom_currency == "BTC"
        assert report.ransom_payment_method == "bitcoin wallet"
        body = response.json()["ransomware"]
        assert set(body) == {"amount", "currency", "payment_method", "demanded_at"}
        assert body["amount"] == "50000.00"
        assert ISO_WITH_OFFSET.match(body["demanded_at"])

    def test_the_reporter_may_name_its_own_organization(self, api_for, demo):
        org = Organization.objects.get(memberships__user=demo["operator-general"])
        response = api_for("operator-general").post(LIST, {"organization": org.pk}, format="json")
        assert response.status_code == 201
        assert response.json()["organization"]["id"] == org.pk

    @pytest.mark.parametrize("username", ["reviewer-gd", "national", "police-liaison"])
    def test_authority_staff_cannot_create(self, api_for, username):
        response = api_for(username).post(LIST, items_1_2(), format="json")
        assert response.status_code == 403
        assert Report.objects.count() == 0


class TestIdempotency:
    def test_a_retry_with_the_same_key_returns_the_same_report(self, api_for):
        client = api_for("operator-general")
        body = items_1_2()  # a retry resends the very same body
        # when
        first = client.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        retry = client.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        # then
        assert first.status_code == 201
        assert retry.status_code == 200
        assert retry.json()["id"] == first.json()["id"]
        assert Report.objects.count() == 1
        assert ReportEvent.objects.filter(kind="created").count() == 1

    def test_the_same_key_with_another_body_is_a_422_and_creates_nothing(self, api_for):
        client = api_for("operator-general")
        first = client.post(LIST, items_1_2(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        assert first.status_code == 201
        # when: a different report under the same key
        other = client.post(
            LIST, items_1_2(title="Another incident"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
        )
        # then
        assert other.status_code == 422, other.content
        assert other["Content-Type"] == "application/json; charset=utf-8"
        assert "Idempotency-Key" in other.json()["detail"]
        assert first.json()["reference"] in other.json()["detail"]
        assert Report.objects.count() == 1
        assert Report.objects.get().title == items_1_2()["title"]

    def test_keys_are_per_user_and_per_key(self, api_for):
        general = api_for("operator-general")
        a = general.post(LIST, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        b = general.post(LIST, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
        c = api_for("operator-cii").post(LIST, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        assert (a.status_code, b.status_code, c.status_code) == (201, 201, 201)
        assert len({a.json()["id"], b.json()["id"], c.json()["id"]}) == 3

    def test_without_a_key_every_post_creates(self, api_for):
        client = api_for("operator-general")
        client.post(LIST, {}, format="json")
        client.post(LIST, {}, format="json")
        assert Report.objects.count() == 2

    def test_an_oversized_key_is_refused(self, api_for):
        response = api_for("operator-general").post(
            LIST, {}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 201
        )
        assert response.status_code == 400
        assert "Idempotency-Key" in response.json()
        assert Report.objects.count() == 0

    def test_a_refused_create_stores_no_key(self, api_for):
        client = api_for("operator-general")
        bad = client.post(LIST, {"category": "9999"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        assert bad.status_code == 400
        assert IdempotencyKey.objects.count() == 0
        good = client.post(LIST, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        assert good.status_code == 201

    def test_the_loser_of_a_race_gets_200_with_the_winners_report(self, api_for):
        """Two requests with one key both pass the "seen?" check; the second one's key insert
        then conflicts. It must answer 200 with the first one's report and leave nothing."""
        client = api_for("operator-general")
        first = client.post(LIST, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-race")
        assert first.status_code == 201
        # when: the check misses the key a concurrent request has just committed
        with mock.patch.object(
            IdempotencyKey.objects, "filter", return_value=IdempotencyKey.objects.none()
        ):
            second = client.post(LIST, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-race")
        # then
        assert second.status_code == 200, second.content
        assert second.json()["id"] == first.json()["id"]
        assert Report.objects.count() == 1
        assert ReportEvent.objects.filter(kind="created").count() == 1

    def test_the_service_says_whether_it_created(self, demo):
        user = demo["operator-general"]
        report, created = report_create_idempotent(user=user, data={}, idempotency_key="k")
        again, created_again = report_create_idempotent(user=user, data={}, idempotency_key="k")
        assert (created, created_again) == (True, False)
        assert again.pk == report.pk
        assert report_create(user=user, data={}, idempotency_key="k").pk == report.pk


@pytest.mark.django_db(transaction=True)
def test_simultaneous_creates_with_one_key_give_one_201(api_for):
    """Real concurrency on PostgreSQL: each thread has its own connection."""
    for attempt in range(5):
        key = f"k-{attempt}"
        barrier = threading.Barrier(2)
        responses = [None, None]

        def post(i, key=key, barrier=barrier, responses=responses):
            try:
                client = api_for("operator-general")
                barrier.wait()
                responses[i] = client.post(LIST, {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(r.status_code for r in responses) == [200, 201], responses
        assert responses[0].json()["id"] == responses[1].json()["id"]
        assert IdempotencyKey.objects.filter(key=key).count() == 1
    assert Report.objects.count() == 5
    assert ReportEvent.objects.filter(kind="created").count() == 5


# ---------------------------------------------------------------------------------------
# Bad input: 400, the field named, nothing written
# ---------------------------------------------------------------------------------------


def _future():
    return iso(timezone.now() + timedelta(hours=1))


BAD_DRAFT_INPUT = [
    pytest.param(lambda: {"discovered_at": _future()}, "discovered_at", id="discovered-future"),
    pytest.param(lambda: {"occurred_at": _future()}, "occurred_at", id="occurred-future"),
    pytest.param(
        lambda: {
            "discovered_at": iso(timezone.now() - timedelta(hours=2)),
            "occurred_at": iso(timezone.now() - timedelta(hours=1)),
        },
        "occurred_at",
        id="occurred-after-discovered",
    ),
    pytest.param(lambda: {"discovered_at": "yesterday"}, "discovered_at", id="not-a-time"),
    pytest.param(
        lambda: {"indicators": {"people_affected": -5}}, "indicators", id="negative-count"
    ),
    pytest.param(
        lambda: {"indicators": {"portal_outage_minutes": 10**12}},
        "indicators",
        id="absurd-minutes",
    ),
    pytest.param(
        lambda: {"indicators": {"personal_info_leaked": 10**15}},
        "indicators",
        id="absurd-people",
    ),
    pytest.param(lambda: {"indicators": {"people_affected": 1.5}}, "indicators", id="fraction"),
    pytest.param(lambda: {"indicators": {"no_such": 1}}, "indicators", id="unknown-indicator"),
    pytest.param(lambda: {"indicators": [1, 2]}, "indicators", id="indicators-not-object"),
    pytest.param(
        lambda: {"indicators": {"catch_all": "major"}}, "indicators", id="unjustified-catch-all"
    ),
    pytest.param(lambda: {"title": "x" * 201}, "title", id="oversized-title"),
    pytest.param(
        lambda: {"impact_description": "x" * 20_001}, "impact_description", id="oversized-text"
    ),
    pytest.param(lambda: {"late_reason": "x" * 20_001}, "late_reason", id="oversized-late"),
    pytest.param(lambda: {"category": "9999"}, "category", id="unknown-category"),
    pytest.param(lambda: {"category": "01"}, "category", id="class-not-sub-category"),
    pytest.param(lambda: {"severity_declared": "huge"}, "severity_declared", id="bad-level"),
    pytest.param(lambda: {"channel": "cii"}, "channel", id="channel"),
    pytest.param(lambda: {"receiving_authority": 1}, "receiving_authority", id="receiving"),
    pytest.param(lambda: {"copied_to": [1]}, "copied_to", id="copied-to"),
    pytest.param(lambda: {"submitted_at": _future()}, "submitted_at", id="submitted-at"),
    pytest.param(
        lambda: {"severity_suggested": "general"}, "severity_suggested", id="severity-suggested"
    ),
    pytest.param(lambda: {"criteria_met": []}, "criteria_met", id="criteria-met"),
    pytest.param(lambda: {"severity": "general"}, "severity", id="severity"),
    pytest.param(lambda: {"status": "closed"}, "status", id="status"),
    pytest.param(lambda: {"tier": "national"}, "tier", id="tier"),
    pytest.param(lambda: {"reference": "CSIR-X"}, "reference", id="reference"),
    pytest.param(lambda: {"deadlines": []}, "deadlines", id="deadlines"),
    pytest.param(lambda: {"severity_reviewed": "major"}, "severity_reviewed", id="reviewed"),
    pytest.param(lambda: {"ransom_amount": "1"}, "ransom_amount", id="ransom-column"),
    pytest.param(lambda: {"no_such_field": 1}, "no_such_field", id="unknown-field"),
    pytest.param(lambda: {"ransomware": {"amount": "-1"}}, "ransomware", id="negative-ransom"),
    pytest.param(lambda: {"ransomware": {"wallet": "x"}}, "ransomware", id="ransom-unknown-key"),
    pytest.param(
        lambda: {"ransomware": {"demanded_at": _future()}},
        "ransom_demanded_at",
        id="ransom-future",
    ),
]


class TestBadInput:
    @pytest.mark.parametrize("make_body, field", BAD_DRAFT_INPUT)
    def test_create_refuses_and_writes_nothing(self, api_for, make_body, field):
        # when
        response = api_for("operator-general").post(LIST, items_1_2(**make_body()), format="json")
        # then
        assert response.status_code == 400, response.data
        body = response.json()
        if field == "ransom_demanded_at":  # a service error, shown under the API's name
            assert "demanded_at" in body["ransomware"]
        else:
            assert field in body, body
            assert body[field]
        assert Report.objects.count() == 0
        assert ReportEvent.objects.count() == 0

    @pytest.mark.parametrize("make_body, field", BAD_DRAFT_INPUT)
    def test_patch_refuses_and_changes_nothing(self, api_for, demo, make_body, field):
        # given
        draft = service_draft(demo["operator-general"])
        before = snapshot(draft.pk)
        # when
        response = api_for("operator-general").patch(
            detail(draft.pk), {"version": 1, **make_body()}, format="json"
        )
        # then
        assert response.status_code == 400, response.data
        assert snapshot(draft.pk) == before

    def test_occurred_after_discovered_is_one_field_error(self, api_for):
        response = api_for("operator-general").post(
            LIST,
            {
                "discovered_at": iso(timezone.now() - timedelta(hours=2)),
                "occurred_at": iso(timezone.now() - timedelta(hours=1)),
            },
            format="json",
        )
        assert response.status_code == 400
        assert set(response.json()) == {"occurred_at"}

    def test_indicator_errors_are_keyed_by_indicator(self, api_for):
        response = api_for("operator-general").post(
            LIST,
            {"indicators": {"people_affected": -5, "portal_outage_minutes": 10**12}},
            format="json",
        )
        assert response.status_code == 400
        errors = response.json()["indicators"]
        assert set(errors) == {"people_affected", "portal_outage_minutes"}

    def test_every_refused_field_is_named_at_once(self, api_for):
        response = api_for("operator-general").post(
            LIST,
            {"channel": "cii", "submitted_at": _future(), "category": "9999", "title": "ok"},
            format="json",
        )
        assert response.status_code == 400
        assert {"channel", "submitted_at", "category"} <= set(response.json())
        assert "title" not in response.json()

    def test_someone_elses_organisation_is_refused(self, api_for, demo):
        other = Organization.objects.get(memberships__user=demo["operator-cii"])
        response = api_for("operator-general").post(LIST, {"organization": other.pk}, format="json")
        assert response.status_code == 400
        assert "organization" in response.json()
        assert Report.objects.count() == 0

    def test_a_non_existent_organisation_looks_the_same(self, api_for):
        response = api_for("operator-general").post(LIST, {"organization": 999_999}, format="json")
        assert response.status_code == 400
        assert "organization" in response.json()

    def test_a_body_that_is_not_an_object_is_refused(self, api_for):
        response = api_for("operator-general").post(LIST, [1, 2], format="json")
        assert response.status_code == 400
        assert Report.objects.count() == 0


# ---------------------------------------------------------------------------------------
# Patch
# ---------------------------------------------------------------------------------------


class TestPatch:
    def test_edits_a_draft_and_bumps_the_version(self, api_for, demo):
        # given
        draft = service_draft(demo["operator-general"])
        # when
        response = api_for("operator-general").patch(
            detail(draft.pk),
            {"version": 1, "title": "New title", "cause": "weak pw"},
            format="json",
        )
        # then
        assert response.status_code == 200, response.data
        body = response.json()
        assert body["title"] == "New title"
        assert body["cause"] == "weak pw"
        assert body["version"] == 2
        assert body["location"] == "广州"  # untouched fields stay
        draft.refresh_from_db()
        assert draft.title == "New title"

    def test_null_ransomware_clears_the_ransom_fields(self, api_for, demo):
        draft = service_draft(demo["operator-general"], ransom_amount=10, ransom_currency="USD")
        response = api_for("operator-general").patch(
            detail(draft.pk), {"version": 1, "ransomware": None}, format="json"
        )
        assert response.status_code == 200, response.data
        assert response.json()["ransomware"] is None
        draft.refresh_from_db()
        assert draft.ransom_amount is None
        assert draft.ransom_currency == ""

    def test_version_is_required(self, api_for, demo):
        draft = service_draft(demo["operator-general"])
        response = api_for("operator-general").patch(
            detail(draft.pk), {"title": "x"}, format="json"
        )
        assert response.status_code == 400
        assert "version" in response.json()

    def test_a_stale_version_is_409_and_changes_nothing(self, api_for, demo):
        # given: someone else saved version 2 meanwhile
        draft = service_draft(demo["operator-general"])
        client = api_for("operator-general")
        assert (
            client.patch(detail(draft.pk), {"version": 1, "title": "A"}, format="json").status_code
            == 200
        )
        before = snapshot(draft.pk)
        # when
        response = client.patch(detail(draft.pk), {"version": 1, "title": "B"}, format="json")
        # then
        assert response.status_code == 409
        assert "detail" in response.json()
        assert snapshot(draft.pk) == before
        assert before["title"] == "A"

    def test_a_submitted_report_cannot_be_patched(self, api_for, demo):
        draft = service_draft(demo["operator-general"])
        report = report_submit(user=demo["operator-general"], pk=draft.pk)
        response = api_for("operator-general").patch(
            detail(draft.pk), {"version": report.version, "title": "x"}, format="json"
        )
        assert response.status_code == 409

    def test_the_organisation_cannot_be_changed(self, api_for, demo):
        draft = service_draft(demo["operator-general"])
        response = api_for("operator-general").patch(
            detail(draft.pk), {"version": 1, "organization": draft.organization_id}, format="json"
        )
        assert response.status_code == 400
        assert "organization" in response.json()

    def test_a_reviewer_who_sees_the_report_may_not_edit_it(self, api_for, demo):
        draft = service_draft(demo["operator-general"])
        report = report_submit(user=demo["operator-general"], pk=draft.pk)
        before = snapshot(draft.pk)
        response = api_for("reviewer-gd").patch(
            detail(draft.pk), {"version": report.version, "title": "x"}, format="json"
        )
        assert response.status_code == 403
        assert snapshot(draft.pk) == before

    def test_put_is_not_offered(self, api_for, demo):
        draft = service_draft(demo["operator-general"])
        response = api_for("operator-general").put(detail(draft.pk), {"version": 1}, format="json")
        assert response.status_code == 405


# ---------------------------------------------------------------------------------------
# Submit
# ---------------------------------------------------------------------------------------


class TestSubmit:
    def test_submits_routes_and_opens_clocks(self, api_for, demo):
        # given
        draft = service_draft(demo["operator-general"])
        # when
        response = api_for("operator-general").post(
            submit_url(draft.pk), {"version": 1}, format="json"
        )
        # then
        assert response.status_code == 200, response.data
        body = response.json()
        assert body["status"] == "submitted"
        assert ISO_WITH_OFFSET.match(body["submitted_at"])
        assert body["version"] == 2
        assert [e["kind"] for e in body["events"]] == ["created", "submitted"]
        clocks = {d["kind"]: d for d in body["deadlines"]}
        assert clocks["file"]["outcome"] == "met"
        assert clocks["forward"]["outcome"] == "open"

    def test_an_empty_body_is_fine(self, api_for, demo):
        draft = service_draft(demo["operator-general"])
        response = api_for("operator-general").post(submit_url(draft.pk), format="json")
        assert response.status_code == 200, response.data

    def test_submitting_twice_is_one_submission(self, api_for, demo):
        # given
        draft = service_draft(demo["operator-general"])
        client = api_for("operator-general")
        # when
        first = client.post(submit_url(draft.pk), {"version": 1}, format="json")
        second = client.post(submit_url(draft.pk), {"version": 1}, format="json")
        # then
        assert (first.status_code, second.status_code) == (200, 200)
        assert second.json()["submitted_at"] == first.json()["submitted_at"]
        assert second.json()["version"] == first.json()["version"]
        assert ReportEvent.objects.filter(report=draft, kind="submitted").count() == 1
        assert draft.deadlines.filter(kind="forward").count() == 1

    def test_a_stale_version_is_409_and_stays_a_draft(self, api_for, demo):
        draft = service_draft(demo["operator-general"])
        client = api_for("operator-general")
        client.patch(detail(draft.pk), {"version": 1, "title": "A"}, format="json")
        response = client.post(submit_url(draft.pk), {"version": 1}, format="json")
        assert response.status_code == 409
        draft.refresh_from_db()
        assert draft.status == "draft"
        assert draft.submitted_at is None

    def test_items_1_and_2_are_required(self, api_for):
        # given
        client = api_for("operator-general")
        draft = client.post(LIST, {}, format="json").json()
        # when
        response = client.post(submit_url(draft["id"]), {}, format="json")
        # then
        assert response.status_code == 400
        assert {
            "title",
            "affected_systems",
            "discovered_at",
            "location",
            "category",
            "severity_declared",
            "impact_description",
            "measures_taken",
        } <= set(response.json())
        assert Report.objects.get().status == "draft"
        assert not ReportEvent.objects.filter(kind="submitted").exists()

    @pytest.mark.parametrize("missing", ["title", "measures_taken", "category"])
    def test_one_missing_item_is_named(self, api_for, missing):
        client = api_for("operator-general")
        body = items_1_2()
        del body[missing]
        draft = client.post(LIST, body, format="json").json()
        response = client.post(submit_url(draft["id"]), {}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {missing}

    def test_ransomware_needs_the_ransom_fields(self, api_for):
        # given
        client = api_for("operator-general")
        draft = client.post(LIST, items_1_2(category="0107"), format="json").json()
        # when
        refused = client.post(submit_url(draft["id"]), {}, format="json")
        # then
        assert refused.status_code == 400
        assert set(refused.json()["ransomware"]) == {
            "amount",
            "currency",
            "payment_method",
            "demanded_at",
        }
        assert Report.objects.get().status == "draft"
        # and with the ransom given, it goes through
        ransom = {
            "amount": "1.50",
            "currency": "BTC",
            "payment_method": "wallet",
            "demanded_at": iso(timezone.now() - timedelta(minutes=10)),
        }
        patched = client.patch(
            detail(draft["id"]), {"version": 1, "ransomware": ransom}, format="json"
        )
        assert patched.status_code == 200, patched.data
        accepted = client.post(submit_url(draft["id"]), {"version": 2}, format="json")
        assert accepted.status_code == 200, accepted.data
        assert accepted.json()["ransomware"]["currency"] == "BTC"

    def test_late_submission_needs_a_late_reason(self, api_for):
        # given: a major report discovered 5 hours ago on the general channel (limit 4 h)
        client = api_for("operator-general")
        discovered = timezone.now() - timedelta(hours=5)
        draft = client.post(LIST, items_1_2(discovered_at=iso(discovered)), format="json").json()
        # when
        refused = client.post(submit_url(draft["id"]), {}, format="json")
        # then
        assert refused.status_code == 400
        assert "late_reason" in refused.json()
        assert Report.objects.get().status == "draft"
        accepted = client.post(
            submit_url(draft["id"]), {"late_reason": "Night shift missed the alert"}, format="json"
        )
        assert accepted.status_code == 200, accepted.data
        assert accepted.json()["late_reason"] == "Night shift missed the alert"
        [file_clock] = [d for d in accepted.json()["deadlines"] if d["kind"] == "file"]
        assert file_clock["outcome"] == "late"
        assert file_clock["breached"] is True

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"title": "x"}, "title"),
            ({"submitted_at": "2026-01-01T00:00:00Z"}, "submitted_at"),
            ({"channel": "cii"}, "channel"),
            ({"version": 0}, "version"),
            ({"late_reason": "x" * 20_001}, "late_reason"),
        ],
    )
    def test_submit_takes_only_version_and_late_reason(self, api_for, demo, body, field):
        draft = service_draft(demo["operator-general"])
        response = api_for("operator-general").post(submit_url(draft.pk), body, format="json")
        assert response.status_code == 400
        assert field in response.json()
        draft.refresh_from_db()
        assert draft.status == "draft"

    def test_a_reviewer_cannot_submit(self, api_for, demo):
        draft = service_draft(demo["operator-general"])
        report_submit(user=demo["operator-general"], pk=draft.pk)
        response = api_for("reviewer-gd").post(submit_url(draft.pk), {}, format="json")
        assert response.status_code == 403


# ---------------------------------------------------------------------------------------
# Isolation: what one may not see does not exist (404)
# ---------------------------------------------------------------------------------------


class TestIsolation:
    def test_another_organisations_report_is_404_everywhere(self, api_for, demo):
        # given
        draft = service_draft(demo["operator-general"])
        before = snapshot(draft.pk)
        intruder = api_for("operator-cii")
        # when / then
        assert intruder.get(detail(draft.pk)).status_code == 404
        assert (
            intruder.patch(
                detail(draft.pk), {"version": 1, "title": "x"}, format="json"
            ).status_code
            == 404
        )
        assert intruder.patch(detail(draft.pk), {"bogus": 1}, format="json").status_code == 404
        assert intruder.post(submit_url(draft.pk), {}, format="json").status_code == 404
        assert snapshot(draft.pk) == before

    def test_lists_show_only_ones_own(self, api_for, demo):
        mine = service_draft(demo["operator-general"])
        service_draft(demo["operator-cii"])
        body = api_for("operator-general").get(LIST).json()
        assert body["count"] == 1
        assert [r["id"] for r in body["results"]] == [mine.pk]

    def test_reviewers_see_submitted_reports_routed_to_them_only(self, api_for, demo):
        draft = service_draft(demo["operator-general"])
        other_draft = service_draft(demo["operator-general"])
        report_submit(user=demo["operator-general"], pk=draft.pk)
        gd = api_for("reviewer-gd")
        assert [r["id"] for r in gd.get(LIST).json()["results"]] == [draft.pk]
        assert gd.get(detail(draft.pk)).status_code == 200
        assert gd.get(detail(other_draft.pk)).status_code == 404  # drafts stay private
        assert api_for("reviewer-energy").get(detail(draft.pk)).status_code == 404
        assert api_for("reviewer-energy").get(LIST).json()["count"] == 0

    def test_an_unknown_id_is_404(self, api_for):
        assert api_for("operator-general").get(detail(999_999)).status_code == 404


# ---------------------------------------------------------------------------------------
# List and detail
# ---------------------------------------------------------------------------------------


class TestList:
    def test_is_paginated(self, api_for, demo):
        for _ in range(3):
            service_draft(demo["operator-general"])
        body = api_for("operator-general").get(LIST, {"page_size": 2}).json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert body["count"] == 3
        assert len(body["results"]) == 2
        assert body["next"] is not None
        assert body["previous"] is None
        assert set(body["results"][0]) >= REPORT_FIELDS
        page2 = api_for("operator-general").get(LIST, {"page_size": 2, "page": 2}).json()
        assert len(page2["results"]) == 1
        assert page2["previous"] is not None

    def test_page_size_has_a_hard_maximum(self, api_for, demo):
        service_draft(demo["operator-general"])
        response = api_for("operator-general").get(LIST, {"page_size": 100_000})
        assert response.status_code == 200

    def test_a_page_past_the_end_is_404(self, api_for):
        assert api_for("operator-general").get(LIST, {"page": 9}).status_code == 404

    def test_detail_carries_deadlines_and_events(self, api_for, demo):
        draft = service_draft(demo["operator-general"])
        report_submit(user=demo["operator-general"], pk=draft.pk)
        body = api_for("operator-general").get(detail(draft.pk)).json()
        assert set(body) >= REPORT_FIELDS
        assert {d["kind"] for d in body["deadlines"]} == {"file", "forward"}
        for clock in body["deadlines"]:
            assert set(clock) == DEADLINE_FIELDS
            for name in ("opened_at", "statutory_due_at", "due_at"):
                assert ISO_WITH_OFFSET.match(clock[name])
        assert [e["kind"] for e in body["events"]] == ["created", "submitted"]

    def test_query_count_does_not_grow_with_the_page(
        self, api_for, demo, django_assert_max_num_queries
    ):
        user = demo["operator-general"]
        client = api_for("operator-general")

        def add(n):
            for i in range(n):
                draft = service_draft(user)
                if i % 2:
                    report_submit(user=user, pk=draft.pk)

        def count_queries() -> tuple[int, int]:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(LIST, {"page_size": 100})
            assert response.status_code == 200
            return len(ctx.captured_queries), response.json()["count"]

        add(5)
        small, n_small = count_queries()
        add(35)
        with django_assert_max_num_queries(small):
            response = client.get(LIST, {"page_size": 100})
        assert response.json()["count"] == 40
        assert n_small == 5
        assert small <= 10


class TestFilters:
    @pytest.fixture
    def world(self, demo):
        """general: one submitted major, one draft; cii: one submitted major (0107);
        central: one draft; one overdue draft on general."""
        general, cii, central = (
            demo["operator-general"],
            demo["operator-cii"],
            demo["operator-central"],
        )
        g_sub = service_draft(general)
        report_submit(user=general, pk=g_sub.pk)
        g_draft = service_draft(general, severity_declared="significant")
        g_overdue = service_draft(general, discovered_at=timezone.now() - timedelta(hours=5))
        ransom = {
            "ransom_amount": 1,
            "ransom_currency": "BTC",
            "ransom_payment_method": "wallet",
            "ransom_demanded_at": timezone.now() - timedelta(minutes=5),
        }
        c_sub = service_draft(cii, category="0107", location="深圳", **ransom)
        report_submit(user=cii, pk=c_sub.pk)
        m_draft = service_draft(central, location="北京")
        return {
            "g_sub": g_sub.pk,
            "g_draft": g_draft.pk,
            "g_overdue": g_overdue.pk,
            "c_sub": c_sub.pk,
            "m_draft": m_draft.pk,
        }

    def ids(self, client, **params) -> set:
        response = client.get(LIST, params)
        assert response.status_code == 200, response.data
        return {r["id"] for r in response.json()["results"]}

    def test_status_and_severity(self, api_for, world):
        client = api_for("operator-general")
        assert self.ids(client, status="submitted") == {world["g_sub"]}
        assert self.ids(client, status="draft") == {world["g_draft"], world["g_overdue"]}
        assert self.ids(client, severity="significant") == {world["g_draft"]}

    def test_tier_channel_province_category_as_admin(self, api_for, world):
        admin = api_for("admin")
        assert self.ids(admin, tier="national") == set()
        assert len(self.ids(admin, tier="receiving")) == 5
        assert self.ids(admin, channel="cii") == {world["c_sub"]}
        assert self.ids(admin, channel="central") == {world["m_draft"]}
        assert self.ids(admin, province="110000") == {world["m_draft"]}
        assert len(self.ids(admin, province="440000")) == 4
        assert self.ids(admin, category="0107") == {world["c_sub"]}
        assert self.ids(admin, category="01") == {world["c_sub"]}
        assert len(self.ids(admin, category="02")) == 4

    def test_overdue(self, api_for, world):
        client = api_for("operator-general")
        assert self.ids(client, overdue="true") == {world["g_overdue"]}
        assert self.ids(client, overdue="false") == {world["g_sub"], world["g_draft"]}

    def test_filters_never_widen_visibility(self, api_for, world):
        client = api_for("operator-general")
        assert self.ids(client, channel="cii") == set()
        assert self.ids(client, province="110000") == set()

    @pytest.mark.parametrize(
        "params", [{"status": "nope"}, {"severity": "huge"}, {"overdue": "perhaps"}]
    )
    def test_a_bad_filter_value_is_400(self, api_for, world, params):
        response = api_for("operator-general").get(LIST, params)
        assert response.status_code == 400
        assert set(params) <= set(response.json())


class TestCategories:
    def test_lists_classes_and_sub_classes(self, api_for):
        response = api_for("operator-general").get(CATEGORIES)
        assert response.status_code == 200
        rows = {row["code"]: row for row in response.json()}
        assert rows["0107"] == {
            "code": "0107",
            "name": "勒索软件事件",
            "name_en": "Ransomware",
            "parent": "01",
        }
        assert rows["01"]["parent"] is None
        assert all(set(row) == {"code", "name", "name_en", "parent"} for row in rows.values())

    def test_needs_authentication(self, demo):
        assert APIClient().get(CATEGORIES).status_code == 401
