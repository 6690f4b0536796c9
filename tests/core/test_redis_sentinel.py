"""Redis Sentinel through REDIS_URL (issue 12, "Past one machine"): the settings read a
`sentinel://` URL, and the broker and the shared cache both find the master through the
sentinels. A real master and a real sentinel (tests/sentinels.py), no worker: the published
tasks are read off the master's queues."""

import runpy
from contextlib import contextmanager

import pytest
from celery import current_app
from django.core.cache import CacheHandler
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from config.env import BASE_DIR
from config.redis_urls import SentinelURL, parse_sentinel_url
from core import refcache
from core.tasks import broker_backoff_reset, send_task_now
from tests.brokers import _free_port
from tests.sentinels import (
    MASTER_NAME,
    MASTER_PASSWORD,
    SENTINEL_PASSWORD,
    PasswordRedis,
    PrivateSentinel,
)


@pytest.fixture(scope="module")
def sentinel_group(tmp_path_factory):
    directory = tmp_path_factory.mktemp("sentinel")
    master = PasswordRedis(directory, MASTER_PASSWORD)
    master.start()
    sentinel = PrivateSentinel(directory, master)
    try:
        sentinel.start()
        yield master, sentinel
    finally:
        sentinel.stop()
        master.stop()


def portal_settings(monkeypatch, **environment) -> dict:
    """The base settings module, run afresh with this environment (what every process of
    the portal reads)."""
    for name in ("REDIS_URL", "REDIS_SENTINEL_MASTER", "REDIS_SENTINEL_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_DIR / "config" / "settings" / "base.py"))


def sentinel_settings(monkeypatch, master, sentinel) -> dict:
    # a sentinel that is down first: the next one is asked
    return portal_settings(
        monkeypatch,
        REDIS_URL=f"sentinel://:{MASTER_PASSWORD}@127.0.0.1:{_free_port()}/3;"
        f"sentinel://127.0.0.1:{sentinel.port}/3",
        REDIS_SENTINEL_MASTER=MASTER_NAME,
        REDIS_SENTINEL_PASSWORD=SENTINEL_PASSWORD,
    )


def test_sentinel_url_is_parsed_with_one_or_several_sentinels(monkeypatch):
    assert parse_sentinel_url("sentinel://10.0.0.1") == SentinelURL(
        sentinels=(("10.0.0.1", 26379),)
    )
    several = parse_sentinel_url(
        "sentinel://:p%40ss@10.0.0.1:26380/2; sentinel://10.0.0.2:26381;sentinel://[::1]:5/2"
    )
    assert several == SentinelURL(
        sentinels=(("10.0.0.1", 26380), ("10.0.0.2", 26381), ("::1", 5)),
        db=2,
        password="p@ss",
    )
    # kombu reads the database and the credentials from the first entry only
    assert several.broker_url() == (
        "sentinel://:p%40ss@10.0.0.1:26380/2;sentinel://10.0.0.2:26381;sentinel://[::1]:5"
    )
    # credentials and database given on a later entry count too
    assert parse_sentinel_url("sentinel://a:1;sentinel://u:pw@b:2/4") == SentinelURL(
        sentinels=(("a", 1), ("b", 2)), db=4, username="u", password="pw"
    )
    for wrong, words in [
        ("sentinel://a:1;redis://b:6379/0", "not a sentinel://host:port entry"),
        ("sentinel://a:1/x", "the path is the database number"),
        ("sentinel://a:1/1;sentinel://b:2/2", "disagree on the database"),
        ("sentinel://a:port", "is not a URL"),
        (" ; ", "at least one sentinel"),
    ]:
        with pytest.raises(ImproperlyConfigured, match=words):
            parse_sentinel_url(wrong)

    # what the settings make of it: Celery's broker on kombu's sentinel transport with the
    # master's name, the shared cache through Sentinel too
    settings = portal_settings(
        monkeypatch,
        REDIS_URL="sentinel://:pw@10.0.0.1:26379/1;sentinel://10.0.0.2:26379",
        REDIS_SENTINEL_MASTER="portal",
    )
    assert settings["CELERY_BROKER_URL"] == (
        "sentinel://:pw@10.0.0.1:26379/1;sentinel://10.0.0.2:26379"
    )
    options = settings["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["master_name"] == "portal"
    assert options["visibility_timeout"] == 5 * 3600 and options["socket_timeout"] == 2
    sentinels = options["sentinel_kwargs"]
    assert (sentinels["socket_connect_timeout"], sentinels["socket_timeout"]) == (1, 2)
    assert "password" not in sentinels
    cache = settings["CACHES"]["default"]
    assert cache["BACKEND"] == "config.sentinel_cache.SentinelRedisCache"
    assert cache["OPTIONS"]["master_name"] == "portal"
    # the default group name, and a plain Redis URL unchanged
    assert portal_settings(monkeypatch, REDIS_URL="sentinel://h")[
        "CELERY_BROKER_TRANSPORT_OPTIONS"
    ]["master_name"] == ("mymaster")
    plain = portal_settings(monkeypatch, REDIS_URL="redis://127.0.0.1:6379/2")
    assert plain["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/2"
    assert "master_name" not in plain["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert plain["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    with pytest.raises(ImproperlyConfigured, match="not a sentinel"):
        portal_settings(monkeypatch, REDIS_URL="sentinel://a:1;redis://b")


@contextmanager
def celery_on(settings: dict):
    """This process's Celery app on these settings' broker (connection pools rebuilt)."""
    app = current_app
    saved = app.conf.broker_url, app.conf.broker_transport_options
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = settings["CELERY_BROKER_URL"]
    app.conf.broker_transport_options = settings["CELERY_BROKER_TRANSPORT_OPTIONS"]
    broker_backoff_reset()
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.broker_url, app.conf.broker_transport_options = saved
        broker_backoff_reset()


def test_tasks_published_through_the_sentinels_land_on_the_master(monkeypatch, sentinel_group):
    master, sentinel = sentinel_group
    queues = master.client(3)
    queues.flushdb()
    with celery_on(sentinel_settings(monkeypatch, master, sentinel)):
        assert send_task_now("escalation.sweep") is True
        assert send_task_now("dashboard.summary_refresh") is True
    # the clock task on its own queue, the other on the default one; in the URL's database
    assert (queues.llen("clocks"), queues.llen("celery")) == (1, 1)
    assert master.client(0).dbsize() == 0


def test_shared_cache_through_the_sentinels_is_the_masters(monkeypatch, sentinel_group):
    master, sentinel = sentinel_group
    settings = sentinel_settings(monkeypatch, master, sentinel)
    data = master.client(3)
    data.flushdb()
    cache = CacheHandler(settings["CACHES"])["default"]
    cache.set("probe", "written through sentinel", timeout=60)
    assert cache.get("probe") == "written through sentinel"
    assert data.exists("portal:1:probe")

    # the reference tables' version (core/refcache.py): bumped on the master, read back
    with override_settings(CACHES=settings["CACHES"]):
        refcache.invalidate()
        first = refcache._shared_version()
        refcache.invalidate()
        assert refcache._shared_version() == first + 1
    assert int(data.get(f"portal:1:{refcache.VERSION_KEY}")) == first + 1


def test_the_broker_and_the_cache_follow_a_failover(monkeypatch, tmp_path):
    """The master fails over to its replica (as the sentinels decide when it dies; here
    asked for, then the old master is killed): the next task and the next cache write go to
    the new master, with no restart and no change of settings."""
    master = PasswordRedis(tmp_path, MASTER_PASSWORD)
    replica = PasswordRedis(tmp_path, MASTER_PASSWORD, replica_of=master)
    sentinel = PrivateSentinel(tmp_path, master)
    try:
        for server in (master, replica, sentinel):
            server.start()
        settings = sentinel_settings(monkeypatch, master, sentinel)
        cache = CacheHandler(settings["CACHES"])["default"]
        with celery_on(settings):
            assert send_task_now("escalation.sweep") is True
            cache.set("before", 1)
            old = master.client(3)
            assert old.llen("clocks") == 1 and old.exists("portal:1:before")

            sentinel.fail_over()
            assert sentinel.master_port() == replica.port
            master.stop()
            new = replica.client(3)
            replicated = new.llen("clocks")  # the first task, if it was copied in time

            assert send_task_now("escalation.sweep") is True
            cache.set("after", 2)
            assert cache.get("after") == 2
        assert new.llen("clocks") == replicated + 1 and new.exists("portal:1:after")
    finally:
        for server in (sentinel, replica, master):
            server.stop()
