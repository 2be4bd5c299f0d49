"""Each pytest-xdist worker has a Redis database of its own (config/settings/test.py): every test
starts with cache.clear(), which flushes the whole database, Celery's queues with it."""

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.settings.test import redis_url_for_xdist_worker


def test_each_worker_counts_up_from_the_given_database():
    url = "redis://127.0.0.1:6379/5"

    assert redis_url_for_xdist_worker(url, "gw0") == "redis://127.0.0.1:6379/5"
    assert redis_url_for_xdist_worker(url, "gw3") == "redis://127.0.0.1:6379/8"
    assert redis_url_for_xdist_worker("redis://localhost", "gw1") == "redis://localhost/1"


def test_a_worker_past_the_last_database_is_refused_by_name():
    with pytest.raises(ImproperlyConfigured, match="gw2 would use Redis database 16"):
        redis_url_for_xdist_worker("redis://127.0.0.1:6379/14", "gw2")


def test_cache_broker_and_results_share_the_workers_database():
    assert settings.CACHES["default"]["LOCATION"] == settings.REDIS_URL
    assert settings.CELERY_BROKER_URL == settings.REDIS_URL
    assert settings.CELERY_RESULT_BACKEND == settings.REDIS_URL
