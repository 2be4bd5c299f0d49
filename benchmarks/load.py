"""Pages under load (issue 20, target 5): twenty caseworkers against gunicorn and PostgreSQL.

    .venv/bin/python benchmarks/load.py [--database-url URL] [--redis-url URL] [--users 20]
        [--spawn-rate 5] [--run-time 60] [--workers 2] [--port 8765] [--caseload 25]

The database must hold the demo organisation and synthetic cases (benchmarks/bench_data.py
loads them; any number of cases). The benchmark, in order:

1. Migrates it, and makes (once; later runs reuse them) `--users` caseworkers with TOTP in the
   demo service with the most cases, each with a caseload of `--caseload` of its open cases
   (allocated by a team leader through cases.services.case_allocate), and two cases of that
   service with 10 and 300 contacts (the timeline pages).
2. Signs each caseworker in as the tests do (tests/signin.py: password and TOTP recorded in the
   session) and counts, in this process, the SQL statements of each page.
3. Starts gunicorn (config/gunicorn.py, `--workers` workers, benchmarks/load_settings.py: the
   test settings with DEBUG off and persistent connections) on 127.0.0.1:`--port`, and runs
   Locust headless (benchmarks/load_locustfile.py): `--users` caseworkers for `--run-time`
   seconds, each waiting 1-3 s between pages: the dashboard, case pages, the timelines (first
   and later pages), logging a contact (form and POST) and a search.
4. Prints for each page p50, p95 and p99 (Locust's), the server's CPU time per request (each
   worker's time.process_time() around the request) and the SQL statements per request, the
   workers' CPU time from /proc divided by the requests they served, and os.getloadavg()
   before and after (the machine is shared: other work moves the times).

gunicorn is stopped at the end whatever happens.
"""

import argparse
import csv
import datetime
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCHMARKS))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lantern_bench_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/7"
CASEWORKER_EMAIL = "load-caseworker-{:02d}@bench.lantern.test"
TEAM_LEADER_EMAIL = "load-team-leader@bench.lantern.test"
TIMELINE_SIZES = (10, 300)
TIMELINE_REFERENCE = "LOAD-CONTACTS-{}"
# The targets (issue 20, target 5).
P95_TARGET_MS = 150
CASE_PAGE_QUERIES = 25
CASE_PAGE_CPU_MS = 30


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCHMARK_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--run-time", type=int, default=60, help="seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--caseload", type=int, default=25)
    args = parser.parse_args()
    if not 1 <= args.users <= 200 or not 1 <= args.run_time <= 1800:
        raise SystemExit("--users must be 1-200 and --run-time 1-1800 seconds.")

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["REDIS_URL"] = args.redis_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    work = Path(tempfile.mkdtemp(prefix="lantern-load-"))
    try:
        plan = prepare(args)
        print(f"service {plan['service']}: {plan['cases']} cases; {args.users} caseworkers")
        queries = count_queries(plan)
        plan_path = work / "plan.json"
        plan_path.write_text(json.dumps(plan))
        run(args, plan, plan_path, work, queries)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- 1. Caseworkers, caseloads and the timeline cases ----------------------------------------


def prepare(args) -> dict:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.db.models import Count, F
    from django.test import Client
    from django.utils import timezone

    from accounts.audit import audited_bulk_write
    from accounts.models import Membership, Role, Service, User
    from cases import services as case_services
    from cases.models import Case, Contact
    from cases.models import Client as Client_
    from tests.factories import CaseFactory
    from tests.signin import sign_in_with_second_factor

    service = (
        Service.objects.annotate(case_count=Count("cases")).order_by("-case_count", "pk").first()
    )
    if service is None or service.case_count == 0:
        raise SystemExit("No cases: load the demo and synthetic cases (benchmarks/bench_data.py).")

    def member(email, role, name):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=None, full_name=name)
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, generate_totp_secret())
        Membership.objects.get_or_create(user=user, service=service, defaults={"role": role})
        return user

    team_leader = member(TEAM_LEADER_EMAIL, Role.TEAM_LEADER, "Load Team Leader")
    caseworkers = [
        member(CASEWORKER_EMAIL.format(n), Role.CASEWORKER, f"Load Caseworker {n}")
        for n in range(1, args.users + 1)
    ]
    open_cases = Case.objects.filter(
        service=service, status=Case.Status.OPEN, is_restricted=False
    ).order_by("-opened_on", "pk")
    # Unallocated cases first; a database whose generator allocated them all gives others'.
    unallocated = iter(
        open_cases.exclude(caseworker__in=caseworkers)
        .order_by(F("caseworker").asc(nulls_first=True), "-opened_on", "pk")
        .values_list("pk", flat=True)
    )
    caseloads = {}
    for caseworker in caseworkers:
        held = list(open_cases.filter(caseworker=caseworker).values_list("pk", flat=True))
        for pk in unallocated:
            if len(held) >= args.caseload:
                break
            case_services.case_allocate(
                case=Case.objects.get(pk=pk), actor=team_leader, caseworker=caseworker
            )
            held.append(pk)
        if not held:
            raise SystemExit(f"No open case left to allocate to {caseworker.email}.")
        caseloads[caseworker.pk] = held

    now = timezone.now()
    timeline_cases = {}
    for size in TIMELINE_SIZES:
        reference = TIMELINE_REFERENCE.format(size)
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            case = CaseFactory(service=service, caseworker=caseworkers[0], reference=reference)
            with audited_bulk_write(actor=team_leader, description="load benchmark contacts"):
                Contact.objects.bulk_create(
                    Contact(
                        case=case,
                        recorded_by=caseworkers[0],
                        contact_type="face_to_face",
                        occurred_at=now - datetime.timedelta(hours=7 * n + 2),
                        notes=f"Load benchmark contact {n}.",
                    )
                    for n in range(size)
                )
        timeline_cases[str(size)] = case.pk

    # What caseworkers search for: the service's commonest surnames (synthetic clients may have
    # none) and case references.
    search_names = list(
        Client_.objects.filter(service=service, last_name__regex=r"\w\w")
        .values("last_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "last_name")
        .values_list("last_name", flat=True)[:8]
    )
    search_names += list(open_cases.values_list("reference", flat=True)[:2])
    sessions = []
    for caseworker in caseworkers:
        web = sign_in_with_second_factor(Client(), caseworker)
        sessions.append(
            {
                "email": caseworker.email,
                "session": web.cookies[settings.SESSION_COOKIE_NAME].value,
                "caseload": caseloads[caseworker.pk],
            }
        )
    contact_moment = timezone.localtime(now - datetime.timedelta(hours=1))
    return {
        "service": service.code,
        "cases": service.case_count,
        "session_cookie_name": settings.SESSION_COOKIE_NAME,
        "caseworkers": sessions,
        "timeline_cases": timeline_cases,
        "search_names": search_names,
        "contact_moment": contact_moment.strftime("%Y-%m-%dT%H:%M"),
    }


# --- 2. SQL statements per page, in this process ---------------------------------------------


def pages(plan) -> list[tuple[str, str, str, dict | None]]:
    """(name, method, url, data) of each page the caseworkers open (as load_locustfile names
    them). POSTs that write (log contact) are left out here: Locust times them."""
    caseload = plan["caseworkers"][0]["caseload"]
    ten, three_hundred = plan["timeline_cases"]["10"], plan["timeline_cases"]["300"]
    return [
        ("dashboard", "get", "/", None),
        ("case page", "get", f"/cases/{caseload[0]}/", None),
        ("case page, 10 contacts", "get", f"/cases/{ten}/", None),
        ("case page, 300 contacts", "get", f"/cases/{three_hundred}/", None),
        ("timeline, 10 contacts", "get", f"/cases/{ten}/timeline/", None),
        ("timeline, 300 contacts", "get", f"/cases/{three_hundred}/timeline/", None),
        (
            "timeline, 300 contacts, later page",
            "get",
            f"/cases/{three_hundred}/timeline/",
            {"page": 5},
        ),
        ("log contact (form)", "get", f"/cases/{caseload[0]}/contacts/new/", None),
        ("search (form)", "get", "/cases/search/", None),
        ("search (results)", "post", "/cases/search/", {"query": plan["search_names"][0]}),
    ]


def count_queries(plan) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from accounts.models import User
    from tests.signin import sign_in_with_second_factor

    setup_test_environment()  # the test client's host allowed
    # A session of its own: the caseworkers' sessions are Locust's.
    user = User.objects.get(email=plan["caseworkers"][0]["email"])
    web = sign_in_with_second_factor(Client(), user)
    counts = {}
    for name, method, url, data in pages(plan):
        getattr(web, method)(url, data)  # warm: the session's first activity, lookups cached
        with CaptureQueriesContext(connection) as queries:
            response = getattr(web, method)(url, data)
        if response.status_code != 200:
            raise SystemExit(f"{name} answered {response.status_code} in the set-up check.")
        if method == "post" and response.context.get("results") is None:
            raise SystemExit(f"{name}: the search did not run (its form was refused).")
        counts[name] = len(queries)
    return counts


# --- 3 and 4. gunicorn, Locust, figures ------------------------------------------------------


def run(args, plan, plan_path, work, queries):
    base_url = f"http://127.0.0.1:{args.port}"
    measurements = work / "measure"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "GUNICORN_WORKERS": str(args.workers),
        "LANTERN_LOAD_MEASUREMENTS": str(measurements),
        "LANTERN_LOAD_PLAN": str(plan_path),
    }
    venv_bin = Path(sys.executable).parent
    log = open(work / "gunicorn.log", "w")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(venv_bin / "gunicorn"),
            "config.wsgi:application",
            "-c",
            str(ROOT / "config" / "gunicorn.py"),
            "--pythonpath",
            str(BENCHMARKS),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_for(base_url, server, work)
        # Warm each worker (imports, templates, connections), then measure afresh.
        for _ in range(args.workers * 3):
            _fetch(base_url + "/accounts/login/", timeout=10)
        for stale in work.glob("measure.*"):
            stale.unlink()
        before = _load()
        cpu_before = _workers_cpu(server.pid)
        locust = subprocess.run(  # noqa: S603 - our own locust, fixed arguments
            [
                str(venv_bin / "locust"),
                "-f",
                str(BENCHMARKS / "load_locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.run_time}s",
                "--stop-timeout",
                "5",
                "--host",
                base_url,
                "--csv",
                str(work / "locust"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=args.run_time + 120,
        )
        cpu_after = _workers_cpu(server.pid)
        after = _load()
        if not (work / "locust_stats.csv").exists():
            print(locust.stdout[-3000:], locust.stderr[-3000:])
            raise SystemExit("Locust wrote no statistics.")
        report(args, work, queries, before, after, cpu_after - cpu_before)
        if locust.returncode not in (0, 1):  # 1: some requests failed, reported above
            print(locust.stderr[-3000:])
    finally:
        _stop(server)
        log.close()


def _wait_for(base_url, server, work):
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped:\n" + (work / "gunicorn.log").read_text()[-3000:])
        try:
            _fetch(base_url + "/accounts/login/", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer within a minute.")


def _fetch(url: str, *, timeout: float) -> None:
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("The benchmark only asks its own server.")
    urllib.request.urlopen(url, timeout=timeout).read()  # noqa: S310 - checked above


def _stop(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _workers_cpu(master_pid: int) -> float:
    """User and system CPU seconds of gunicorn's workers (the master's children), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:  # ppid
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _server_measurements(work) -> dict[str, list[tuple[float, int]]]:
    """(CPU ms, SQL statements) per request, by the page name Locust sent (X-Load-Page)."""
    by_page = defaultdict(list)
    for path in work.glob("measure.*"):
        for line in path.read_text().splitlines():
            page, _status, cpu, statements = line.split("\t")
            by_page[page].append((float(cpu), int(statements)))
    return by_page


def report(args, work, queries, before, after, workers_cpu):
    with open(work / "locust_stats.csv") as stats_file:
        rows = [row for row in csv.DictReader(stats_file) if row["Name"] != "Aggregated"]
    server = _server_measurements(work)
    served = sum(len(values) for values in server.values())
    print(
        f"\n{args.users} caseworkers, {args.run_time} s, {args.workers} gunicorn workers; "
        f"load average before: {before}"
    )
    header = (
        f"{'page':<36} {'reqs':>5} {'fail':>4} {'p50':>5} {'p95':>5} {'p99':>5}  "
        f"{'CPU ms':>6} {'CPU p95':>7} {'SQL':>4} {'max':>4} {'SQL*':>4}"
    )
    print(header)
    print("-" * len(header))
    missed = []
    for row in sorted(rows, key=lambda row: row["Name"]):
        name = row["Name"]
        measured = server.get(name, [])
        cpu = [value for value, _ in measured]
        statements = [value for _, value in measured]
        cpu_mean = statistics.fmean(cpu) if cpu else float("nan")
        cpu_p95 = _percentile(cpu, 95)
        print(
            f"{name:<36} {row['Request Count']:>5} {row['Failure Count']:>4} "
            f"{row['50%']:>5} {row['95%']:>5} {row['99%']:>5}  {cpu_mean:6.1f} {cpu_p95:7.1f} "
            f"{statistics.median_low(statements) if statements else '-':>4} "
            f"{max(statements) if statements else '-':>4} {queries.get(name, '-'):>4}"
        )
        if float(row["95%"] or 0) >= P95_TARGET_MS:
            missed.append(f"{name}: p95 {row['95%']} ms")
        if name.startswith("case page") and cpu_mean >= CASE_PAGE_CPU_MS:
            missed.append(f"{name}: {cpu_mean:.1f} ms CPU")
        if name.startswith("case page") and queries.get(name, 0) > CASE_PAGE_QUERIES:
            missed.append(f"{name}: {queries[name]} queries")
    print(
        "times in ms (Locust's percentiles); CPU: the worker's process time per request (mean, "
        "95th percentile); SQL: statements per request under load (median; max: the most, a "
        "session's once-a-minute activity write included); SQL*: counted in-process before the run"
    )
    if served:
        print(
            f"workers' CPU (/proc): {workers_cpu:.1f} s for {served} requests = "
            f"{workers_cpu / served * 1000:.1f} ms per request"
        )
    print(f"load average after: {after}")
    print("targets met" if not missed else "targets missed: " + "; ".join(missed))


def _percentile(values, percent):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))]


if __name__ == "__main__":
    main()
