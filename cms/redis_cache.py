"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's client makes a new ``redis.Redis`` for every cache operation, and
building one (it fills a table of response callbacks) costs about as much as
the round trip to Redis. A ``redis.Redis`` holds no connection of its own and is
safe to share between threads, so one per pool serves every request.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
