"""Times `generate_cases` on a fresh PostgreSQL database: seed_demo, then N synthetic cases.

    .venv/bin/python benchmarks/generate_cases.py --cases 100000

Prints seconds, cases per second and the load average (the machine is shared and noisy). The
database (`lantern_bench_import_gen` unless told otherwise) is dropped and created each run.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lantern_bench_import_gen"


def _fresh_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    options = parser.parse_args()

    _fresh_database(options.database_url)
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", verbosity=0, stdout=quiet)

    load_before = os.getloadavg()
    started = time.perf_counter()
    call_command("generate_cases", cases=options.cases, years=2.0, workers=2)
    seconds = time.perf_counter() - started
    print(
        f"generate_cases: {options.cases} cases in {seconds:.1f} s = "
        f"{options.cases / seconds:.0f} cases/s; load average before {load_before[0]:.2f}, "
        f"after {os.getloadavg()[0]:.2f} (1 min)"
    )


if __name__ == "__main__":
    main()
