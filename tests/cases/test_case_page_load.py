"""Pages under load (issue 20, target 5): the case page in at most 25 queries whatever the
length of the case's history, the dashboard and search whatever the number of cases, the
timeline a page at a time, and no write on a page view but its audit row."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audited_bulk_write
from cases import selectors
from cases.models import Contact
from tests.factories import CaseFactory, ClientFactory

CASE_PAGE_MOST_QUERIES = 25


def _bulk_contacts(case, actor, count):
    now = timezone.now()
    with audited_bulk_write(actor=actor, description="test contacts"):
        Contact.objects.bulk_create(
            Contact(
                case=case,
                recorded_by=actor,
                contact_type="face_to_face",
                occurred_at=now - datetime.timedelta(hours=7 * n + 1),
                notes=f"Contact number {n}",
            )
            for n in range(count)
        )


def _measured(web, url, method="get", data=None, **headers):
    getattr(web, method)(url, data, **headers)  # the session's first activity, caches warmed
    with CaptureQueriesContext(connection) as queries:
        response = getattr(web, method)(url, data, **headers)
    assert response.status_code == 200
    return queries, response


def _writes(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


@pytest.fixture
def web(client_for, caseworker):
    signed_in = client_for(caseworker)
    signed_in.get(reverse("home"))
    return signed_in


def test_the_case_page_takes_at_most_25_queries_for_10_contacts_or_300(web, service, caseworker):
    counts, panel_counts = {}, {}
    for size in (10, 300):
        case = CaseFactory(service=service, caseworker=caseworker)
        _bulk_contacts(case, caseworker, size)
        queries, response = _measured(web, reverse("cases:case_detail", args=[case.pk]))
        counts[size] = len(queries)
        assert len(response.context["latest_contacts"]) == selectors.LATEST_CONTACTS
        assert response.context["contact_counts"]["total"] == size
        # The timeline panel, which the page asks for once shown (htmx): its first page.
        timeline_url = reverse("cases:case_timeline", args=[case.pk])
        assert f'hx-get="{timeline_url}"' in response.content.decode()
        panel_queries, panel = _measured(web, timeline_url, HTTP_HX_REQUEST="true")
        panel_counts[size] = len(panel_queries)
        timeline = panel.context["timeline"]
        assert len(timeline.items) == min(size, selectors.TIMELINE_PAGE_SIZE)
        assert timeline.has_next is (size > selectors.TIMELINE_PAGE_SIZE)
        assert "<html" not in panel.content.decode()  # the panel alone, not a whole page
    assert counts[10] == counts[300] <= CASE_PAGE_MOST_QUERIES, counts
    assert panel_counts[10] == panel_counts[300] <= CASE_PAGE_MOST_QUERIES, panel_counts


def test_a_case_page_view_writes_nothing_but_its_audit_row(web, service, caseworker):
    case = CaseFactory(service=service, caseworker=caseworker)
    _bulk_contacts(case, caseworker, 10)
    queries, _response = _measured(web, reverse("cases:case_detail", args=[case.pk]))
    writes = _writes(queries)
    assert len(writes) == 1, writes
    assert writes[0].startswith('INSERT INTO "accounts_auditevent"')


# What the case page reads only for a case that has it: the query of the case says whether it
# has any (Exists), and a case with none reads none of these tables.
READ_ONLY_WHEN_PRESENT = (
    "cases_casetransfer",
    "cases_childincase",
    "cases_informationsharing",
    "dataprotection_legalhold",
    "riskassessment_marachearing",
    "riskassessment_maracreferral",
    "riskassessment_riskdecision",
    "cases_safetyplan",
)


def _tables_read(queries) -> set[str]:
    """The tables a page's statements read as tables of their own (a subquery's are aliased)."""
    return {
        table
        for query in queries.captured_queries
        for table in READ_ONLY_WHEN_PRESENT
        if f'"{table}".' in query["sql"]
    }


def test_the_case_page_reads_the_panels_rows_only_for_a_case_that_has_them(
    web, rf, service, caseworker
):
    from cases.extensions import case_panels
    from tests.factories import ChildInCaseFactory
    from tests.factories_marac import MaracReferralFactory
    from tests.factories_support import (
        AreaSupportFactory,
        InterventionFactory,
        SafetyPlanVersionFactory,
    )

    case = CaseFactory(service=service, caseworker=caseworker)
    url = reverse("cases:case_detail", args=[case.pk])
    queries, response = _measured(web, url)
    assert _tables_read(queries) == set()
    html = response.content.decode()
    assert "None yet" in html and "Nothing shared yet." in html

    ChildInCaseFactory(case=case, first_name="Robin")
    MaracReferralFactory(case=case, referred_on=datetime.date(2026, 1, 2))
    SafetyPlanVersionFactory(plan__case=case, plan__created_by=caseworker, made_by=caseworker)
    AreaSupportFactory(case=case, updated_by=caseworker)
    InterventionFactory(case=case, recorded_by=caseworker)
    queries, response = _measured(web, url)
    assert _tables_read(queries) == {
        "cases_childincase",
        "riskassessment_maracreferral",
        "cases_safetyplan",
    }
    html = response.content.decode()
    assert "Robin" in html
    assert "Referred to MARAC on 2 Jan 2026" in html and "not yet heard" in html
    # Each panel shows what it would for the case read without the case page's annotations.
    request = rf.get(url)
    request.user = caseworker
    plain = type(case).objects.get(pk=case.pk)
    for panel, shown in zip(case_panels(), response.context["panels"], strict=True):
        assert shown["context"] == panel.context(request, plain), panel.template
    support = next(p for p in response.context["panels"] if p["template"].startswith("support/"))
    assert support["context"]["intervention_count"] > 0
    assert support["context"]["areas_supported"] == 1
    assert len(support["context"]["plans"]) == 1


def test_a_timeline_page_is_the_same_size_for_300_contacts_as_for_10(web, service, caseworker):
    pages = {}
    for size in (10, 300):
        case = CaseFactory(service=service, caseworker=caseworker)
        _bulk_contacts(case, caseworker, size)
        url = reverse("cases:case_timeline", args=[case.pk])
        queries, response = _measured(web, url, data={"page": 1 if size == 10 else 5})
        items = response.context["timeline"].items
        assert len(items) <= selectors.TIMELINE_PAGE_SIZE
        pages[size] = (len(queries), len(response.content))
    assert pages[10][0] == pages[300][0]
    # A page of 300 contacts' history is no bigger than 10 contacts' whole history, give or
    # take the page links.
    assert pages[300][1] < pages[10][1] * 2


def test_the_dashboard_queries_do_not_grow_with_the_caseload(web, service, caseworker):
    counts = []
    for total in (2, 20):
        while len(selectors.my_open_cases(caseworker)) < total:
            case = CaseFactory(service=service, caseworker=caseworker, risk_level="high")
            _bulk_contacts(case, caseworker, 3)
        queries, response = _measured(web, reverse("home"))
        assert len(response.context["panels"][0]["context"]["cases"]) == total
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_team_leaders_dashboard_queries_do_not_grow_with_the_cases(
    client_for, team_leader, service, caseworker
):
    web = client_for(team_leader)
    web.get(reverse("home"))
    counts = []
    for total in (2, 20):
        while selectors.team_open_cases(team_leader, service).count() < total:
            CaseFactory(service=service, caseworker=caseworker, risk_level="high")
        queries, _response = _measured(web, reverse("home"))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_search_queries_do_not_grow_with_the_cases_found(web, service, caseworker):
    counts = []
    for total in (2, 20):
        while selectors.case_search(caseworker, "Hartley").count() < total:
            CaseFactory(
                service=service,
                caseworker=caseworker,
                client=ClientFactory(service=service, last_name="Hartley"),
            )
        queries, response = _measured(
            web, reverse("cases:case_search"), method="post", data={"query": "Hartley"}
        )
        assert len(response.context["results"].cases) == total
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_querysets_shared_by_every_case_page_stay_unevaluated(web, service, caseworker):
    """The case page narrows querysets built once per process (their annotations resolved
    once); each case page reads its own case through a copy, never through the shared one."""
    from outcomes.case_page import KINDS, _summaries_of_kind
    from support.selectors import _cases_with_different_interventions

    for size in (1, 3):
        case = CaseFactory(service=service, caseworker=caseworker)
        _bulk_contacts(case, caseworker, size)
        response = web.get(reverse("cases:case_detail", args=[case.pk]))
        assert response.context["contact_counts"]["total"] == size
        web.get(reverse("cases:case_timeline", args=[case.pk]))
    shared = [
        selectors._cases_for_case_page(),
        _cases_with_different_interventions(),
        *(_summaries_of_kind(kind) for kind in KINDS),
    ]
    assert all(queryset._result_cache is None for queryset in shared)


def test_the_team_leader_sees_overdue_reviews_and_high_risk_cases_left_without_contact_once(
    client_for, team_leader, service, caseworker
):
    today = timezone.localdate()
    overdue = CaseFactory(
        service=service, caseworker=caseworker, review_due_on=today - datetime.timedelta(days=3)
    )
    due_soon = CaseFactory(
        service=service, caseworker=caseworker, review_due_on=today + datetime.timedelta(days=2)
    )
    unseen = CaseFactory(service=service, caseworker=caseworker, risk_level="high")
    home = client_for(team_leader).get(reverse("home")).content.decode()
    attention = home.split("Needs attention", 1)[1].split("unallocated case", 1)[0]
    assert f'data-reminder-case="{overdue.reference}"' in attention
    assert "Review overdue since" in attention
    assert f'data-reminder-case="{unseen.reference}"' in attention
    # Once, as the risk assessment app's prompt, not again as a caseworker's reminder.
    assert attention.count("no contact in") == 1
    # Due soon is the caseworker's own reminder, not one the team leader steps in on; the
    # case is still in the team's caseload table.
    assert f'data-reminder-case="{due_soon.reference}"' not in attention
    assert due_soon.reference in home
