"""Times the search page's name search and the duplicate check, and prints their query plans.

    .venv/bin/python benchmarks/search_plan.py [--cases 100000] [--database-url URL]

Uses the benchmark database of bench_data (the demo organisation and N synthetic cases). For a
surname misspelt (a letter dropped), a first name changed and a case reference, prints the
plan of the name queries (EXPLAIN ANALYZE: the GIN trigram indexes of migration cases 0010,
not a scan of every client), the time of the whole search and of the duplicate check (best of
the runs), and beside them the time of the %LIKE% scan the search used before. The machine's
load average (os.getloadavg) is printed before and after: timings on a busy machine are slower.
"""

import os
import time

from bench_data import arguments, prepare


def best_of(runs, work):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    prepare(args.database_url, args.cases)

    from django.db import connection

    from accounts.models import Membership, Role
    from cases import selectors
    from cases.models import Case, Client

    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    membership = (
        Membership.objects.filter(role=Role.CASEWORKER, read_only=False)
        .select_related("user", "service")
        .order_by("pk")
        .first()
    )
    user, service = membership.user, membership.service
    case = (
        selectors.cases_visible_to(user)
        .exclude(client__last_name="")
        .select_related("client")
        .order_by("pk")
        .first()
    )
    client = case.client
    misspelt = client.last_name[:-2] + client.last_name[-1:]
    provider_ids = [client.provider_id]
    print(
        f"database: {connection.vendor}, clients: {Client.objects.count():,}, "
        f"cases: {Case.objects.count():,}; searching as a caseworker of one service, "
        f"who may see {selectors.cases_visible_to(user).count():,} cases"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_client")
        cursor.execute("ANALYZE cases_clientalias")

    for label, query in (
        ("misspelt surname", misspelt),
        ("first name changed, surname misspelt", f"{client.first_name[:3]}ie {misspelt}"),
        ("case reference", case.reference),
    ):
        by_name, by_alias = selectors._name_queries(provider_ids, query)
        print(f"\n== {label} ==")
        print("plan, names:\n" + by_name.explain(analyze=True))
        print("plan, other names (aliases):\n" + by_alias.explain(analyze=True))
        results = selectors.search_results(user, query, service=service)
        search = best_of(
            args.runs, lambda q=query: selectors.search_results(user, q, service=service)
        )
        print(
            f"search: {len(results.cases)} cases, {len(results.others)} referrals; "
            f"best {search * 1000:.1f} ms"
        )

    def duplicate_check():
        return selectors.client_matches_for(
            user,
            provider=client.provider,
            first_name=client.first_name,
            last_name=misspelt,
            date_of_birth=client.date_of_birth,
        )

    matches = duplicate_check()
    check = best_of(args.runs, duplicate_check)
    print(f"\nduplicate check: {len(matches.shown)} shown; best {check * 1000:.1f} ms")

    with connection.cursor() as cursor:

        def old_scan():
            cursor.execute(
                "SELECT count(*) FROM cases_client WHERE UPPER(last_name::text) LIKE UPPER(%s)",
                [f"%{misspelt}%"],
            )
            return cursor.fetchone()

        scan = best_of(args.runs, old_scan)
    print(f"before: the %LIKE% scan of every client alone, best {scan * 1000:.1f} ms")
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
