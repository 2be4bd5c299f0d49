"""Erasure that keeps the statistics (issue 21, item 3): nothing identifying is left anywhere,
the change history included; a stub keeps the coded answers so past Insights figures do not
move; a legal hold stops it; another client's record is untouched."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from accounts.models import AuditEvent
from cases.models import Case, Client, ClientAlias, ConsentRecord, ContactRevision
from dataprotection import erasure, erasure_fields
from dataprotection.models import ClientErasure, LegalHold
from outcomes.models import IntakeForm
from referrals.models import Referral
from reporting.insights.engine import ReportFilters
from reporting.insights.report import build_report
from reporting.periods import quarter
from riskassessment.models import Answer, MaracAction
from tests.factories import (
    CaseFactory,
    ChildInCaseFactory,
    ClientFactory,
    ClosureRequestFactory,
    ConsentRecordFactory,
    ContactFactory,
    PerpetratorFactory,
)
from tests.factories_marac import MaracHearingFactory, MaracReferralFactory
from tests.factories_outcomes import IntakeFormFactory
from tests.factories_referrals import ReferralFactory
from tests.factories_riskassessment import AgencyFactory, submitted
from tests.factories_support import (
    AreaSupportFactory,
    InterventionFactory,
    SafetyPlanFactory,
    SafetyPlanVersionFactory,
)

pytestmark = pytest.mark.django_db

PERIOD = quarter(2025, 1)  # April to June 2025
IN_PERIOD = datetime.date(2025, 5, 10)
BORN = datetime.date(1987, 8, 23)
PHONE = "07700 912345"
FIRST, LAST, ALIAS = "Philippa", "Quatermaine", "Pippa Zanzibar"


def _rich_client(service, author):
    """A client with a record of every kind, their name, phone and birth date in every place
    a caseworker might write them."""
    client = ClientFactory(
        service=service,
        first_name=FIRST,
        last_name=LAST,
        preferred_name="Pip",
        date_of_birth=BORN,
        safe_phone=PHONE,
        safe_address=f"Flat 2, 10 Mill Lane ({FIRST} {LAST})",
        safe_email="philippa.q@example.test",
        postcode="ZZ1 1ZZ",
        safe_contact_notes=f"Call {PHONE} only after 6pm",
        sex_at_birth="Female",
        ethnicity="White British",
    )
    ClientAlias.objects.create(client=client, name=ALIAS)
    ConsentRecordFactory(client=client, recorded_by=author, note=f"{FIRST} agreed by phone")
    case = CaseFactory(
        service=service,
        client=client,
        opened_on=IN_PERIOD,
        closure_note=f"{FIRST} moved away",
    )
    IntakeFormFactory(
        case=case,
        created_by=author,
        completed_on=IN_PERIOD,
        status="submitted",
        submitted_at=timezone.now(),
        pregnant="No",
    )
    contact = ContactFactory(
        case=case, recorded_by=author, notes=f"Spoke to {FIRST} {LAST} on {PHONE}", location="Home"
    )
    ContactRevision.objects.create(
        contact=contact,
        case=case,
        version=1,
        occurred_at=contact.occurred_at,
        contact_type="phone",
        with_client=True,
        outcome="successful",
        is_significant=False,
        notes=f"{LAST} born {BORN:%d/%m/%Y}",
        written_by=author,
        replaced_by=author,
        replaced_at=timezone.now(),
        correction_reason="Wrong date",
    )
    PerpetratorFactory(
        case=case, name="Rex Vandersloot", date_of_birth=datetime.date(1980, 1, 2), notes=LAST
    )
    ChildInCaseFactory(case=case, first_name="Tamsin", age_years=7)
    ClosureRequestFactory(case=case, requested_by=author, closure_note=f"{FIRST} safe now")
    assessment = submitted(case, author, ticks=15, notes=f"{FIRST} scared", on=IN_PERIOD)
    answer = Answer.objects.filter(assessment=assessment).first()
    answer.comment = f"{LAST} said so"
    answer.save()
    marac = MaracReferralFactory(case=case, assessment=assessment, notes=f"{FIRST} {LAST}")
    hearing = MaracHearingFactory(case=case, referral=marac, outcome=f"{LAST} to be visited")
    MaracAction.objects.create(
        case=case, hearing=hearing, agency=AgencyFactory(), action=f"Visit {FIRST}", owner="PC X"
    )
    plan = SafetyPlanFactory(case=case, created_by=author)
    SafetyPlanVersionFactory(plan=plan, assessment=assessment, other_notes=f"{PHONE} is safe")
    InterventionFactory(case=case, recorded_by=author, notes=f"Alarm for {LAST}")
    AreaSupportFactory(case=case, updated_by=author, notes=f"{FIRST} housed")
    referral = ReferralFactory(
        service=service,
        client=client,
        referrer_name="DC Smith",
        referrer_phone="01632 960000",
        reason=f"{FIRST} {LAST} assaulted",
    )
    referral.case = case
    referral.save()
    # A record later deleted: its change history still holds its value.
    old_alias = ClientAlias.objects.create(client=client, name=f"{FIRST} Oldname")
    old_alias.delete()
    return client, case


SEARCHED = [
    FIRST,
    LAST,
    "Zanzibar",
    "912345",
    BORN.isoformat(),
    f"{BORN:%d/%m/%Y}",
    "Vandersloot",
    "Tamsin",
    "Mill Lane",
    "DC Smith",
]


def _tables():
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _found_anywhere(text: str) -> list[str]:
    """The tables (auditlog's included) with a row whose text holds `text`."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(
                f"SELECT count(*) FROM {quote(table)} t WHERE t::text ILIKE %s",  # noqa: S608 - introspected names
                [f"%{text}%"],
            )
            if cursor.fetchone()[0]:
                found.append(table)
    return found


def _report(service):
    filters = ReportFilters(service_ids=(service.pk,))
    result = build_report(period=PERIOD, filters=filters)
    return {table.key: (table.current, table.comparison) for table in result.tables}


@pytest.fixture
def author(caseworker):
    return caseworker


def test_a_stub_keeps_nothing_identifying_anywhere_and_the_figures_stay(service, manager, author):
    client, case = _rich_client(service, author)
    other, other_case = _rich_client_of_another(service, author)
    assert _found_anywhere(LAST) and _found_anywhere(PHONE)
    assert "auditlog_logentry" in _found_anywhere(FIRST)
    before = _report(service)
    age = before["client_age"][0]
    assert age.count("31-40") == 1 and age.statistics["mean"] == 37

    record = erasure.erase_client(client, actor=manager, reason="retention")

    for text in SEARCHED:
        assert _found_anywhere(text) == [], text
    client.refresh_from_db()
    assert client.is_erased and client.first_name == erasure_fields.ERASED_TEXT
    assert client.date_of_birth is None and client.sex_at_birth == "Female"
    case.refresh_from_db()
    assert case.client_age_at_intake == 37
    # An edit form loaded before the erasure finds the record changed (accounts.concurrency).
    assert case.contacts.get().version == 1 and client.version == 1
    assert IntakeForm.objects.get(case=case).pregnant == "No"
    assert _report(service) == before

    assert record.kind == "stub" and record.client == client and record.cases_count == 1
    assert record.row_counts["cases.contact"] == 1 and record.row_counts["history"] > 10
    event = AuditEvent.objects.get(object_label=f"Erasure {record.pk}")
    assert event.service_id == service.pk and event.actor == manager
    # The erasure's own writes left no history to hold what they erased.
    assert not LogEntry.objects.filter(object_pk=str(client.pk), content_type__model="client")

    other.refresh_from_db()
    assert other.last_name == "Untouched" and other.date_of_birth is not None
    assert other_case.contacts.get().notes == "Untouched notes"
    assert LogEntry.objects.filter(additional_data__case_id=other_case.pk).exists()


def _rich_client_of_another(service, author):
    other = ClientFactory(service=service, first_name="Ottoline", last_name="Untouched")
    other_case = CaseFactory(service=service, client=other)
    ContactFactory(case=other_case, recorded_by=author, notes="Untouched notes")
    return other, other_case


def test_a_full_erasure_removes_the_stub_too(service, manager, author):
    client, case = _rich_client(service, author)
    other, _ = _rich_client_of_another(service, author)

    record = erasure.erase_client(client, actor=manager, reason="request", keep_stub=False)

    for text in SEARCHED:
        assert _found_anywhere(text) == [], text
    assert not Client.objects.filter(pk=client.pk).exists()
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not Referral.objects.filter(client_id=client.pk).exists()
    assert record.kind == "full" and record.client is None and record.cases_count == 1
    assert record.row_counts["cases.client"] == 1
    assert Client.objects.filter(pk=other.pk).exists()


def test_a_full_erasure_marks_stored_results_stale(service, manager, author):
    from reporting.models import ReportDataVersion

    client, _ = _rich_client(service, author)
    version = ReportDataVersion.objects.get(service=service).version
    erasure.erase_client(client, actor=manager, reason="request", keep_stub=False)
    assert ReportDataVersion.objects.get(service=service).version > version


def test_a_legal_hold_stops_the_erasure_and_changes_nothing(service, manager, author):
    client, case = _rich_client(service, author)
    LegalHold.objects.create(
        case=case, reason="court", placed_by=manager, placed_on=timezone.localdate()
    )
    history = LogEntry.objects.count()

    with pytest.raises(erasure.OnLegalHold):
        erasure.erase_client(client, actor=manager, reason="retention")
    with pytest.raises(erasure.OnLegalHold):
        erasure.erase_client(client, actor=manager, reason="request", keep_stub=False)

    client.refresh_from_db()
    assert client.last_name == LAST and not client.is_erased
    assert LogEntry.objects.count() == history
    assert not ClientErasure.objects.exists()


def test_a_lifted_hold_no_longer_stops_it(service, manager, author):
    client, case = _rich_client(service, author)
    LegalHold.objects.create(
        case=case,
        reason="court",
        placed_by=manager,
        placed_on=timezone.localdate(),
        lifted_by=manager,
        lifted_on=timezone.localdate(),
        lift_reason="Trial over",
    )
    erasure.erase_client(client, actor=manager, reason="retention")
    client.refresh_from_db()
    assert client.is_erased


def test_a_request_names_who_approved_it(service, author):
    client, _ = _rich_client(service, author)
    with pytest.raises(ValueError, match="approved"):
        erasure.erase_client(client, actor=None, reason="request")
    with pytest.raises(ValueError, match="reason"):
        erasure.erase_client(client, actor=author, reason="because")


def test_a_referral_without_a_case_is_de_identified_then_its_client(service, manager):
    client = ClientFactory(service=service, first_name=FIRST, last_name=LAST)
    first = ReferralFactory(service=service, client=client, reason=f"{FIRST} at risk")
    second = ReferralFactory(service=service, client=client, referrer_name="DC Smith")

    erasure.erase_referral(first, actor=None, reason="retention")
    first.refresh_from_db()
    client.refresh_from_db()
    assert first.reason == erasure_fields.ERASED_TEXT
    assert client.last_name == LAST and not client.is_erased  # a referral is left

    record = erasure.erase_referral(second, actor=None, reason="retention")
    client.refresh_from_db()
    second.refresh_from_db()
    assert client.is_erased and second.referrer_name == ""
    assert record.kind == "referral" and record.referral_id == second.pk
    assert erasure.erase_referral(second, actor=None, reason="retention") == record
    assert ClientErasure.objects.count() == 2
    for text in (FIRST, LAST, "DC Smith"):
        assert _found_anywhere(text) == [], text


def test_a_stub_is_not_offered_as_a_duplicate_nor_found_by_name(service, manager, author):
    from cases import matching
    from cases.selectors import _client_candidates, clients_named

    client, _ = _rich_client(service, author)
    erasure.erase_client(client, actor=manager, reason="retention")
    typed = matching.Typed(first_name=erasure_fields.ERASED_TEXT, last_name="")
    assert client.pk not in set(
        _client_candidates(provider=service.provider, typed=typed).values_list("pk", flat=True)
    )
    assert not clients_named(manager, erasure_fields.ERASED_TEXT).filter(pk=client.pk).exists()


# --- Every field classified -----------------------------------------------------------------


def _linked_models():
    """The models erasure walks to from a client (reverse foreign keys, to any depth)."""
    seen, todo = set(), [Client]
    while todo:
        model = todo.pop()
        for relation in model._meta.related_objects:
            related = relation.related_model
            if relation.many_to_many or related is ClientErasure or related in seen:
                continue
            seen.add(related)
            todo.append(related)
    return seen | {Client}


def test_every_field_of_a_client_linked_model_is_classified():
    """A new text, date, e-mail, JSON or file field on any model reachable from a client fails
    here until erasure_fields says whether erasure empties or keeps it."""
    kinds = (
        models.CharField,
        models.TextField,
        models.DateField,
        models.JSONField,
        models.FileField,
    )
    unclassified = []
    for model in _linked_models():
        label = model._meta.label_lower
        if label in erasure_fields.DELETE or label in erasure_fields.UNTOUCHED:
            continue
        assert label in erasure_fields.FIELDS, f"{label} is not in erasure_fields"
        listed = set().union(*erasure_fields.FIELDS[label].values())
        for field in model._meta.concrete_fields:
            coded = getattr(field, "choices", None)
            if isinstance(field, kinds) and not coded and field.name not in listed:
                unclassified.append(f"{label}.{field.name}")
        for name in listed:
            model._meta.get_field(name)  # a misspelt or removed field fails here
    assert unclassified == []


def test_the_untouched_models_hold_no_free_text():
    """reporting's per-case figures are copies of coded answers (their char columns hold the
    codes): no free text, no dates a person could be told by."""
    for label in erasure_fields.UNTOUCHED:
        model = apps.get_model(label)
        assert not [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, (models.TextField, models.DateField, models.JSONField))
        ]


def test_the_app_cannot_delete_history_except_through_the_function(service, author):
    """The trigger still refuses a plain DELETE of a history row."""
    from django.db import DatabaseError, transaction

    ConsentRecordFactory(client=ClientFactory(service=service), recorded_by=author)
    assert ConsentRecord.objects.exists()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM auditlog_logentry")


def test_a_stubs_pages_show_it_erased(service, manager, author, client_for):
    from django.urls import reverse

    client, case = _rich_client(service, author)
    case.status, case.closed_on = "closed", IN_PERIOD
    case.save()
    erasure.erase_client(client, actor=manager, reason="retention")

    browser = client_for(author)
    for url in (
        reverse("cases:case_detail", args=[case.pk]),
        reverse("cases:client_detail", args=[client.pk]),
    ):
        response = browser.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert "Record erased" in page and "erased on" in page.lower()
        assert FIRST not in page and LAST not in page


# --- The page ----------------------------------------------------------------------------------


def test_a_team_leader_de_identifies_from_the_case_after_typing_its_reference(
    service, team_leader, author, client_for
):
    from django.urls import reverse

    client, case = _rich_client(service, author)
    browser = client_for(team_leader)
    url = reverse("dataprotection:erase", args=[case.pk])
    shown = browser.get(url).content.decode()
    assert "Type the case reference" in shown
    assert "takes with it 1 case and 1 referral" in shown

    wrong = browser.post(url, {"kind": "stub", "reason": "retention", "reference": "TST-1"})
    assert wrong.status_code == 400
    assert f"not the reference of case {case.reference}" in wrong.content.decode()
    client.refresh_from_db()
    assert not client.is_erased

    done = browser.post(url, {"kind": "stub", "reason": "retention", "reference": case.reference})
    assert done.status_code == 302 and done.url == reverse("cases:case_detail", args=[case.pk])
    client.refresh_from_db()
    assert client.is_erased
    assert ClientErasure.objects.get().actor == team_leader


def test_the_page_erases_entirely_on_request(service, manager, author, client_for):
    from django.urls import reverse

    client, case = _rich_client(service, author)
    browser = client_for(manager)
    response = browser.post(
        reverse("dataprotection:erase", args=[case.pk]),
        {"kind": "full", "reason": "request", "reference": case.reference.lower()},
    )
    assert response.status_code == 302 and response.url == reverse("home")
    assert not Client.objects.filter(pk=client.pk).exists()
    assert ClientErasure.objects.get().kind == "full"


def test_the_page_refuses_on_legal_hold_or_a_service_not_managed(
    service, other_service, manager, author, client_for
):
    from django.urls import reverse

    client, case = _rich_client(service, author)
    browser = client_for(manager)
    url = reverse("dataprotection:erase", args=[case.pk])
    posted = {"kind": "stub", "reason": "retention", "reference": case.reference}

    hold = LegalHold.objects.create(
        case=case, reason="court", placed_by=manager, placed_on=timezone.localdate()
    )
    assert "on legal hold" in browser.get(url).content.decode()
    refused = browser.post(url, posted)
    assert refused.status_code == 409 and "on legal hold" in refused.content.decode()
    hold.delete()

    CaseFactory(service=other_service, client=client)
    refused = browser.post(url, posted)
    assert refused.status_code == 409 and "do not handle data rights" in refused.content.decode()
    client.refresh_from_db()
    assert not client.is_erased and not ClientErasure.objects.exists()
