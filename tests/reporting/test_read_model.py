"""The reporting read model (reporting.read_model): the rows kept current by every write equal a
rebuild, whatever the sequence of writes; the rebuild command; and the whole Insights page's
query count does not grow with the number of cases or contacts."""

import contextlib
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.audit import audited_bulk_write
from cases.models import Contact
from cases.services import contact_log
from reporting import read_model
from reporting.insights.engine import ReportFilters
from reporting.insights.shown import insights_report
from reporting.models import CaseFacts
from reporting.periods import quarter
from reporting.read_model import rebuild, refresh_cases
from tests.factories import (
    CaseFactory,
    ChildInCaseFactory,
    ContactFactory,
    MembershipFactory,
    ServiceFactory,
    UserFactory,
)
from tests.factories_marac import MaracHearingFactory
from tests.factories_outcomes import (
    CivilJusticeFormFactory,
    ExitFormFactory,
    IntakeFormFactory,
    ReviewFormFactory,
)
from tests.factories_riskassessment import MaracMeetingFactory, submitted
from tests.factories_support import AreaSupportFactory

pytestmark = pytest.mark.django_db

PERIOD = quarter(2025, 1)  # April to June 2025
START = datetime.date(2025, 1, 1)
NOW = timezone.now()


def facts_rows() -> list[dict]:
    return list(CaseFacts.objects.order_by("case_id").values())


def _day(offset: int) -> datetime.date:
    return START + datetime.timedelta(days=offset)


# --- Writes a sequence may make ----------------------------------------------------------------


def _contact(case, user, day):
    ContactFactory(
        case=case,
        recorded_by=user,
        outcome="successful",
        with_client=True,
        occurred_at=datetime.datetime.combine(_day(day), datetime.time(12), tzinfo=datetime.UTC),
    )


def _logged_contact(case, user, day):
    # Through the service (refused on a closed case: a refused write changes no fact).
    with contextlib.suppress(ValidationError):
        contact_log(
            case=case,
            actor=user,
            occurred_at=datetime.datetime.combine(
                _day(day), datetime.time(10), tzinfo=datetime.UTC
            ),
            contact_type=Contact.ContactType.FACE_TO_FACE,
            with_client=True,
            outcome=Contact.Outcome.SUCCESSFUL,
            notes="Talked through the safety plan.",
        )


def _delete_contact(case, user, day):
    contact = case.contacts.order_by("pk").first()
    if contact is not None:
        contact.delete()


def _intake(case, user, day):
    # One intake per case: a second write moves its date (what the facts read changes).
    form = case.intake_forms.first()
    if form is None:
        IntakeFormFactory(
            case=case, created_by=user, completed_on=_day(day), status="submitted", submitted_at=NOW
        )
    else:
        form.completed_on = _day(day)
        form.save()


def _exit(case, user, day):
    form = case.exit_forms.first()
    if form is None:
        ExitFormFactory(
            case=case, created_by=user, exit_date=_day(day), status="submitted", submitted_at=NOW
        )
    else:
        form.exit_date = _day(day)
        form.save()


def _withdraw_forms(case, user, day):
    # A submitted form deleted (as a discarded draft would be): its counts go.
    for form in (*case.exit_forms.all(), *case.intake_forms.all()):
        form.delete()


def _review(case, user, day):
    ReviewFormFactory(
        case=case, created_by=user, reviewed_on=_day(day), status="submitted", submitted_at=NOW
    )


def _assessment(stage):
    def write(case, user, day):
        submitted(case, user, ticks=day % 20, stage=stage, on=case.opened_on)

    return write


def _child(case, user, day):
    ChildInCaseFactory(case=case)


def _support(case, user, day):
    # One row per area: a second write changes its answers.
    area = ("housing", "safety")[day % 2]
    row = case.area_support.filter(area=area).first()
    if row is None:
        AreaSupportFactory(
            case=case, updated_by=user, area=area, supported="Yes", impact_safety="Improved"
        )
    else:
        given = row.supported != "Yes"
        row.supported = "Yes" if given else "No"
        row.impact_safety = "Improved" if given else ""  # impact only where support was given
        row.save()


def _civil(case, user, day):
    # One per case: a second write takes it back to a draft, a third submits it again.
    form = case.civil_justice_forms.first()
    if form is None:
        CivilJusticeFormFactory(case=case, created_by=user, status="submitted", submitted_at=NOW)
    else:
        form.status = "draft" if form.status == "submitted" else "submitted"
        form.save()


def _hearing(case, user, day):
    MaracHearingFactory(case=case, meeting=MaracMeetingFactory(held_on=_day(day)))


def _move_meeting(case, user, day):
    hearing = case.marac_hearings.order_by("pk").first()
    if hearing is not None:
        hearing.meeting.held_on = _day(day)
        hearing.meeting.save()


def _close(case, user, day):
    case.status, case.closed_on, case.closure_type = "closed", _day(day), "Planned closure"
    case.save()


def _reopen(case, user, day):
    case.status, case.closed_on, case.closure_type = "open", None, ""
    case.save()


WRITES = {
    "contact": _contact,
    "logged_contact": _logged_contact,
    "delete_contact": _delete_contact,
    "intake": _intake,
    "exit": _exit,
    "withdraw_forms": _withdraw_forms,
    "review": _review,
    "intake_assessment": _assessment("intake"),
    "exit_assessment": _assessment("exit"),
    "child": _child,
    "support": _support,
    "civil": _civil,
    "hearing": _hearing,
    "move_meeting": _move_meeting,
    "close": _close,
    "reopen": _reopen,
}


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(st.sampled_from(sorted(WRITES)), st.integers(0, 2), st.integers(0, 300)),
        max_size=14,
    )
)
def test_maintained_rows_equal_a_rebuild_after_any_writes(steps):
    with transaction.atomic():
        service = ServiceFactory()
        user = MembershipFactory(service=service).user  # a caseworker of the cases' service
        cases = [CaseFactory(service=service, opened_on=START) for _ in range(3)]
        for write, which, day in steps:
            WRITES[write](cases[which], user, day)
        maintained = facts_rows()
        assert [row["case_id"] for row in maintained] == sorted(case.pk for case in cases)
        rebuild()
        assert facts_rows() == maintained
        transaction.set_rollback(True)


def test_a_contact_logged_through_the_service_is_counted_at_once():
    service = ServiceFactory()
    user = MembershipFactory(service=service).user
    case = CaseFactory(service=service, opened_on=START)
    _logged_contact(case, user, 5)
    assert CaseFacts.objects.get(case_id=case.pk).contacts == 1


def test_a_rebuild_from_nothing_gives_the_maintained_rows():
    service, user = ServiceFactory(), UserFactory()
    case = CaseFactory(service=service, opened_on=START)
    _intake(case, user, 10)
    _contact(case, user, 20)
    _contact(case, user, 30)
    _exit(case, user, 25)
    maintained = facts_rows()
    assert maintained[0]["contacts"] == 1  # the contact after the exit is not counted
    CaseFacts.objects.all().delete()
    call_command("rebuild_report_facts", verbosity=0)
    assert facts_rows() == maintained


def test_a_deleted_case_loses_its_row():
    case = CaseFactory()
    assert CaseFacts.objects.filter(case_id=case.pk).exists()
    case_id = case.pk
    case.delete()
    refresh_cases([case_id])
    assert not CaseFacts.objects.filter(case_id=case_id).exists()


def test_refresh_cases_catches_up_after_a_write_that_sends_no_signal():
    case = CaseFactory(opened_on=START)
    user = UserFactory()
    with audited_bulk_write(actor=user, description="one contact, as an importer writes"):
        ContactFactory._meta.model.objects.bulk_create(
            [
                ContactFactory.build(
                    case=case,
                    recorded_by=user,
                    outcome="successful",
                    with_client=True,
                    occurred_at=datetime.datetime(2025, 2, 1, 12, tzinfo=datetime.UTC),
                )
            ]
        )
    assert CaseFacts.objects.get(case_id=case.pk).contacts == 0
    refresh_cases([case.pk])
    assert CaseFacts.objects.get(case_id=case.pk).contacts == 1


# --- Query counts ------------------------------------------------------------------------------


def _exit_matched(service, user, contacts: int):
    case = CaseFactory(
        service=service,
        opened_on=datetime.date(2025, 2, 1),
        status="closed",
        closed_on=datetime.date(2025, 5, 10),
        closure_type="Planned closure",
    )
    _intake(case, user, 40)
    ExitFormFactory(
        case=case,
        created_by=user,
        exit_date=datetime.date(2025, 5, 10),
        status="submitted",
        submitted_at=NOW,
    )
    for day in range(contacts):
        _contact(case, user, 50 + day)


def test_the_whole_pages_query_count_does_not_grow_with_cases_or_contacts():
    service, user = ServiceFactory(), UserFactory()

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            shown = insights_report(
                period=PERIOD,
                filters=ReportFilters(service_ids=(service.pk,)),
                suppress_below=5,
                comparison_period=PERIOD.previous(),
                analyses=True,
            )
        assert shown.tables
        return len(captured)

    for _ in range(3):
        _exit_matched(service, user, contacts=2)
    few = page_queries()
    for _ in range(6):
        _exit_matched(service, user, contacts=6)
    assert page_queries() == few


# --- A write's refresh: one prepared statement ---------------------------------------------------


def _statements(queries, start: str) -> list[str]:
    return [query["sql"] for query in queries if query["sql"].startswith(start)]


def test_a_writes_refresh_is_prepared_once_per_connection_and_planned_generically():
    service = ServiceFactory()
    user = MembershipFactory(service=service).user
    case = CaseFactory(service=service, opened_on=START)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as on a new connection
    connection.connection.lantern_prepared = None
    with CaptureQueriesContext(connection) as queries:
        _logged_contact(case, user, 5)
        _logged_contact(case, user, 6)
    assert len(_statements(queries, f"PREPARE {read_model.PREPARED_NAME} ")) == 1
    assert len(_statements(queries, "SET LOCAL plan_cache_mode = force_generic_plan; EXECUTE")) == 2
    assert not _statements(queries, "INSERT INTO reporting_case_facts")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s",
            [read_model.PREPARED_NAME],
        )
        generic, custom = cursor.fetchone()
    assert generic >= 1 and custom == 0
    maintained = facts_rows()
    assert CaseFacts.objects.get(case_id=case.pk).contacts == 2
    rebuild()
    assert facts_rows() == maintained


def test_a_refresh_of_many_cases_is_planned_for_them():
    cases = [CaseFactory(opened_on=START) for _ in range(read_model.PREPARED_MOST + 1)]
    with CaptureQueriesContext(connection) as queries:
        refresh_cases([case.pk for case in cases])
    assert len(_statements(queries, "INSERT INTO reporting_case_facts")) == 1
    assert not _statements(queries, "SET LOCAL plan_cache_mode")


def test_behind_pgbouncer_in_transaction_mode_nothing_is_prepared(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    case = CaseFactory(opened_on=START)
    with CaptureQueriesContext(connection) as queries:
        refresh_cases([case.pk])
    assert len(_statements(queries, "INSERT INTO reporting_case_facts")) == 1
    assert not _statements(queries, "PREPARE") and not _statements(queries, "SET LOCAL")


def _counted(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_source_table_doubled_by_a_writer_is_analysed_in_its_transaction():
    """StatisticsKept (the importer's, batch after batch): a table the facts are read from is
    analysed once the rows added since its statistics are as many as they counted (and at
    least ANALYSE_AFTER_ROWS), inside the writer's transaction, whose rows ANALYZE counts; a
    table that grew less, or that the facts do not read, is left alone."""
    table = Contact._meta.db_table
    case, recorder = CaseFactory(), UserFactory()
    kept = read_model.StatisticsKept()
    added = read_model.ANALYSE_AFTER_ROWS + 20
    with audited_bulk_write(actor=None, description="test"):
        Contact.objects.bulk_create(
            [ContactFactory.build(case=case, recorded_by=recorder) for _ in range(added)]
        )
    with CaptureQueriesContext(connection) as first:
        kept.rows_added({"cases.contact": added, "auditlog.logentry": 10_000})
    analysed = [query["sql"] for query in first if query["sql"].startswith("ANALYZE")]
    assert analysed == [f'ANALYZE "{table}"']
    assert _counted(table) == Contact.objects.count()

    with audited_bulk_write(actor=None, description="test"):
        Contact.objects.bulk_create(
            [ContactFactory.build(case=case, recorded_by=recorder) for _ in range(20)]
        )
    with CaptureQueriesContext(connection) as second:
        kept.rows_added({"cases.contact": 20})
    assert not [query for query in second if query["sql"].startswith("ANALYZE")]
