"""The issue's acceptance scenario, through the API only. The API reads the real clock, so
time-machine moves it: discovery, then the draft, then submission 30 minutes after discovery."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Authority

LIST = reverse("reports-api:report-list")
DISCOVERED = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 09:00 in Beijing


def submit_url(pk) -> str:
    return reverse("reports-api:report-submit", args=[pk])


def at(dt: str) -> datetime:
    return datetime.fromisoformat(dt)


def first_report(**overrides) -> dict:
    data = {
        "title": "Ransom-free outage of the billing system",
        "affected_systems": "Billing system, 12 servers",
        "discovered_at": DISCOVERED.isoformat(),
        "occurred_at": (DISCOVERED - timedelta(minutes=10)).isoformat(),
        "location": "机房 A",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "Billing unavailable for all customers",
        "measures_taken": "Failover to the standby site",
    }
    data.update(overrides)
    return data


def file_and_submit(client, *, submit_after: timedelta, submit_body=None, **overrides):
    with time_machine.travel(DISCOVERED + timedelta(minutes=10), tick=False):
        created = client.post(LIST, first_report(**overrides), format="json")
        assert created.status_code == 201, created.data
    with time_machine.travel(DISCOVERED + submit_after, tick=False):
        return client.post(submit_url(created.json()["id"]), submit_body or {}, format="json")


@pytest.mark.parametrize(
    "username, receiving, copies, file_within, forward_within, reviewer",
    [
        (
            "operator-general",
            "cac-440000",
            [],
            timedelta(hours=4),
            timedelta(hours=1),
            "reviewer-gd",
        ),
        (
            "operator-cii",
            "pd-energy",
            ["ps-440000"],
            timedelta(hours=1),
            timedelta(minutes=30),
            "reviewer-energy",
        ),
        (
            "operator-central",
            "dco-miit",
            [],
            timedelta(hours=2),
            timedelta(hours=1),
            "reviewer-ministry",
        ),
    ],
)
def test_a_major_report_is_routed_and_clocked(
    api_for, username, receiving, copies, file_within, forward_within, reviewer
):
    submitted = DISCOVERED + timedelta(minutes=30)
    # when
    response = file_and_submit(api_for(username), submit_after=timedelta(minutes=30))
    # then
    assert response.status_code == 200, response.data
    body = response.json()
    assert body["status"] == "submitted"
    assert at(body["submitted_at"]) == submitted
    authority = Authority.objects.get(code=receiving)
    assert body["receiving_authority"]["id"] == authority.pk
    assert body["receiving_authority"]["name"] == authority.name
    assert sorted(a["id"] for a in body["copied_to"]) == sorted(
        Authority.objects.filter(code__in=copies).values_list("pk", flat=True)
    )
    clocks = {d["kind"]: d for d in body["deadlines"]}
    assert set(clocks) == {"file", "forward"}
    file_clock, forward = clocks["file"], clocks["forward"]
    assert file_clock["outcome"] == "met"
    assert at(file_clock["due_at"]) == DISCOVERED + file_within
    assert at(file_clock["statutory_due_at"]) == DISCOVERED + file_within
    assert at(file_clock["met_at"]) == submitted
    assert file_clock["breached"] is False
    assert file_clock["lateness_seconds"] is None
    assert forward["outcome"] == "open"
    assert at(forward["opened_at"]) == submitted
    assert at(forward["due_at"]) == submitted + forward_within
    assert at(forward["statutory_due_at"]) == submitted + forward_within
    assert forward["breached"] is False
    assert [e["kind"] for e in body["events"]] == ["created", "submitted"]
    assert {e["actor"] for e in body["events"]} == {username}
    # and the receiving authority sees it in its queue
    with time_machine.travel(submitted + timedelta(minutes=1), tick=False):
        queue = api_for(reviewer).get(LIST).json()
    assert [r["id"] for r in queue["results"]] == [body["id"]]


def test_the_cii_copy_reaches_public_security(api_for):
    response = file_and_submit(api_for("operator-cii"), submit_after=timedelta(minutes=30))
    assert response.status_code == 200
    queue = api_for("police-liaison").get(LIST).json()
    assert [r["id"] for r in queue["results"]] == [response.json()["id"]]


def test_a_general_report_opens_no_clock(api_for):
    response = file_and_submit(
        api_for("operator-general"),
        submit_after=timedelta(minutes=30),
        severity_declared="general",
    )
    assert response.status_code == 200, response.data
    body = response.json()
    assert body["status"] == "submitted"
    assert body["severity"] == "general"
    assert body["deadlines"] == []


def test_a_late_report_is_marked_late_by_one_hour(api_for):
    client = api_for("operator-general")
    # given: 5 h after discovery on the general channel (limit 4 h), without a reason
    refused = file_and_submit(client, submit_after=timedelta(hours=5))
    assert refused.status_code == 400
    assert "late_reason" in refused.json()
    report_id = client.get(LIST).json()["results"][0]["id"]
    # when: the reason is given
    with time_machine.travel(DISCOVERED + timedelta(hours=5), tick=False):
        response = client.post(
            submit_url(report_id),
            {"late_reason": "The duty officer was unreachable"},
            format="json",
        )
    # then
    assert response.status_code == 200, response.data
    file_clock = next(d for d in response.json()["deadlines"] if d["kind"] == "file")
    assert file_clock["outcome"] == "late"
    assert at(file_clock["due_at"]) == DISCOVERED + timedelta(hours=4)
    assert at(file_clock["met_at"]) == DISCOVERED + timedelta(hours=5)
    assert file_clock["lateness_seconds"] == 3600
    assert file_clock["breached"] is True


def test_an_open_clock_past_its_limit_reads_breached_and_overdue(api_for):
    client = api_for("operator-general")
    response = file_and_submit(client, submit_after=timedelta(minutes=30))
    report_id = response.json()["id"]
    # 2 h after submission, nobody has forwarded the major report (limit 1 h)
    with time_machine.travel(DISCOVERED + timedelta(hours=2, minutes=30), tick=False):
        body = client.get(reverse("reports-api:report-detail", args=[report_id])).json()
        overdue = client.get(LIST, {"overdue": "true"}).json()
    forward = next(d for d in body["deadlines"] if d["kind"] == "forward")
    assert forward["outcome"] == "open"
    assert forward["breached"] is True
    assert [r["id"] for r in overdue["results"]] == [report_id]
