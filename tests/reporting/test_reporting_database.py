"""Where and how reporting statements run (reporting.database, config.routers): every report
(the Insights tables, Safety in Numbers, the MARAC table, the impact figures) with JIT off, and,
when REPORTING_DATABASE_URL is set, on the reporting alias, in a READ ONLY transaction too (as
on a hot standby, where no temporary table can be created)."""

import datetime

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reporting.analyses import marac_table, safety_in_numbers, sin_follow_up, sin_intake_review
from reporting.impact import selectors as impact_selectors
from reporting.insights.engine import ReportFilters
from reporting.insights.report import build_report
from reporting.insights.shown import insights_report
from reporting.periods import quarter
from tests.factories import CaseFactory, ContactFactory, ServiceFactory, UserFactory
from tests.factories_outcomes import ExitFormFactory, IntakeFormFactory

PERIOD = quarter(2025, 1)  # April to June 2025
NOW = timezone.now()


def _exits(service, count=6):
    user = UserFactory()
    for _ in range(count):
        case = CaseFactory(
            service=service,
            opened_on=datetime.date(2025, 2, 1),
            status="closed",
            closed_on=datetime.date(2025, 5, 10),
            closure_type="Planned closure",
        )
        IntakeFormFactory(
            case=case,
            created_by=user,
            completed_on=datetime.date(2025, 5, 1),
            status="submitted",
            submitted_at=NOW,
        )
        ExitFormFactory(
            case=case,
            created_by=user,
            exit_date=datetime.date(2025, 5, 10),
            status="submitted",
            submitted_at=NOW,
        )
        ContactFactory(
            case=case,
            recorded_by=user,
            outcome="successful",
            with_client=True,
            occurred_at=datetime.datetime(2025, 5, 5, 12, tzinfo=datetime.UTC),
        )


def _jit_of_every_statement(alias="default"):
    """A wrapper that asks the server, before each statement, what jit is in its transaction
    (on the raw connection, so that the question is not itself wrapped)."""
    seen = []

    def wrapper(execute, sql, params, many, context):
        # The reporting statements: not the transaction's own (SAVEPOINT) nor its settings.
        if not sql.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "SELECT set_config")):
            with context["connection"].connection.cursor() as cursor:
                cursor.execute("SHOW jit")
                seen.append(cursor.fetchone()[0])
        return execute(sql, params, many, context)

    return seen, connections[alias].execute_wrapper(wrapper)


REPORTS = {
    "insights tables": lambda filters: build_report(period=PERIOD, filters=filters),
    "safety in numbers": lambda filters: (
        safety_in_numbers(PERIOD, filters),
        sin_intake_review(PERIOD, filters),
        sin_follow_up(PERIOD, filters),
    ),
    "marac table": lambda filters: marac_table(PERIOD, filters),
    "impact figures": lambda filters: (
        impact_selectors.referral_funnel(PERIOD, filters.service_ids),
        impact_selectors.client_journey(PERIOD, filters.service_ids),
        impact_selectors.risk_assessed_by_level(PERIOD, filters.service_ids),
        impact_selectors.safety_plans(PERIOD, filters.service_ids),
        impact_selectors.interventions_by_type(PERIOD, filters.service_ids),
        impact_selectors.marac_referrals(PERIOD, filters.service_ids),
        impact_selectors.referrals_by_service(PERIOD, filters.service_ids),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("report", sorted(REPORTS))
def test_every_reporting_statement_runs_with_jit_off(report):
    service = ServiceFactory()
    _exits(service, 2)
    with connection.cursor() as cursor:
        cursor.execute("SET jit = on")  # the server's default, whatever the test server says
    seen, wrapped = _jit_of_every_statement()
    with wrapped:
        REPORTS[report](ReportFilters(service_ids=(service.pk,)))
    assert seen
    assert set(seen) == {"off"}


@pytest.mark.django_db(transaction=True, databases=["default", "reporting"])
def test_a_report_runs_on_the_reporting_alias_when_it_is_configured(settings):
    service = ServiceFactory()
    _exits(service)
    filters = ReportFilters(service_ids=(service.pk,))
    on_default = build_report(period=PERIOD, filters=filters).table("exit_case_status").current
    settings.REPORTING_DATABASE_URL = "postgres://replica.example/lantern"
    with (
        CaptureQueriesContext(connections["reporting"]) as on_replica,
        CaptureQueriesContext(connection) as on_primary,
    ):
        shown = insights_report(
            period=PERIOD,
            filters=filters,
            suppress_below=5,
            comparison_period=PERIOD.previous(),
            analyses=True,
        )
    assert len(on_replica) > 20
    assert len(on_primary) == 0
    assert shown.table("exit_case_status").current.n == on_default.n == 6


@pytest.mark.django_db(transaction=True, databases=["default", "reporting"])
def test_a_report_works_in_a_read_only_transaction_as_on_a_standby(settings):
    service = ServiceFactory()
    _exits(service)
    filters = ReportFilters(service_ids=(service.pk,))
    expected = build_report(period=PERIOD, filters=filters)
    settings.REPORTING_DATABASE_URL = "postgres://replica.example/lantern"
    with transaction.atomic(using="reporting"):
        with connections["reporting"].cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
        read_only = build_report(period=PERIOD, filters=filters)
        shown = insights_report(period=PERIOD, filters=filters, suppress_below=None, analyses=True)
        with connections["reporting"].cursor() as cursor:
            cursor.execute("SHOW transaction_read_only")
            assert cursor.fetchone()[0] == "on"
    assert [table.current for table in read_only.tables] == [
        table.current for table in expected.tables
    ]
    assert shown.table("exit_case_status").current.n == 6
    assert shown.safety_in_numbers
