"""Settings for the gunicorn that benchmarks/load.py starts: the test settings (DEBUG off, real
PostgreSQL and Redis, the quick password hasher) with production's persistent connections, and
one measuring middleware, outermost, that appends for each request the page's name, the
worker's CPU time spent on it (time.process_time) and its SQL statements to
LANTERN_LOAD_MEASUREMENTS.<pid>, under the page name Locust sends (X-Load-Page) or the
URL's name. Nothing identifying is written: names, not URLs.
"""

import os
import time

from django.db import connection
from django.urls import Resolver404, resolve

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES, MIDDLEWARE

DEBUG = False
# As production: a worker keeps its database connection between requests.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
MIDDLEWARE = ["load_settings.MeasureRequests", *MIDDLEWARE]
LOGGING = {"version": 1, "disable_existing_loggers": False}


class MeasureRequests:
    """CPU time and SQL statements per request, appended to a file of this worker's."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.path = f"{os.environ['LANTERN_LOAD_MEASUREMENTS']}.{os.getpid()}"

    def __call__(self, request):
        statements = 0

        def count(execute, sql, params, many, context):
            nonlocal statements
            statements += 1
            return execute(sql, params, many, context)

        started = time.process_time()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        cpu = time.process_time() - started
        page = request.headers.get("X-Load-Page") or _url_name(request)
        with open(self.path, "a") as measurements:
            measurements.write(f"{page}\t{response.status_code}\t{cpu * 1000:.2f}\t{statements}\n")
        return response


def _url_name(request) -> str:
    try:
        return f"{request.method} {resolve(request.path_info).url_name}"
    except Resolver404:
        return f"{request.method} -"
