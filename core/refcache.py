"""Small reference tables kept in memory (the grading guide's criteria, the escalation
policies, the incident categories): read once per process, read again when an admin
changes them (docs/ARCHITECTURE.md, "Reference data in memory").

How a change reaches every process:

* every write goes through the model's `save`/`delete` (signals) or its queryset's
  `update`/`delete`/`bulk_*` (`ReferenceQuerySet`), and migrations and `flush` end with
  `post_migrate`: each calls `invalidate()`;
* `invalidate()` forgets this process's copies at once and, once the transaction commits,
  bumps a version number in the shared cache (Redis when `REDIS_URL` is set); every other
  process compares that number before it uses its copy, reading it at most every
  `VERSION_SECONDS` (a request that reads several tables asks the shared cache once), so a
  change reaches every process within that time;
* until the transaction that changed a table ends, the connection that changed it reads the
  table itself (never caching what a rollback could undo);
* when the shared cache is unreachable, the copies are not trusted: the table is read each
  time (correct, slower), and the shared cache is tried again a few seconds later;
* without a shared cache (no `REDIS_URL`: one process per role on one machine), a copy is
  also kept at most `REFERENCE_CACHE_SECONDS`.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

VERSION_KEY = "portal:reference-version"
VERSION_SECONDS = 0.5
RETRY_SECONDS = 5.0

_lock = threading.Lock()
_registry: list["ReferenceCache"] = []
_shared_down_until = 0.0
_seen: tuple[float, int] | None = None  # (when, version): the version this process last read


def _shared_version() -> int | None:
    """The version in the shared cache (as read in the last `VERSION_SECONDS`); None when it
    cannot be read."""
    global _shared_down_until, _seen
    now = time.monotonic()
    if now < _shared_down_until:
        return None
    seen = _seen
    if seen is not None and now - seen[0] < VERSION_SECONDS:
        return seen[1]
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, 1, timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:  # an unreachable cache only costs the copies
        _shared_down_until = time.monotonic() + RETRY_SECONDS
        return None
    if version is not None:
        _seen = (now, version)
    return version


def _bump() -> None:
    global _shared_down_until, _seen
    _seen = None
    for ref in _registry:
        ref.forget()
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # not there yet (or evicted)
            cache.set(VERSION_KEY, int(time.time() * 1000), timeout=None)
    except Exception:  # the copies expire after REFERENCE_CACHE_SECONDS
        _shared_down_until = time.monotonic() + RETRY_SECONDS


def _outermost(using: str):
    connection = connections[using]
    if connection.in_atomic_block and connection.atomic_blocks:
        return connection.atomic_blocks[0]
    return None


def invalidate(*, using: str = DEFAULT_DB_ALIAS, **_ignored) -> None:
    """A reference table changed (or is about to, in this transaction)."""
    for ref in _registry:
        ref.forget()
    outer = _outermost(using)
    if outer is None:
        _bump()
        return
    connections[using].refcache_dirty_in = outer
    transaction.on_commit(_bump, using=using)


def _changed_in_this_transaction(using: str) -> bool:
    connection = connections[using]
    marker = getattr(connection, "refcache_dirty_in", None)
    if marker is None:
        return False
    if marker is _outermost(using):
        return True
    connection.refcache_dirty_in = None  # that transaction ended (committed or rolled back)
    return False


class ReferenceCache:
    """One table's copy: `get()` returns what `load()` builds from it."""

    def __init__(self, load: Callable[[], Any]):
        self.load = load
        self._entry: tuple[int, float, Any] | None = None
        _registry.append(self)

    def forget(self) -> None:
        self._entry = None

    def get(self, using: str = DEFAULT_DB_ALIAS):
        if _changed_in_this_transaction(using):
            return self.load()
        version = _shared_version()  # read before the table: a copy is never older
        entry = self._entry
        if (
            entry is not None
            and version is not None
            and entry[0] == version
            and time.monotonic() - entry[1] < settings.REFERENCE_CACHE_SECONDS
        ):
            return entry[2]
        value = self.load()
        if version is not None:
            with _lock:
                self._entry = (version, time.monotonic(), value)
        return value


class ReferenceQuerySet(models.QuerySet):
    """A reference table's queryset: bulk writes invalidate the copies too."""

    def update(self, **kwargs):
        invalidate(using=self.db)
        return super().update(**kwargs)

    def delete(self):
        invalidate(using=self.db)
        return super().delete()

    def bulk_create(self, *args, **kwargs):
        invalidate(using=self.db)
        return super().bulk_create(*args, **kwargs)

    def bulk_update(self, *args, **kwargs):
        invalidate(using=self.db)
        return super().bulk_update(*args, **kwargs)


def watch(*model_classes) -> None:
    """Invalidate on every save and delete of these models (call from AppConfig.ready)."""
    for model in model_classes:
        models.signals.post_save.connect(_on_write, sender=model, weak=False)
        models.signals.post_delete.connect(_on_write, sender=model, weak=False)


def _on_write(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    invalidate(using=using)


models.signals.post_migrate.connect(
    lambda sender=None, using=DEFAULT_DB_ALIAS, **kw: invalidate(using=using),
    weak=False,
    dispatch_uid="core.refcache.post_migrate",
)
