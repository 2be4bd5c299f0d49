"""Django's Redis cache, keeping one Redis client per connection pool.

Django's client makes a new redis.Redis for every cache call; redis-py builds its table of
response callbacks (a few hundred entries) in each one. Every signed-in request asks the cache
three times (the session, whether the user has TOTP, the screen lock), so that table was built
three times a request. A client over a connection pool is safe to share between threads, and
Django keeps one cache object per thread anyway.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient
