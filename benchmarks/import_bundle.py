"""Times import_cases on a bundle of N synthetic cases, into a fresh database.

    .venv/bin/python benchmarks/import_bundle.py --cases 20000
    .venv/bin/python benchmarks/import_bundle.py --cases 2000 \
        --source-url postgres://postgres@127.0.0.1:5432/mine_src \
        --target-url postgres://postgres@127.0.0.1:5432/mine_dst

1. `lantern_bench_import_src` (kept between runs; --source-url names another): seed_demo and N
   cases from generate_cases, exported once with export_cases (all the database's cases: the
   largest N asked for so far) to <source database>_N.jsonl in the temporary directory.
2. `lantern_bench_import_dst` (dropped and created each run; --target-url names another):
   migrate and seed_demo, so that the services, users, routes, option lists and checklists the
   bundle names exist.
3. The import, timed: lines, seconds, lines/s, queries per line, this process's CPU time per
   line, peak memory (ru_maxrss) and the load average (the machine is shared and noisy).

Each database is set up in its own process (Django knows one database per process).
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"
SOURCE = f"{SERVER}/lantern_bench_import_src"
TARGET = f"{SERVER}/lantern_bench_import_dst"
BENCH_USER = "bench.import@example.test"


def _database(url: str, *, fresh: bool) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        if fresh:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def _django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import Membership, Role, Service, User

    if not Service.objects.exists():
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", verbosity=0, stdout=quiet)
    # The same benchmark user on both sides: caseworker and manager of every service, so that it
    # may export and import every case.
    user = User.objects.filter(email=BENCH_USER).first() or User.objects.create_user(
        email=BENCH_USER
    )
    for service in Service.objects.all():
        for role in (Role.CASEWORKER, Role.SERVICE_MANAGER):
            Membership.objects.get_or_create(user=user, service=service, role=role)
    return call_command, user


def source(cases: int, bundle: Path, url: str) -> None:
    _database(url, fresh=False)
    call_command, admin = _django(url)
    from cases.models import Case

    have = Case.objects.filter(reference__startswith="SYN-").count()
    if have < cases:
        call_command("generate_cases", cases=cases - have, seed=have + 1, years=2.0)
    if not bundle.exists():
        call_command("export_cases", user=admin.email, output=str(bundle))


def target(bundle: Path, url: str) -> None:
    _database(url, fresh=True)
    call_command, admin = _django(url)
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    lines = sum(1 for _ in bundle.open("rb")) - 1
    load = os.getloadavg()
    started, cpu_started = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        call_command("import_cases", str(bundle), user=admin.email, unknown_users_as_me=True)
    seconds = time.perf_counter() - started
    # This process's CPU time (PostgreSQL's is not in it): less swayed than the wall time by
    # other work on a shared machine.
    cpu = time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"import_cases: {lines} lines in {seconds:.1f} s = {lines / seconds:.1f} lines/s; "
        f"{queries / max(lines, 1):.2f} queries per line; Python CPU {cpu:.1f} s "
        f"({1000 * cpu / max(lines, 1):.1f} ms per line); peak memory {peak:.0f} MiB; "
        f"load average before {load[0]:.2f}, after {os.getloadavg()[0]:.2f} (1 min)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--source-url", default=SOURCE, help="the database exported from")
    parser.add_argument("--target-url", default=TARGET, help="the database imported into")
    parser.add_argument("--phase", choices=["source", "target"], help=argparse.SUPPRESS)
    options = parser.parse_args()
    # The bundle is named after its source database too: two sources never share a file.
    source_name = options.source_url.rsplit("/", 1)[1]
    bundle = Path(tempfile.gettempdir()) / f"{source_name}_{options.cases}.jsonl"
    if options.phase == "source":
        source(options.cases, bundle, options.source_url)
    elif options.phase == "target":
        target(bundle, options.target_url)
    else:
        urls = ["--source-url", options.source_url, "--target-url", options.target_url]
        for phase in ("source", "target"):
            subprocess.run(  # noqa: S603 - this script, with its own arguments
                [sys.executable, __file__, "--cases", str(options.cases), "--phase", phase, *urls],
                check=True,
            )


if __name__ == "__main__":
    main()
