"""What a restore must give back unchanged: the Insights report of a period, worked out afresh
(never a stored result), and case pages as a caseworker sees them.

Run in this process for the original database, and as
`python -m tests.dataprotection.snapshot CASE_ID... --user ID --from D --to D` (DATABASE_URL set
to the restored one) for the copy: Django knows one default database per process."""

import argparse
import datetime
import json
import re
import sys

# Values that differ between two renderings of the same page: per-request tokens and nonces.
PER_REQUEST = re.compile(
    r'((?:csrfmiddlewaretoken|csrf-token|nonce)"?\s*(?:value|content)?="?)[^"]*'
)


def snapshot(*, case_ids, user_id, start: datetime.date, end: datetime.date) -> dict:
    from django.test import Client

    from accounts.models import Service, User
    from reporting.insights.engine import ReportFilters
    from reporting.insights.output import report_json
    from reporting.insights.shown import insights_report
    from reporting.periods import Period
    from tests.signin import sign_in_with_second_factor

    filters = ReportFilters(
        service_ids=tuple(Service.objects.order_by("pk").values_list("pk", flat=True))
    )
    report = insights_report(
        period=Period(start, end), filters=filters, suppress_below=None, analyses=True
    )
    client = sign_in_with_second_factor(Client(), User.objects.get(pk=user_id))
    pages = {}
    for case_id in case_ids:
        for path in (f"/cases/{case_id}/", f"/cases/{case_id}/timeline/"):
            response = client.get(path)
            pages[path] = [response.status_code, PER_REQUEST.sub(r"\1", response.text)]
    return {"insights": report_json(report), "pages": pages}


def main() -> None:
    import django
    from django.test.utils import setup_test_environment

    parser = argparse.ArgumentParser()
    parser.add_argument("case_ids", type=int, nargs="+")
    parser.add_argument("--user", type=int, required=True)
    parser.add_argument("--from", dest="start", type=datetime.date.fromisoformat, required=True)
    parser.add_argument("--to", dest="end", type=datetime.date.fromisoformat, required=True)
    args = parser.parse_args()
    django.setup()
    # As under pytest: the test client's host allowed, e-mail kept in memory.
    setup_test_environment()
    found = snapshot(case_ids=args.case_ids, user_id=args.user, start=args.start, end=args.end)
    json.dump(found, sys.stdout, default=str)


if __name__ == "__main__":
    main()
