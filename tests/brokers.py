"""A Redis of the test's own, to stop and freeze (issue 14: the broker can fail and nothing
else does): a redis-server on a free port, and pointing this process's Celery app at it."""

import os
import signal
import socket
import subprocess
import time

import redis
from celery import current_app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """redis-server on a free port, no persistence: start, stop, freeze (SIGSTOP: it accepts
    connections and never answers), thaw."""

    def __init__(self, directory):
        self.port = _free_port()
        self.dir = directory
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis(port=self.port, socket_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.kill()
            self.proc.wait(timeout=10)

    def freeze(self):
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self):
        os.kill(self.proc.pid, signal.SIGCONT)

    def queued(self) -> int:
        """Tasks waiting in both queues (the clock tasks have their own, `clocks`)."""
        client = redis.Redis(port=self.port, socket_timeout=1)
        return client.llen("celery") + client.llen("clocks")


def use_broker(url: str) -> None:
    """Point this process's Celery app at `url`, with the project's transport options
    (connection pools rebuilt)."""
    app = current_app
    # Only forget the pools: kombu keeps them in a registry by URL, and the next test using
    # the same URL gets the same pool back (a closed one would fail every publish).
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url
