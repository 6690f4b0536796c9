"""Clocks first (issue 12): the clock tasks go to their own Celery queue, `clocks`, served by
its own worker process, so that reminders and forwards never wait behind e-mail, dashboard
refreshes or exports. A worker started without `-Q` serves every queue (one machine)."""

from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app

ROOT = Path(settings.BASE_DIR)


def queue_of(task_name: str) -> str:
    """Where the app sends a task by its stable name (as `core.tasks.enqueue_on_commit`
    and beat do, through `send_task`)."""
    route = app.amqp.router.route({}, task_name, args=(1,), kwargs={})
    return route["queue"].name


@pytest.mark.parametrize("task_name", ["escalation.deadline_act", "escalation.sweep"])
def test_clock_tasks_go_to_the_clocks_queue(task_name):
    assert queue_of(task_name) == "clocks"


@pytest.mark.parametrize(
    "task_name", ["escalation.notification_email", "dashboard.summary_refresh"]
)
def test_other_work_goes_to_the_default_queue(task_name):
    assert queue_of(task_name) == "celery"


def test_every_task_the_portal_defines_has_a_known_queue():
    app.loader.import_default_modules()
    names = {name for name in app.tasks if not name.startswith("celery.")}
    assert {"escalation.deadline_act", "escalation.sweep"} <= names
    queues = {q.name for q in app.amqp.queues.values()}
    assert {queue_of(name) for name in names} <= queues == {"celery", "clocks"}


def test_the_beat_schedule_sends_the_sweep_to_the_clocks_queue():
    entry = settings.CELERY_BEAT_SCHEDULE["escalation-sweep"]
    assert queue_of(entry["task"]) == "clocks"


def procfile() -> dict[str, str]:
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            processes[name] = command.strip()
    return processes


def test_the_procfile_runs_a_clock_worker_and_a_worker_for_the_rest():
    processes = procfile()
    clocks, worker = processes["clocks"].split(), processes["worker"].split()
    assert "worker" in clocks and clocks[clocks.index("-Q") + 1] == "clocks"
    assert "worker" in worker and worker[worker.index("-Q") + 1] == "celery"
    # two workers on one machine need two names
    assert clocks[clocks.index("-n") + 1] != worker[worker.index("-n") + 1]
