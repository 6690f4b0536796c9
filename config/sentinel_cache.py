"""Django's Redis cache through Redis Sentinel (`REDIS_URL=sentinel://…`, config/redis_urls.py).

Django's `RedisCache` takes several servers as primary plus read replicas, each reached by
its URL; a Sentinel group is one master found through any of its sentinels. This client
builds that one pool with redis-py's `redis.sentinel.Sentinel`: every read and write goes to
the master the sentinels name, and a connection that fails asks them again (a failover is
followed without a restart)."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.sentinel import Sentinel

from config.redis_urls import parse_sentinel_url, sentinel_kwargs


class SentinelCacheClient(RedisCacheClient):
    def __init__(self, servers, *, master_name: str, sentinel_password: str = "", **options):
        super().__init__(servers, **options)
        # RedisCache split LOCATION on ';': the sentinels, put back together.
        self._sentinel_url = parse_sentinel_url(";".join(servers))
        self._master_name = master_name
        self._sentinel_password = sentinel_password

    def _get_connection_pool(self, write):
        if 0 not in self._pools:
            parsed = self._sentinel_url
            manager = Sentinel(
                list(parsed.sentinels),
                sentinel_kwargs=sentinel_kwargs(self._sentinel_password, self._pool_options),
                **self._pool_options,
            )
            master = {"db": parsed.db}
            if parsed.username:
                master["username"] = parsed.username
            if parsed.password:
                master["password"] = parsed.password
            self._pools[0] = manager.master_for(self._master_name, **master).connection_pool
        return self._pools[0]


class SentinelRedisCache(RedisCache):
    """`CACHES` backend for a Sentinel `LOCATION`; OPTIONS `master_name` (required) and
    `sentinel_password`, besides RedisCache's own."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SentinelCacheClient
