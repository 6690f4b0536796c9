"""`REDIS_URL`: one Redis (`redis://`, `rediss://`) or a Redis Sentinel group (`sentinel://`),
and what the settings build from it: the Celery broker (with its transport options) and the
shared cache (docs/ARCHITECTURE.md, "Running"; README, "Past one machine").

A Sentinel URL names every sentinel, separated by `;` (kombu's own form), and the master's
database and credentials once:

    sentinel://:master-password@10.0.0.1:26379/0;sentinel://10.0.0.2:26379;sentinel://10.0.0.3

The group's name is `REDIS_SENTINEL_MASTER` (default `mymaster`); the sentinels' own password,
if they have one, `REDIS_SENTINEL_PASSWORD`. Every use of Redis asks the sentinels for the
current master and follows a failover: the broker (kombu's sentinel transport) and the cache
(`config.sentinel_cache.SentinelRedisCache`, on redis-py's `redis.sentinel.Sentinel`).

Pure: no environment, no Django cache import (the settings import it)."""

from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from redis.backoff import NoBackoff
from redis.retry import Retry

SENTINEL_DEFAULT_PORT = 26379


@dataclass(frozen=True)
class SentinelURL:
    sentinels: tuple[tuple[str, int], ...]
    db: int = 0
    username: str | None = None
    password: str | None = None

    def broker_url(self) -> str:
        """The URL kombu reads: its sentinel transport takes the database and credentials
        from the first entry only, so they go there."""
        credentials = ""
        if self.username or self.password:
            credentials = f"{quote(self.username or '', safe='')}:"
            credentials += f"{quote(self.password or '', safe='')}@"
        entries = []
        for index, (host, port) in enumerate(self.sentinels):
            host = f"[{host}]" if ":" in host else host
            if index == 0:
                entries.append(f"sentinel://{credentials}{host}:{port}/{self.db}")
            else:
                entries.append(f"sentinel://{host}:{port}")
        return ";".join(entries)


def is_sentinel(url: str) -> bool:
    return url.strip().lower().startswith("sentinel://")


def parse_sentinel_url(url: str) -> SentinelURL:
    """The sentinels, in the order given, and the master's database and credentials (given
    once, on any entry; given twice, they must agree)."""
    sentinels: list[tuple[str, int]] = []
    found: dict[str, object] = {}

    def once(name: str, value) -> None:
        if value is None:
            return
        if name in found and found[name] != value:
            raise ImproperlyConfigured(f"REDIS_URL: the sentinel entries disagree on the {name}.")
        found[name] = value

    for entry in (e.strip() for e in url.split(";")):
        if not entry:
            continue
        try:
            parts = urlsplit(entry)
            port = parts.port
        except ValueError as exc:
            raise ImproperlyConfigured(f"REDIS_URL: {entry!r} is not a URL ({exc}).") from None
        if parts.scheme.lower() != "sentinel" or not parts.hostname:
            raise ImproperlyConfigured(
                f"REDIS_URL: {entry!r} is not a sentinel://host:port entry; a Sentinel URL "
                "lists only sentinels, separated by ';'."
            )
        sentinels.append((parts.hostname, port or SENTINEL_DEFAULT_PORT))
        path = parts.path.strip("/")
        if path:
            if not path.isdigit():
                raise ImproperlyConfigured(
                    f"REDIS_URL: {entry!r}: the path is the database number, not {path!r}."
                )
            once("database", int(path))
        once("username", unquote(parts.username) if parts.username else None)
        once("password", unquote(parts.password) if parts.password is not None else None)
    if not sentinels:
        raise ImproperlyConfigured("REDIS_URL: a Sentinel URL names at least one sentinel.")
    return SentinelURL(
        sentinels=tuple(sentinels),
        db=found.get("database", 0),
        username=found.get("username") or None,
        password=found.get("password") or None,
    )


def sentinel_kwargs(password: str, timeouts: dict) -> dict:
    """How to talk to the sentinels themselves: the same short timeouts, their password, and
    no retry: a sentinel that is down is passed over at once for the next one (redis-py's
    default retries with back-off would cost seconds per sentinel down)."""
    kwargs = {k: v for k, v in timeouts.items() if k.startswith("socket_")}
    kwargs["retry"] = Retry(NoBackoff(), 0)
    if password:
        kwargs["password"] = password
    return kwargs


def redis_broker(
    url: str, *, master: str, sentinel_password: str, options: dict
) -> tuple[str, dict]:
    """`CELERY_BROKER_URL` and `CELERY_BROKER_TRANSPORT_OPTIONS` for this `REDIS_URL`."""
    if not is_sentinel(url):
        return url, dict(options)
    parsed = parse_sentinel_url(url)
    return parsed.broker_url(), {
        **options,
        "master_name": master,
        "sentinel_kwargs": sentinel_kwargs(sentinel_password, options),
    }


def redis_cache(url: str, *, master: str, sentinel_password: str, options: dict) -> dict:
    """The shared cache (`CACHES["default"]`) for this `REDIS_URL`."""
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "portal",
        "OPTIONS": dict(options),
    }
    if is_sentinel(url):
        cache["BACKEND"] = "config.sentinel_cache.SentinelRedisCache"
        cache["OPTIONS"] |= {"master_name": master, "sentinel_password": sentinel_password}
    return cache
