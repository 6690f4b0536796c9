"""The read replica (docs/ARCHITECTURE.md, "Past one machine"): the dashboard's figures,
its exports and the statistics API read from the alias `replica` when one is configured
(`DATABASE_REPLICA_URL`); every write, and every read anywhere else — the clocks, the
queues, the write path — stays on the primary.

The reads that may go to the replica say so (`replica_reads()` around them, or
`replica_alias()` for a queryset read later, such as a streamed export); the router sends
them there only when a replica is configured, and never inside a transaction on the
primary (a transaction reads what it wrote)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return bool(getattr(settings, "READ_REPLICA", False)) and REPLICA in settings.DATABASES


def replica_alias() -> str:
    """The alias a statistics read uses: the replica when there is one."""
    return REPLICA if replica_configured() else DEFAULT_DB_ALIAS


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in this block may go to the replica."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """`DATABASE_ROUTERS`: reads marked by `replica_reads()` to the replica; everything else,
    and every write, to the primary."""

    def db_for_read(self, model, **hints):
        if not _replica_reads.get() or not replica_configured():
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary
