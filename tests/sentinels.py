"""A Redis Sentinel group of the test's own: a private redis-server master (tests/brokers.py's
PrivateRedis, with a password) watched by one `redis-server --sentinel` (with a password of
its own), both on free ports, no persistence. Starts in a fraction of a second."""

import subprocess
import time

import redis
from redis.sentinel import Sentinel

from tests.brokers import PrivateRedis, _free_port

MASTER_NAME = "portal-test-master"
MASTER_PASSWORD = "master-secret"
SENTINEL_PASSWORD = "sentinel-secret"


def _wait_for(client, ready, what: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if ready(client):
                return
        except redis.RedisError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


class PasswordRedis(PrivateRedis):
    """PrivateRedis with `requirepass`; with `replica_of`, a replica of that one, in sync
    once started."""

    def __init__(self, directory, password: str, replica_of: "PasswordRedis | None" = None):
        super().__init__(directory)
        self.password = password
        self.replica_of = replica_of

    def start(self):
        replica = []
        if self.replica_of:
            replica = ["--replicaof", "127.0.0.1", str(self.replica_of.port)]
            replica += ["--masterauth", self.replica_of.password]
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.dir), "--requirepass", self.password]
            # a replica is served at once (Redis waits 5 s by default for more of them)
            + ["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0", *replica],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if self.replica_of:
            _wait_for(
                self.client(),
                lambda c: c.info("replication").get("master_link_status") == "up",
                "private redis replica",
            )
        else:
            _wait_for(self.client(), lambda c: c.ping(), "private redis-server")

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(port=self.port, db=db, password=self.password, socket_timeout=1)

    def queued(self) -> int:
        client = self.client()
        return client.llen("celery") + client.llen("clocks")


class PrivateSentinel:
    """`redis-server --sentinel` on a free port, watching `master` as MASTER_NAME; its config
    file (Sentinel rewrites it) in `directory`."""

    def __init__(self, directory, master: PasswordRedis):
        self.port = _free_port()
        self.dir = directory
        self.master = master
        self.proc = None

    def start(self):
        config = self.dir / f"sentinel-{self.port}.conf"
        config.write_text(
            f"port {self.port}\nbind 127.0.0.1\ndir {self.dir}\n"
            f"sentinel monitor {MASTER_NAME} 127.0.0.1 {self.master.port} 1\n"
            f"sentinel auth-pass {MASTER_NAME} {self.master.password}\n"
            f"sentinel down-after-milliseconds {MASTER_NAME} 60000\n"
            f"requirepass {SENTINEL_PASSWORD}\n"
        )
        self.proc = subprocess.Popen(
            ["redis-server", str(config), "--sentinel"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # ready when it answers as clients ask: the master known, and not flagged (the first
        # moments after a start, the sentinel has not yet seen the master answer)
        _wait_for(self, lambda s: s.master_port() == self.master.port, "private redis sentinel")

    def _manager(self) -> Sentinel:
        return Sentinel(
            [("127.0.0.1", self.port)],
            sentinel_kwargs={"password": SENTINEL_PASSWORD, "socket_timeout": 1},
        )

    def master_port(self) -> int:
        """The master's port, as clients are told it."""
        return self._manager().discover_master(MASTER_NAME)[1]

    def fail_over(self):
        """SENTINEL FAILOVER (the replica must be known to the sentinel: asked again until it
        is), and wait until clients are told the new master (about a second)."""
        client = redis.Redis(port=self.port, password=SENTINEL_PASSWORD, socket_timeout=1)
        old = self.master_port()
        _wait_for(
            client,
            lambda c: c.execute_command("SENTINEL", "FAILOVER", MASTER_NAME),
            "sentinel failover (no replica known?)",
        )
        _wait_for(self, lambda s: s.master_port() != old, "sentinel failover")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
