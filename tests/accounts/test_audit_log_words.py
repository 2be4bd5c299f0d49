"""Issue 18, item 11: the audit trail in words (who, what, which case by its reference, when),
filtered by case reference, paged, and never holding the text of a note."""

import datetime
import json

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from accounts.audit import TEXT_NOT_RECORDED, record_event
from accounts.models import AuditEvent
from accounts.selectors import TRAIL_COLUMNS, audit_trail
from cases import services as case_services
from cases.models import Contact
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

NOTE = "She said he waits outside the school gates on Tuesdays"
NEW_NOTE = "Moved to her sister's flat above the bakery"


@pytest.fixture
def case(service):
    return CaseFactory(service=service, reference="CID-2026-00042")


def _contact_with_note(case, caseworker):
    with set_actor(caseworker):
        return case_services.contact_log(
            case=case,
            actor=caseworker,
            occurred_at=timezone.now() - datetime.timedelta(hours=1),
            contact_type=Contact.ContactType.PHONE,
            notes=NOTE,
        )


def _trail_page(client, **params):
    return client.get(reverse("accounts:audit_log"), params)


def test_a_contact_note_is_not_copied_into_the_change_history(case, caseworker):
    contact = _contact_with_note(case, caseworker)
    with set_actor(caseworker):
        contact.notes = NEW_NOTE
        contact.duration_minutes = 25
        contact.save()
    entries = LogEntry.objects.get_for_object(contact)
    assert entries.count() == 2
    stored = json.dumps([entry.changes for entry in entries]) + "".join(
        str(entry.changes_text) + entry.object_repr for entry in entries
    )
    assert NOTE not in stored and NEW_NOTE not in stored
    assert "bakery" not in stored and "school gates" not in stored
    change = entries.get(action=LogEntry.Action.UPDATE)
    # That the note changed is recorded; what it says is not.
    assert change.changes["notes"] == [TEXT_NOT_RECORDED, TEXT_NOT_RECORDED]
    assert change.changes["duration_minutes"] == [None, 25]
    created = entries.get(action=LogEntry.Action.CREATE)
    assert created.changes["notes"] == ["", TEXT_NOT_RECORDED]


def test_every_free_text_field_of_an_audited_model_is_masked():
    from auditlog.registry import auditlog
    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        if not auditlog.contains(model):
            continue
        masked = set(auditlog.get_model_fields(model)["mask_fields"])
        for field in model._meta.concrete_fields:
            if isinstance(field, models.TextField):
                assert field.name in masked, f"{model._meta.label}.{field.name}"
    # Short narrative fields too: why a caseworker called a client marked not safe to call, why a
    # status changed, why two records are not the same person.
    from cases.models import CaseStatusChange, ClientMatchDismissal, Contact

    for model, name in (
        (Contact, "unsafe_channel_reason"),
        (CaseStatusChange, "note"),
        (ClientMatchDismissal, "note"),
    ):
        assert name in auditlog.get_model_fields(model)["mask_fields"], f"{model.__name__}.{name}"


def test_the_page_shows_events_in_words(client_for, case, caseworker, manager):
    client_for(caseworker).get(reverse("cases:case_detail", args=[case.pk]))
    contact = _contact_with_note(case, caseworker)
    with set_actor(caseworker):
        contact.notes = NEW_NOTE
        contact.save()
    record_event(
        actor=caseworker,
        action=AuditEvent.Action.DENIED,
        service=case.service,
        case_id=case.pk,
        obj=case,
    )
    response = _trail_page(client_for(manager))
    page = response.content.decode()
    words = [
        (row["who_name"], row["in_words"], row["case_reference"])
        for row in response.context["rows"]
    ]
    assert (caseworker.full_name, "Viewed the case", case.reference) in words
    assert (caseworker.full_name, "Added the contact", case.reference) in words
    assert (caseworker.full_name, "Changed the contact", case.reference) in words
    assert (caseworker.full_name, "Was refused access to the case", case.reference) in words
    changed = next(r for r in response.context["rows"] if r["in_words"] == "Changed the contact")
    assert changed["detail_words"] == "notes"
    # When, in the one date format.
    view_event = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).latest("at")
    local = timezone.localtime(view_event.at)
    assert f"{local.day} {local:%b %Y, %H:%M}" in page
    assert NEW_NOTE not in page and NOTE not in page
    assert "Changed the contact" in page and case.reference in page


def test_the_trail_filters_by_case_reference(client_for, case, caseworker, manager, service):
    other = CaseFactory(service=service, reference="CID-2026-00043")
    for each in (case, other):
        record_event(
            actor=caseworker, action=AuditEvent.Action.VIEW, service=service, case_id=each.pk
        )
    client = client_for(manager)
    rows = _trail_page(client, case=" cid-2026-00043 ").context["rows"]
    assert rows and {row["case_reference"] for row in rows} == {other.reference}


def test_a_reference_of_another_service_reads_as_unknown(
    client_for, case, manager, other_service, caseworker
):
    elsewhere = CaseFactory(service=other_service, reference="ELS-2026-00001")
    record_event(
        actor=caseworker, action=AuditEvent.Action.VIEW, service=case.service, case_id=case.pk
    )
    client = client_for(manager)
    for reference in (elsewhere.reference, "NOPE-1"):
        response = _trail_page(client, case=reference)
        assert response.status_code == 200
        assert response.context["rows"] == []
        assert response.context["form"].errors == {
            "case": ["No case with that reference in your services."]
        }


def test_the_trail_is_paged(client_for, case, caseworker, manager):
    for _ in range(55):
        record_event(
            actor=caseworker, action=AuditEvent.Action.VIEW, service=case.service, case_id=case.pk
        )
    client = client_for(manager)
    # The 55 views and the case's own creation in the change history.
    total = audit_trail(manager, case_id=case.pk).count()
    assert total > 55
    first = _trail_page(client, case=case.reference)
    assert len(first.context["rows"]) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = _trail_page(client, case=case.reference, page=2)
    assert len(second.context["rows"]) == total - 50


def test_administration_and_file_events_read_plainly(client_for, case, caseworker, manager):
    record_event(actor=caseworker, action=AuditEvent.Action.ADMIN, service=case.service, obj=case)
    record_event(actor=caseworker, action=AuditEvent.Action.SEARCH, service=case.service)
    words = {row["in_words"] for row in _trail_page(client_for(manager)).context["rows"]}
    assert {"Changed the set-up (case)", "Searched"} <= words


def test_the_case_filter_works_on_sqlite_without_json_containment(
    case, caseworker, manager, service, monkeypatch
):
    """Filtering by case reference on the embedded SQLite demo gave a 500 ("contains lookup is
    not supported on this database backend"): a MARAC page's event lists its cases in detail."""
    from django.db import connection
    from django.db.backends.sqlite3.base import DatabaseWrapper

    other = CaseFactory(service=service, reference="CID-2026-00431")
    meeting = record_event(
        actor=caseworker,
        action=AuditEvent.Action.VIEW,
        service=service,
        detail={"page": "marac meeting", "cases": [other.pk, case.pk]},
    )
    # 431 and 4310 are not the case: the id is matched whole, not as a part of another.
    record_event(
        actor=caseworker,
        action=AuditEvent.Action.VIEW,
        service=service,
        detail={"page": "marac meeting", "cases": [case.pk * 10 + 1, case.pk * 100]},
    )
    monkeypatch.setattr(connection.features, "supports_json_field_contains", False)
    trail = audit_trail(manager, case_id=case.pk)

    sqlite = DatabaseWrapper({**connection.settings_dict, "NAME": ":memory:", "OPTIONS": {}})
    trail.query.get_compiler(connection=sqlite).as_sql()  # no NotSupportedError

    details = [row[TRAIL_COLUMNS.index("details")] for row in trail]
    assert len([d for d in details if "marac meeting" in (d or "")]) == 1
    assert str(meeting.detail["cases"][0]) in next(d for d in details if "marac" in (d or ""))
