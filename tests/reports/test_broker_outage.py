"""Submission never depends on the broker (README, "Clocks and escalation"; issue 14): with
a Redis of the test's own stopped, and frozen (SIGSTOP: it accepts connections and never
answers), creating, autosaving and submitting a report through the API answer 201/200 within
a bound and save the report; once Redis is back the sweep acts on the clocks that were not
enqueued. Real Redis, real transactions (on_commit runs), no mocks."""

import logging
import time
from datetime import timedelta

import pytest
from celery import current_app
from django.urls import reverse
from django.utils import timezone

from core.tasks import broker_backoff_reset, enqueue_on_commit
from escalation.models import Deadline
from escalation.services.engine import deadlines_sweep
from reports.models import Report
from tests.brokers import PrivateRedis, use_broker

pytestmark = pytest.mark.django_db(transaction=True)

LIST = reverse("reports-api:report-list")
BOUND = 5.0  # seconds a request may take with the broker down or frozen (issue 14)


@pytest.fixture(autouse=True)
def _every_instant_near(settings):
    """Every clock's next instant within the ETA horizon, so that creating and submitting
    publish the clocks' tasks at once (a real clock's are published by the sweep when they
    come near: tests/escalation/test_clock_services.py)."""
    settings.ESCALATION_ETA_HORIZON_SECONDS = 5 * 3600


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    original = current_app.conf.broker_url
    use_broker(server.url)
    broker_backoff_reset()
    yield server
    server.stop()
    use_broker(original)
    broker_backoff_reset()


def items_1_2(**overrides) -> dict:
    data = {
        "title": "勒索软件",
        "affected_systems": "ERP",
        "discovered_at": (timezone.now() - timedelta(minutes=30)).isoformat(),
        "location": "广州",
        "category": "0208",
        "severity_declared": "major",
        "impact_description": "中断",
        "measures_taken": "隔离",
    }
    data.update(overrides)
    return data


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def _create_autosave_submit(client):
    created, t_create = _timed(lambda: client.post(LIST, items_1_2(), format="json"))
    assert created.status_code == 201, created.content
    pk, version = created.json()["id"], created.json()["version"]
    detail = reverse("reports-api:report-detail", args=[pk])
    saved, t_save = _timed(
        lambda: client.patch(detail, {"version": version, "location": "深圳"}, format="json")
    )
    assert saved.status_code == 200, saved.content
    submit = reverse("reports-api:report-submit", args=[pk])
    submitted, t_submit = _timed(lambda: client.post(submit, {}, format="json"))
    assert submitted.status_code == 200, submitted.content
    return pk, (t_create, t_save, t_submit)


def test_the_private_redis_really_is_the_broker(api_for, private_redis):
    client = api_for("operator-general")
    pk, _ = _create_autosave_submit(client)
    assert private_redis.queued() >= 1  # the clocks' tasks and e-mails went there
    assert Report.objects.get(pk=pk).status == "submitted"


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_a_broker_outage_never_fails_a_saved_report(api_for, private_redis, outage, caplog):
    client = api_for("operator-general")
    client.get(LIST)  # warm up the app: only the broker is measured
    if outage == "stopped":
        private_redis.stop()
    else:
        # established pool connections and new ones alike get no answer
        current_app.send_task("escalation.sweep")
        private_redis.freeze()

    with caplog.at_level(logging.WARNING, logger="core.tasks"):
        pk, timings = _create_autosave_submit(client)

    assert max(timings) < BOUND, timings
    report = Report.objects.get(pk=pk)
    assert report.status == "submitted"
    assert report.location == "深圳"
    assert report.deadlines.filter(kind="forward", outcome=Deadline.Outcome.OPEN).exists()
    # each task that was not sent is named in one log line; no traceback reaches the request
    messages = [r.getMessage() for r in caplog.records if r.name == "core.tasks"]
    assert messages and all("not enqueued" in m for m in messages), messages
    assert any("escalation.deadline_act" in m for m in messages), messages
    errors = [r for r in caplog.records if r.name == "django.db.backends.base"]
    assert not errors, errors  # Django's own "Error calling ... in on_commit()" never fires
    if outage == "frozen":
        private_redis.thaw()


def test_the_sweep_picks_up_the_clocks_once_the_broker_is_back(api_for, demo, private_redis):
    client = api_for("operator-general")
    private_redis.stop()
    pk, _ = _create_autosave_submit(client)
    forward = Deadline.objects.get(report_id=pk, kind="forward")
    assert forward.next_fire_at is not None

    private_redis.start()
    broker_backoff_reset()
    # the sweep (what beat runs every few seconds) acts on what is due, late, with its cause
    acted = deadlines_sweep(now=forward.due_at + timedelta(minutes=1))
    assert acted >= 1
    assert Report.objects.filter(pk=pk, tier="national").exists()
    forward.refresh_from_db()
    assert forward.outcome == Deadline.Outcome.LATE
    assert forward.late_cause
    # and publishing works again without anyone resetting anything
    enqueue_on_commit("escalation.sweep")  # outside a transaction: runs at once
    assert private_redis.queued() >= 1


def test_after_a_failure_publishing_is_not_retried_for_a_while(private_redis, settings, caplog):
    private_redis.freeze()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="core.tasks"):
        for _ in range(5):
            enqueue_on_commit("escalation.sweep")
    assert time.monotonic() - started < 3.0  # one timeout, not five
    names = [r.getMessage() for r in caplog.records if r.name == "core.tasks"]
    assert len(names) == 5 and all("escalation.sweep" in n for n in names)
    private_redis.thaw()
