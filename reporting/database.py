"""Where and how reporting statements run: on the reporting database (a read replica, when
REPORTING_DATABASE_URL is set) and with one set of statement settings, the same for every
report (the Insights tables, Safety in Numbers, the MARAC table, the impact figures).

`reporting_reads()` is the one context a report runs in: a transaction on the reporting alias
with JIT off and enough work_mem, and, for as long as it lasts, config.routers.ReportingRouter
sends this thread's ORM reads to that alias. Raw SQL asks `reporting_connection()`.
"""

import contextvars
import functools
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

REPORTING_ALIAS = "reporting"

# Set while a report runs on this thread (contextvars: a report's worker threads copy it).
_reading_for_a_report: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "reading_for_a_report", default=False
)

# PostgreSQL's settings for every reporting statement. Reports are one-off wide aggregates:
# compiling them (JIT) cost about 3 s of a 4-5 s page and saves nothing; their sorts and hashes
# (a year's assessments, say) fit in memory instead of spilling to disk. The Insights run's
# temporary tables are analysed from a sample of 3,000 rows (statistics target 10, instead of
# 100's 30,000): at 100,000 cases every statement's plan is the same and the ANALYZEs take a
# tenth of the time. Nothing else a report runs reads that setting.
STATEMENT_SETTINGS = (("jit", "off"), ("work_mem", "64MB"), ("default_statistics_target", "10"))


def reporting_alias() -> str:
    """The database alias reports read: the replica when one is configured, else default."""
    if getattr(settings, "REPORTING_DATABASE_URL", "") and REPORTING_ALIAS in settings.DATABASES:
        return REPORTING_ALIAS
    return DEFAULT_DB_ALIAS


def reporting_connection():
    return connections[reporting_alias()]


def in_report() -> bool:
    return _reading_for_a_report.get()


def apply_statement_settings(connection) -> None:
    """SET LOCAL the reporting settings (this transaction only) on a PostgreSQL connection."""
    if connection.vendor != "postgresql":
        return
    # set_config(..., true) is SET LOCAL with a bound value; the names are the code's own. All
    # in one statement: one round trip per transaction, not one per setting.
    calls = ", ".join(["set_config(%s, %s, true)"] * len(STATEMENT_SETTINGS))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls}", [part for pair in STATEMENT_SETTINGS for part in pair])


@contextmanager
def reporting_reads(*, repeatable_read: bool = False, snapshot: str = ""):
    """A report's reads: one transaction on the reporting alias with the statement settings,
    ORM reads routed there. Nested use joins the outer one. `repeatable_read`: one snapshot for
    every statement (and `snapshot`: the one another transaction exported)."""
    alias = reporting_alias()
    connection = connections[alias]
    if in_report() and connection.in_atomic_block and not (repeatable_read or snapshot):
        yield connection
        return
    token = _reading_for_a_report.set(True)
    try:
        with transaction.atomic(using=alias):
            if connection.vendor == "postgresql" and (repeatable_read or snapshot):
                with connection.cursor() as cursor:
                    # Before any other statement of the transaction, as PostgreSQL requires.
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    if snapshot:
                        cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            apply_statement_settings(connection)
            yield connection
    finally:
        _reading_for_a_report.reset(token)


def in_reporting_reads(function):
    """Runs a reporting function inside reporting_reads() (its own, or the caller's)."""

    @functools.wraps(function)
    def wrapped(*args, **kwargs):
        with reporting_reads():
            return function(*args, **kwargs)

    return wrapped


def run_beside(pool_size: int = 1):
    """A thread pool whose work runs in a copy of the caller's context (so a report's routing
    goes with it) and closes its database connections when done: for work run beside the
    caller's on a connection of its own."""
    return _ContextPool(max_workers=pool_size)


class _ContextPool(ThreadPoolExecutor):
    def submit(self, function, /, *args, **kwargs):
        context = contextvars.copy_context()

        def run():
            try:
                return context.run(function, *args, **kwargs)
            finally:
                for connection in connections.all(initialized_only=True):
                    connection.close()

        return super().submit(run)
