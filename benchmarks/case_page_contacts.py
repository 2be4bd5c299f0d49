"""Times the case page for a case with 10 contacts and one with 300 (issue 18, item 6).

    .venv/bin/python benchmarks/case_page_contacts.py [--database-url URL] [--runs 20]
        [--largest-first]

Makes (in its own database, created on first use; later runs reuse them) a service, a
caseworker and two cases, one with 10 contacts and one with 300, then asks for each case page
`runs` times as the signed-in caseworker and prints, for each: the number of SQL queries, the
median and best times, the median CPU time of this process per page (the view, the test
client and the query capture), and the contact entries the page shows, with the machine's
load average (os.getloadavg) before and after, since other work on the machine moves the
times. The queries
must be the same for both cases and the times close: the page shows the latest five contacts and
a first page of the timeline.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lantern_bench_contacts"
SIZES = (10, 300)
SERVICE_CODE = "BENCHCP"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCHMARK_DATABASE_URL", DEFAULT_DATABASE_URL),
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--largest-first", action="store_true", help="time the 300-contact case first"
    )
    args = parser.parse_args()

    from bench_data import _create_database

    os.environ["DATABASE_URL"] = args.database_url
    # The test settings: real PostgreSQL and Redis, no debug toolbar, the test password hasher.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    _create_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from accounts.audit import audited_bulk_write
    from accounts.models import Role, Service
    from cases.models import Case, Contact
    from tests.factories import CaseFactory, MembershipFactory, ServiceFactory
    from tests.signin import sign_in_with_second_factor

    setup_test_environment()  # responses carry their context; the test client's host allowed
    service = Service.objects.filter(code=SERVICE_CODE).first()
    if service is None:
        service = ServiceFactory(code=SERVICE_CODE, name="Benchmark: case page contacts")
        MembershipFactory(
            service=service, role=Role.CASEWORKER, user__email="bench-contacts@example.test"
        )
    caseworker = service.memberships.get(role=Role.CASEWORKER).user
    now = timezone.now()
    cases = {}
    for size in SIZES:
        reference = f"BENCH-CONTACTS-{size}"
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            case = CaseFactory(service=service, caseworker=caseworker, reference=reference)
            with audited_bulk_write(actor=caseworker, description="benchmark contacts"):
                Contact.objects.bulk_create(
                    Contact(
                        case=case,
                        recorded_by=caseworker,
                        contact_type="face_to_face",
                        occurred_at=now - datetime.timedelta(hours=7 * n + 1),
                        notes=f"Benchmark contact {n}.",
                    )
                    for n in range(size)
                )
        cases[size] = case

    web = sign_in_with_second_factor(Client(), caseworker)
    web.get(reverse("home"))
    print(f"load average before: {_load()}")
    order = sorted(cases, reverse=args.largest_first)
    for size in order:
        case = cases[size]
        url = reverse("cases:case_detail", args=[case.pk])
        web.get(url)  # warm
        times, cpu = [], []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = web.get(url)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
            if response.status_code != 200:
                raise SystemExit(f"The case page answered {response.status_code}.")
        # Entries naming a contact: the latest-contacts table and the timeline's first page.
        shown = response.content.decode().count("Benchmark contact")
        print(
            f"{size:>4} contacts: {len(queries):>3} queries, median "
            f"{statistics.median(times) * 1000:7.1f} ms, best {min(times) * 1000:7.1f} ms, "
            f"CPU median {statistics.median(cpu) * 1000:5.1f} ms, "
            f"{shown} contact entries shown ({args.runs} runs)"
        )
    print(f"load average after:  {_load()}")


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
