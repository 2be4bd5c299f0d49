"""The Redis cache keeps one client per connection pool (config.cache): a page's cache calls do
not each build a new redis.Redis."""

from django.conf import settings
from django.core.cache import cache


def test_every_environment_uses_the_cache_that_keeps_its_client():
    assert settings.CACHES["default"]["BACKEND"] == "config.cache.RedisCache"
    production = (settings.BASE_DIR / "config" / "settings" / "production.py").read_text()
    assert '"BACKEND": "config.cache.RedisCache"' in production


def test_cache_calls_share_one_client_and_still_read_what_they_wrote():
    client = cache._cache.get_client(write=True)
    cache.set("cache-client-check", {"n": 1}, 30)
    assert cache.get("cache-client-check") == {"n": 1}
    assert cache.delete("cache-client-check")
    assert cache.get("cache-client-check") is None
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client  # one server: reads use the same pool
