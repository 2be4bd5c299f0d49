"""The benchmarks' shared set-up: a PostgreSQL database holding the demo organisation and N
synthetic cases (from `generate_cases`), created and loaded on first use and reused after."""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lantern_bench"


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCHMARK_DATABASE_URL", DEFAULT_DATABASE_URL),
    )
    return parser


def prepare(database_url: str, cases: int) -> None:
    """Points Django at the benchmark database (tasks in-process: the work is timed, not the
    broker), then makes sure it holds the demo organisation and `cases` synthetic cases."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    _create_database(database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import Service
    from cases.models import Case

    call_command("migrate", verbosity=0)
    if not Service.objects.exists():
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", verbosity=0, stdout=quiet)
    synthetic = Case.objects.filter(reference__startswith="SYN-").count()
    loaded = synthetic < cases
    if loaded:
        print(f"Loading {cases - synthetic} synthetic cases (once)...", flush=True)
        started = time.perf_counter()
        call_command(
            "generate_cases", cases=cases - synthetic, seed=synthetic + 1, years=2.0, workers=2
        )
        print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)
    _read_model_and_statistics(connection, analyse=loaded)


def _read_model_and_statistics(connection, *, analyse: bool) -> None:
    """The reporting read model holds a row for every case (generate_cases writes in bulk,
    without the receivers that keep it current), and the planner has statistics (a database
    copied from another has none: every plan is then a guess, 10 to 30 times too slow)."""
    from cases.models import Case
    from reporting.models import CaseFacts
    from reporting.read_model import rebuild

    if CaseFacts.objects.count() != Case.objects.count():
        print("Rebuilding the reporting read model (once)...", flush=True)
        started = time.perf_counter()
        rebuild()
        print(f"  rebuilt in {time.perf_counter() - started:.0f} s", flush=True)
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'cases_case' "
            "AND last_analyze IS NULL AND last_autoanalyze IS NULL"
        )
        (never_analysed,) = cursor.fetchone()
        if analyse or never_analysed:
            print("Analysing the database (once)...", flush=True)
            cursor.execute("VACUUM ANALYZE")


def _create_database(url: str) -> None:
    """Creates the benchmark database on first use (PostgreSQL only)."""
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
