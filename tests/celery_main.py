"""`python -m tests.celery_main …`: Celery's own command line, plus a readiness mark for the
integration tests. When the worker is ready to take tasks (Celery's `worker_ready` signal) it
writes the instant into the file named by PORTAL_TEST_READY_FILE, so that a test measures
its bounds from the worker's readiness, not from the start of a process that may take
seconds to boot on a loaded machine."""

import os
import time

from celery.__main__ import main
from celery.signals import worker_ready


@worker_ready.connect
def _mark_ready(**kwargs):
    path = os.environ.get("PORTAL_TEST_READY_FILE")
    if path:
        with open(path, "w") as f:
            f.write(repr(time.time()))


if __name__ == "__main__":
    main()
