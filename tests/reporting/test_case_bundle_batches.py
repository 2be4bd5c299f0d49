"""The case-bundle import writes its lines in batches (issue 20, target 1): bulk inserts whose
query count does not grow with the number of lines, every row in the change history (an entry
per case listing its rows) and one audit event per batch listing every row; an invalid line
still names its line and field."""

import io
import json
import uuid
from collections import Counter

import pytest
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import JSONField
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent, Marac, Role
from cases.models import Agency, Case, Client, Contact
from reporting.bundle.batch import created_changes
from reporting.bundle.bulk_copy import preparer
from reporting.bundle.importer import cases_import
from reporting.bundle.models import ImportedRecord
from reporting.models import CaseFacts
from riskassessment.models import (
    Answer,
    Assessment,
    MaracAction,
    MaracHearing,
    MaracMeeting,
    MaracReferral,
)
from tests.factories import CaseFactory, ContactFactory, MembershipFactory, ServiceFactory


def _member(service, user=None):
    return MembershipFactory(
        service=service, role=Role.CASEWORKER, **({"user": user} if user else {})
    ).user


@pytest.fixture
def one_line(service):
    """One exported line of a generated case, without MARAC records (_with_marac adds them)."""
    user = _member(service)
    MembershipFactory(service=service, role=Role.SERVICE_MANAGER, user=user)
    call_command(
        "generate_cases",
        cases=1,
        seed=3,
        service=[service.code],
        user=user.email,
        stdout=io.StringIO(),
    )
    out = io.StringIO()
    call_command("export_cases", user=user.email, service=[service.code], stdout=out)
    line = json.loads(out.getvalue().splitlines()[1])
    line["marac"] = {"referrals": [], "hearings": []}
    return line


def _bundle(line: dict, copies: int) -> str:
    """`copies` lines alike but for their ids: new lines and new clients."""
    header = {
        "format": "lantern-case-bundle",
        "version": 1,
        "exported_at": "2026-01-01T00:00:00+00:00",
        "services": [line["service"]],
        "period": None,
        "counts": {"lines": copies, "cases": 0, "referrals": 0, "assessments": 0, "contacts": 0},
    }
    lines = [header]
    for _ in range(copies):
        copy = json.loads(json.dumps(line))
        copy["id"] = str(uuid.uuid4())
        copy["client"]["id"] = str(uuid.uuid4())
        lines.append(copy)
    return "".join(json.dumps(item) + "\n" for item in lines)


def _history_listing(row, user) -> str:
    """Where the import's change history has the row: "own" (a CREATE of its own, by `user`),
    "listed" (in its case's CREATE, by model and id, its values not copied) or "" (nowhere)."""
    own = LogEntry.objects.filter(
        content_type__app_label=row._meta.app_label,
        content_type__model=row._meta.model_name,
        object_pk=str(row.pk),
        action=LogEntry.Action.CREATE,
        actor=user,
    )
    if own.exists():
        return "own"
    case_id = getattr(row, "case_id", None)
    case_entries = LogEntry.objects.filter(
        content_type__model="case", object_pk=str(case_id), action=LogEntry.Action.CREATE
    )
    for entry in case_entries.filter(actor=user):
        if row.pk in (entry.additional_data or {}).get("imported_with", {}).get(
            row._meta.label_lower, []
        ):
            return "listed"
    return ""


def _rows_written():
    """Every row the import's batches wrote, as the batches' audit events list them."""
    for event in AuditEvent.objects.filter(detail__has_key="case_bundle_import_batch"):
        for label, ids in event.detail["case_bundle_import_batch"].items():
            yield from apps.get_model(label).objects.filter(pk__in=ids)


def _import_into_new_service(line, copies, **kwargs):
    """The import's result and its number of queries, less its ANALYZEs: a table is analysed
    each time the import doubles it (read_model.StatisticsKept), a few times for any size."""
    target = ServiceFactory()
    user = _member(target)
    text = _bundle(line, copies)
    with CaptureQueriesContext(connection) as queries:
        result = cases_import(
            user=user, lines=io.StringIO(text), service_code=target.code, **kwargs
        )
    counted = [query for query in queries if not query["sql"].startswith("ANALYZE")]
    return target, user, result, len(counted)


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_number_of_lines(one_line):
    # A first import fills the process's caches (content types) that later imports share.
    _import_into_new_service(one_line, 1)
    _target, _user, few, few_queries = _import_into_new_service(one_line, 10)
    _target, _user, many, many_queries = _import_into_new_service(one_line, 50)
    assert (few.imported, many.imported) == (10, 50), [str(e) for e in few.errors + many.errors]
    assert few_queries == many_queries


@pytest.mark.django_db
def test_every_row_is_in_the_change_history_and_the_batch_audit_event(one_line):
    target, user, result, _queries = _import_into_new_service(one_line, 4)
    assert result.committed and result.imported == 4
    cases = list(Case.objects.filter(service=target).values_list("pk", flat=True))
    contacts = list(Contact.objects.filter(case__in=cases).values_list("pk", flat=True))
    assessments = list(Assessment.objects.filter(case__in=cases).values_list("pk", flat=True))
    clients = list(Client.objects.filter(service=target).values_list("pk", flat=True))
    assert len(cases) == len(clients) == 4 and contacts and assessments
    # References are taken from the service's counter, one per case, in line order.
    references = sorted(Case.objects.filter(pk__in=cases).values_list("reference", flat=True))
    assert references == sorted(set(references)) and references[0].endswith("-00001")

    event = AuditEvent.objects.get(detail__has_key="case_bundle_import_batch")
    assert event.actor == user
    listed = event.detail["case_bundle_import_batch"]
    assert sorted(listed["cases.case"]) == sorted(cases)
    assert sorted(listed["cases.contact"]) == sorted(contacts)
    assert sorted(listed["riskassessment.assessment"]) == sorted(assessments)
    assert sorted(listed["cases.client"]) == sorted(clients)
    assert len(listed["bundle.importedrecord"]) == ImportedRecord.objects.count() == 8
    recorded = json.dumps(event.detail)
    assert one_line["client"]["first_name"] not in recorded

    # The change history: an entry per case and per client, as auditlog's signal writes one;
    # the case's lists its other rows by id (their values are on the rows, never copied).
    for model, ids in (("case", cases), ("client", clients)):
        entries = LogEntry.objects.filter(
            content_type__model=model,
            object_pk__in=[str(pk) for pk in ids],
            action=LogEntry.Action.CREATE,
        )
        assert entries.count() == len(ids), model
        assert set(entries.values_list("actor_id", flat=True)) == {user.pk}
    for row in [
        *Contact.objects.filter(pk__in=contacts),
        *Assessment.objects.filter(case__in=cases),
    ]:
        assert _history_listing(row, user) == "listed", row
    entries = LogEntry.objects.filter(content_type__model="case", object_pk__in=map(str, cases))
    assert one_line["client"]["first_name"] not in json.dumps(
        [entry.additional_data for entry in entries]
    )
    # Where the batch turned PostgreSQL's per-row checks off for its writes, they are on again.
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone() == ("origin",)
    # Bulk inserts send no signals: the batch brought the read model up to date itself.
    assert set(CaseFacts.objects.filter(case_id__in=cases).values_list("case_id", flat=True)) == (
        set(cases)
    )


@pytest.mark.django_db
def test_an_invalid_line_in_a_batch_is_named_and_the_rest_follow_skip_invalid(one_line):
    target = ServiceFactory()
    user = _member(target)
    lines = _bundle(one_line, 5).splitlines()
    bad = json.loads(lines[3])
    bad["contacts"] = [{**bad["contacts"][0], "contact_type": "telepathy"}]
    lines[3] = json.dumps(bad)
    text = "\n".join(lines) + "\n"

    result = cases_import(user=user, lines=io.StringIO(text), service_code=target.code)
    assert not result.committed
    assert str(result.errors[0]).startswith("line 4: contacts[0].contact_type: 'telepathy'")
    assert not Case.objects.filter(service=target).exists()

    result = cases_import(
        user=user, lines=io.StringIO(text), service_code=target.code, skip_invalid=True
    )
    assert result.committed and result.imported == 4 and result.invalid_lines == 1
    assert Case.objects.filter(service=target).count() == 4
    # Written line by line (auditlog's signals off there), the change history is the batch
    # path's: the case's entry lists its rows.
    for case in Case.objects.filter(service=target):
        assert (
            LogEntry.objects.filter(content_type__model="case", object_pk=str(case.pk)).count() == 1
        )
        for row in [*case.contacts.all(), *Assessment.objects.filter(case=case)]:
            assert _history_listing(row, user) == "listed", row
    # Re-importing adds nothing: the lines imported are known (one query for the batch).
    again = cases_import(
        user=user, lines=io.StringIO(text), service_code=target.code, skip_invalid=True
    )
    assert again.already_imported == 4 and Case.objects.filter(service=target).count() == 4


@pytest.mark.django_db
def test_the_change_history_of_a_batch_is_what_auditlog_writes_for_each_row(one_line):
    """created_changes reads a new row's values directly; auditlog's own diff of the same row
    (as its signal would store it) gives the same changes, masked free text included."""
    _target, user, result, _queries = _import_into_new_service(_with_marac(one_line), 2)
    assert result.committed
    entries = LogEntry.objects.filter(action=LogEntry.Action.CREATE, actor=user)
    compared = Counter()
    for entry in entries.select_related("content_type"):
        row = entry.content_type.get_object_for_this_type(pk=entry.object_id)
        by_auditlog = model_instance_diff(None, row, use_json_for_changes=True)
        assert created_changes(row) == by_auditlog, entry.content_type.model
        # As stored: a JSON column, its pairs as lists.
        assert entry.changes == json.loads(json.dumps(by_auditlog)), entry.content_type.model
        compared[entry.content_type.model] += 1
    assert {"client", "case"} <= set(compared)
    # Every other row the batch wrote that auditlog would have an entry for is listed in its
    # case's (the batch's audit event lists every row written).
    listed = Counter()
    for row in _rows_written():
        # An assessment's answers go in by one insert on either path, with no entries of their
        # own (the assessment's is theirs).
        if auditlog.contains(type(row)) and not isinstance(row, Answer):
            where = _history_listing(row, user)
            assert where, row._meta.label
            listed[row._meta.model_name] += where == "listed"
    assert {"referral", "contact", "assessment", "marachearing"} <= {
        model for model, count in listed.items() if count
    }


@pytest.mark.django_db
def test_copy_writes_each_value_as_bulk_create_would(one_line):
    """The batch's rows go in by COPY (bulk_copy.py), each value passed as it is when the field
    would give it back unchanged: on every imported row, each field's value is the field's own
    get_db_prep_save."""
    _target, _user, result, _queries = _import_into_new_service(_with_marac(one_line), 2)
    assert result.committed
    checked = Counter()
    for row in _rows_written():
        for field in row._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                continue  # always prepared by the field itself
            if isinstance(field, JSONField):
                continue  # likewise; its adapter has no equality to compare
            expected = field.get_db_prep_save(getattr(row, field.attname), connection)
            assert preparer(field)(row) == expected, (row._meta.label, field.name)
            checked[type(field).__name__] += 1
    assert {"CharField", "TextField", "BooleanField", "DateField", "ForeignKey"} <= set(checked)


@pytest.mark.django_db
def test_a_batch_the_database_refuses_is_written_line_by_line(one_line):
    """A line only the database refuses (a case closed before it opened breaks a check
    constraint, which a queued row leaves to the database): its batch's COPY fails, the batch
    is written again line by line, and the line is named by line and field."""
    target = ServiceFactory()
    user = _member(target)
    lines = _bundle(one_line, 5).splitlines()
    bad = json.loads(lines[2])
    bad["case"]["status"] = "closed"
    bad["case"]["closed_on"] = "2000-01-01"
    lines[2] = json.dumps(bad)
    text = "\n".join(lines) + "\n"

    result = cases_import(
        user=user, lines=io.StringIO(text), service_code=target.code, skip_invalid=True
    )
    assert result.committed and result.imported == 4 and result.invalid_lines == 1
    assert [error.line for error in result.errors] == [3]
    assert str(result.errors[0]).startswith("line 3: case"), str(result.errors[0])
    assert Case.objects.filter(service=target).count() == 4


@pytest.mark.parametrize("set_based", [True, False], ids=["set-based", "per-row"])
@pytest.mark.django_db
def test_a_row_pointing_at_nothing_is_refused_with_its_batch_not_at_the_commit(
    one_line, monkeypatch, set_based
):
    """PostgreSQL checks Django's foreign keys at the end of the transaction unless told
    otherwise: the import checks them at the end of each batch, so a row pointing at no row
    (here, a contact whose recorder is made to vanish between the checks and the COPY) fails
    its batch, which is written again line by line, instead of the whole import's commit.
    Whether the batch's rows were checked by PostgreSQL's per-row checks or, where the role may
    turn those off, once per row pointed at (foreign_keys.py)."""
    from reporting.bundle import importer as importer_module
    from reporting.foreign_keys import per_row_checks_off

    if set_based:
        with transaction.atomic():
            allowed = per_row_checks_off(connection)
            transaction.set_rollback(True)  # the setting goes with the savepoint
        if not allowed:
            pytest.skip("this database role may not turn the per-row checks off")
    else:
        monkeypatch.setattr(importer_module, "per_row_checks_off", lambda connection: False)

    # As in production, where the import starts a transaction of its own: generate_cases (the
    # fixture, in this test's transaction) set the constraints immediate for its batches.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    write_queued = importer_module.Importer.write_queued
    nobody = (
        Contact.objects.order_by("-recorded_by_id").values_list("recorded_by_id", flat=True).first()
        or 0
    ) + 10_000

    def with_a_recorder_who_is_nobody(self):
        for item in self.queue:
            if isinstance(item.obj, Contact):
                item.obj.recorded_by_id = nobody
                break
        return write_queued(self)

    monkeypatch.setattr(importer_module.Importer, "write_queued", with_a_recorder_who_is_nobody)
    checks = []
    check = importer_module.check_references_now

    def counted_check():
        checks.append("asked")
        check()

    monkeypatch.setattr(importer_module, "check_references_now", counted_check)
    target, _user, result, _queries = _import_into_new_service(one_line, 3)
    # The batch was refused and written again line by line (no queue there to tamper with).
    assert result.committed and result.imported == 3, [str(e) for e in result.errors]
    # The refused batch's own check (unless the set-based check refused it first), then one
    # per line.
    assert len(checks) == (0 if set_based else 1) + 3
    assert Contact.objects.filter(case__service=target, recorded_by_id=nobody).count() == 0


def _with_marac(line: dict, *, area: str = "Bundle MARAC", repeat_of: str | None = None) -> dict:
    """The line with a MARAC referral (of its first assessment), a hearing of it at a meeting of
    `area` and an action; `repeat_of`: the day of the client's earlier referral it repeats."""
    line = json.loads(json.dumps(line))
    assert line["assessments"], "the generated case should have an assessment"
    day = line["assessments"][0]["assessed_on"]
    who = line["assessments"][0]["assessor"]
    agency = Agency.objects.order_by("pk").first().name
    line["marac"] = {
        "referrals": [
            {
                "ref": "m1",
                "referred_on": day,
                "referring_agency": agency,
                "referred_by": who,
                "visible_high_risk": True,
                "is_repeat": repeat_of is not None,
                "assessment": line["assessments"][0]["ref"],
                "repeat_of_referred_on": repeat_of,
            }
        ],
        "hearings": [
            {
                "meeting": {"area": area, "held_on": day},
                "referral": "m1",
                "outcome": "Actions agreed.",
                "actions": [{"agency": agency, "action": "Review the plan.", "owner": "Idva"}],
            }
        ],
    }
    return line


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_number_of_marac_lines(one_line):
    """MARAC referrals, hearings and actions go in with the batch (their meetings and the
    referrals they repeat found set-based), not one row at a time."""
    marac_line = _with_marac(one_line)
    _import_into_new_service(marac_line, 1)
    _target, _user, few, few_queries = _import_into_new_service(marac_line, 10)
    _target, _user, many, many_queries = _import_into_new_service(marac_line, 50)
    assert (few.imported, many.imported) == (10, 50), [str(e) for e in few.errors + many.errors]
    assert few_queries == many_queries
    # One meeting of the MARAC for that day, shared by every hearing of every import.
    assert MaracMeeting.objects.filter(marac__name="Bundle MARAC").count() == 1
    assert MaracHearing.objects.filter(meeting__marac__name="Bundle MARAC").count() == 61


@pytest.mark.django_db
def test_marac_rows_of_a_batch_have_history_audit_and_their_repeats(one_line):
    """A referral repeating one of an earlier import, and one repeating a referral earlier in
    the same batch, point at it; every MARAC row is in the change history and the batch's
    audit event; the new MARAC and meeting are made once."""
    target = ServiceFactory()
    user = _member(target)
    first = _with_marac(one_line, area="New MARAC")
    first["id"], first["client"]["id"] = str(uuid.uuid4()), str(uuid.uuid4())
    day = first["marac"]["referrals"][0]["referred_on"]
    header = json.loads(_bundle(first, 1).splitlines()[0])

    def text(*lines):
        return "".join(
            json.dumps(item) + "\n"
            for item in ({**header, "counts": {**header["counts"], "lines": len(lines)}}, *lines)
        )

    result = cases_import(user=user, lines=io.StringIO(text(first)), service_code=target.code)
    assert result.committed, [str(e) for e in result.errors]
    earlier = MaracReferral.objects.get(case__service=target)

    # The same client again: a repeat of the referral imported before, then (a line later in
    # the same batch) a repeat of that one, at a second meeting of the same new MARAC.
    second = _with_marac(one_line, area="New MARAC", repeat_of=day)
    second["id"] = str(uuid.uuid4())
    second["client"]["id"] = first["client"]["id"]
    second["marac"]["hearings"] = []
    third = _with_marac(one_line, area="Newer MARAC", repeat_of=day)
    third["id"] = str(uuid.uuid4())
    third["client"]["id"] = first["client"]["id"]
    result = cases_import(
        user=user, lines=io.StringIO(text(second, third)), service_code=target.code
    )
    assert result.committed and result.imported == 2, [str(e) for e in result.errors]

    second_referral, third_referral = MaracReferral.objects.filter(case__service=target).order_by(
        "pk"
    )[1:]
    assert second_referral.repeat_of == earlier
    assert third_referral.repeat_of == second_referral  # the latest of that day
    assert Marac.objects.filter(name="Newer MARAC").count() == 1
    hearing = MaracHearing.objects.get(case=third_referral.case)
    assert hearing.meeting.marac.name == "Newer MARAC" and hearing.referral == third_referral
    action = MaracAction.objects.get(hearing=hearing)

    event = AuditEvent.objects.filter(detail__has_key="case_bundle_import_batch").latest("pk")
    listed = event.detail["case_bundle_import_batch"]
    assert sorted(listed["riskassessment.maracreferral"]) == [
        second_referral.pk,
        third_referral.pk,
    ]
    assert listed["riskassessment.marachearing"] == [hearing.pk]
    assert listed["riskassessment.maracaction"] == [action.pk]
    for row in (second_referral, third_referral, hearing, action):
        assert _history_listing(row, user), row._meta.model_name
    # The read model counts the hearing (bulk inserts send no signals).
    assert CaseFacts.objects.filter(case=hearing.case).exists()


@pytest.mark.django_db
def test_a_marac_repeat_of_no_earlier_referral_is_named_by_line_and_field(one_line):
    target = ServiceFactory()
    user = _member(target)
    lines = _bundle(_with_marac(one_line), 3).splitlines()
    bad = json.loads(lines[2])
    bad["marac"]["referrals"][0].update(is_repeat=True, repeat_of_referred_on="2001-01-01")
    lines[2] = json.dumps(bad)
    result = cases_import(
        user=user,
        lines=io.StringIO("\n".join(lines) + "\n"),
        service_code=target.code,
        skip_invalid=True,
    )
    assert result.committed and result.imported == 2
    assert [str(error) for error in result.errors] == [
        "line 3: marac.referrals[0].repeat_of_referred_on: the client has no MARAC referral on "
        "that date (it must come earlier in the file or be in Lantern already)."
    ]
    assert MaracHearing.objects.filter(case__service=target).count() == 2


@pytest.mark.django_db
def test_answers_go_in_as_values_with_the_fields_defaults_and_are_listed(one_line):
    """A batch's answers are written from their values (bulk_copy.copy_values), not from model
    instances: each answer of the line is there, under its assessment, with its option, text and
    the timestamps bulk_create would give it, and the batch's audit event lists every one."""
    target, _user, result, _queries = _import_into_new_service(one_line, 2)
    assert result.committed and result.imported == 2
    given = {
        (
            int(number),
            answer.get("option") or None,
            answer.get("detail", ""),
            answer.get("comment", ""),
        )
        for assessment in one_line["assessments"]
        for number, answer in (assessment.get("answers") or {}).items()
    }
    assert given, "the generated case should have answers"
    answers = Answer.objects.filter(assessment__case__service=target).select_related(
        "question", "option"
    )
    written = {
        (
            answer.question.number,
            answer.option.key if answer.option else None,
            answer.detail,
            answer.comment,
        )
        for answer in answers
    }
    assert written == given
    per_line = sum(len(item.get("answers") or {}) for item in one_line["assessments"])
    assert answers.count() == 2 * per_line
    assert all(answer.created_at and answer.updated_at for answer in answers)
    event = AuditEvent.objects.get(detail__has_key="case_bundle_import_batch")
    listed = event.detail["case_bundle_import_batch"]["riskassessment.answer"]
    assert sorted(listed) == sorted(answers.values_list("pk", flat=True))


# --- Resumable imports -----------------------------------------------------------------------


class Interrupted(Exception):
    """Stands for the process being stopped part way (a deploy, a lost connection)."""


def _interrupted_after(text: str, lines: int):
    for number, line in enumerate(io.StringIO(text)):
        if number > lines:  # the header, then `lines` lines
            raise Interrupted
        yield line


@pytest.mark.django_db(transaction=True)
def test_a_resumable_import_keeps_its_written_batches_and_goes_on_after_them(one_line, monkeypatch):
    from reporting.bundle import importer as importer_module

    monkeypatch.setattr(importer_module, "BATCH_LINES", 3)
    target = ServiceFactory()
    user = _member(target)
    text = _bundle(one_line, 8)
    with pytest.raises(Interrupted):
        cases_import(
            user=user,
            lines=_interrupted_after(text, 7),
            service_code=target.code,
            resumable=True,
        )
    # Two whole batches were committed; the third (line 7 read, then the stop) was not begun.
    assert Case.objects.filter(service=target).count() == 6
    assert ImportedRecord.objects.filter(kind=ImportedRecord.Kind.LINE).count() == 6

    again = cases_import(
        user=user, lines=io.StringIO(text), service_code=target.code, resumable=True
    )
    assert (again.imported, again.already_imported, again.stopped) == (2, 6, "")
    assert again.committed and again.errors == []
    assert Case.objects.filter(service=target).count() == 8
    assert Client.objects.filter(service=target).count() == 8


@pytest.mark.django_db
def test_a_resumable_import_stops_at_an_invalid_line_keeping_the_batches_before(
    one_line, monkeypatch
):
    from reporting.bundle import importer as importer_module

    monkeypatch.setattr(importer_module, "BATCH_LINES", 3)
    target = ServiceFactory()
    user = _member(target)
    lines = _bundle(one_line, 8).splitlines()
    bad = json.loads(lines[5])  # file line 6: the second batch's (lines 5-7) second line
    bad["client"]["date_of_birth"] = "yesterday"
    lines[5] = json.dumps(bad)
    text = "\n".join(lines) + "\n"

    result = cases_import(
        user=user, lines=io.StringIO(text), service_code=target.code, resumable=True
    )
    assert result.stopped == "line 6 is invalid"
    assert [str(error).split(":")[:2] for error in result.errors] == [
        ["line 6", " client.date_of_birth"]
    ]
    # The first batch stays; nothing of the second (its valid lines neither), nor after it.
    assert (result.imported, result.already_imported) == (3, 0)
    assert Case.objects.filter(service=target).count() == 3
    assert AuditEvent.objects.filter(
        object_label="Case bundle import", detail__case_bundle_import__stopped=True
    ).exists()

    # Corrected, the same file goes on after the lines already imported.
    lines[5] = json.dumps({**bad, "client": {**bad["client"], "date_of_birth": "1980-02-03"}})
    text = "\n".join(lines) + "\n"
    again = cases_import(
        user=user, lines=io.StringIO(text), service_code=target.code, resumable=True
    )
    assert (again.imported, again.already_imported, again.stopped) == (5, 3, "")
    assert Case.objects.filter(service=target).count() == 8


@pytest.mark.django_db
def test_the_command_says_where_a_resumable_import_stopped_and_how_to_go_on(
    one_line, monkeypatch, tmp_path
):
    from django.core.management.base import CommandError

    from reporting.bundle import importer as importer_module

    monkeypatch.setattr(importer_module, "BATCH_LINES", 2)
    target = ServiceFactory()
    user = _member(target)
    text = _bundle(one_line, 5)
    cut = text[: text.rindex("\n", 0, len(text) - 1) + 40]  # the last line cut short
    path = tmp_path / "cut.jsonl"
    path.write_text(cut, encoding="utf-8")
    with pytest.raises(CommandError) as stopped:
        call_command(
            "import_cases",
            str(path),
            user=user.email,
            service=target.code,
            resumable=True,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    message = str(stopped.value)
    assert message.startswith("Stopped: line 6: ")
    assert "4 line(s) imported before it are kept" in message
    assert "run the same command again" in message
    assert Case.objects.filter(service=target).count() == 4


@pytest.mark.django_db(transaction=True)
def test_the_command_says_an_interrupted_import_keeps_its_batches_only_when_resumable(
    one_line, monkeypatch, tmp_path
):
    from django.core.management.base import CommandError

    from reporting.bundle import importer as importer_module
    from reporting.management.commands import import_cases

    monkeypatch.setattr(importer_module, "BATCH_LINES", 2)
    target = ServiceFactory()
    user = _member(target)
    path = tmp_path / "bundle.jsonl"
    path.write_text(_bundle(one_line, 5), encoding="utf-8")
    lines_of = import_cases.bundle_lines

    def stopped_after_three_lines(stream):
        for number, line in enumerate(lines_of(stream)):
            if number > 3:  # the header and three lines: one batch of two written
                raise KeyboardInterrupt
            yield line

    monkeypatch.setattr(import_cases, "bundle_lines", stopped_after_three_lines)
    arguments = {"user": user.email, "service": target.code, "stderr": io.StringIO()}
    with pytest.raises(CommandError, match=r"^Interrupted: nothing imported"):
        call_command("import_cases", str(path), **arguments)
    assert Case.objects.filter(service=target).count() == 0
    with pytest.raises(CommandError, match=r"^Interrupted\. The batches of lines written before"):
        call_command("import_cases", str(path), resumable=True, **arguments)
    assert Case.objects.filter(service=target).count() == 2


@pytest.mark.django_db
def test_the_audit_trail_says_what_came_with_an_imported_case(one_line):
    """The trail's entry for an imported case counts, by kind, the rows listed with it in its
    change-history entry (what came with it, never their contents)."""
    from accounts.selectors import as_rows, audit_trail

    target, _user, result, _queries = _import_into_new_service(one_line, 1)
    assert result.committed
    case = Case.objects.get(service=target)
    manager = MembershipFactory(service=target, role=Role.SERVICE_MANAGER).user
    rows = as_rows(audit_trail(manager, case_id=case.pk))
    added = [row for row in rows if row["what"] == "create" and row["object_type"] == "cases.case"]
    assert len(added) == 1
    contacts = case.contacts.count()
    assert added[0]["detail_words"].startswith("Imported with ")
    assert f"{contacts} contacts" in added[0]["detail_words"]
    assert one_line["client"]["first_name"] not in json.dumps(rows, default=str)


def _rows_built(monkeypatch, line, target, user) -> list:
    """Every row the import of `line` builds, as save() is given it: its model, its fields'
    values (ids apart), its related rows, and its state."""
    from reporting.bundle import rows as rows_module

    built = []
    save = rows_module.RowWriter.save

    def recording(self, obj, path, many=None):
        values = {
            field.attname: getattr(obj, field.attname)
            for field in obj._meta.concrete_fields
            if not field.primary_key and field.attname != "created_at"
        }
        related = {
            field.name: type(field.get_cached_value(obj, None)).__name__
            for field in obj._meta.concrete_fields
            if field.is_relation
        }
        built.append((obj._meta.label, path, values, related, obj._state.adding, obj._state.db))
        return save(self, obj, path, many)

    with monkeypatch.context() as patched, transaction.atomic():
        patched.setattr(rows_module.RowWriter, "save", recording)
        result = cases_import(
            user=user, lines=io.StringIO(_bundle(line, 1)), service_code=target.code
        )
        transaction.set_rollback(True)
    assert result.imported == 1, result.errors
    return built


@pytest.mark.django_db
def test_rows_are_built_as_the_models_own_init_and_descriptors_build_them(one_line, monkeypatch):
    """The import builds its rows without Model.__init__ and sets their foreign keys without
    the descriptors' checks (rows.new_row, rows.relate): every row of a line, of every kind,
    equals the one model(**values) and setattr build."""
    from reporting.bundle import rows as rows_module

    line = json.loads(json.dumps(one_line))
    target = ServiceFactory()
    user = _member(target)
    fast = _rows_built(monkeypatch, line, target, user)
    monkeypatch.setattr(rows_module, "new_row", lambda model, **fixed: model(**fixed))
    monkeypatch.setattr(
        rows_module,
        "relate",
        lambda obj, foreign_key, related: setattr(obj, foreign_key.name, related),
    )
    by_init = _rows_built(monkeypatch, line, target, user)

    assert len(fast) > 10 and {label for label, *_ in fast} >= {
        "cases.Client",
        "cases.Case",
        "cases.Contact",
        "riskassessment.Assessment",
    }
    for ours, theirs in zip(fast, by_init, strict=True):
        label, path, values, related, adding, _db = ours
        assert (label, path, related, adding) == theirs[:2] + theirs[3:5], (label, path)
        # Ids of rows written with this line differ between the two imports; all else agrees.
        differ = {
            name
            for name, value in values.items()
            if (value is None) != (theirs[2][name] is None)
            or (value != theirs[2][name] and not name.endswith("_id"))
        }
        assert not differ, (label, path, differ)


@pytest.mark.django_db
def test_a_model_with_init_receivers_is_built_by_its_own_init():
    """A receiver of pre_init or post_init (none today) would be skipped by new_row: such a
    model is built by Model.__init__ itself."""
    from django.db.models.signals import post_init

    from reporting.bundle.rows import _new_row_plan, new_row

    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    _new_row_plan.cache_clear()
    post_init.connect(receiver, sender=Contact)
    try:
        contact = new_row(Contact, notes="x")
    finally:
        post_init.disconnect(receiver, sender=Contact)
        _new_row_plan.cache_clear()
    assert seen == [contact]
    without = new_row(Contact)
    assert without not in seen and without._state.adding


@pytest.mark.django_db
def test_parents_give_their_ids_as_bulk_create_has_them_give(service):
    """bulk_copy.take_parents_ids is Model._prepare_related_fields_for_save("bulk_create") for
    rows whose relations are foreign keys: a saved parent gives its id, an unsaved one is
    refused with Django's words, a key changed since the parent was given drops the parent."""
    from cases.models import CaseTransfer
    from reporting.bundle.bulk_copy import _parent_keys, take_parents_ids

    case = CaseFactory(service=service)
    unsaved = Case(service=service, client=case.client)
    ours, djangos = Contact(case=unsaved), Contact(case=unsaved)
    with pytest.raises(ValueError) as refused:
        take_parents_ids(ours)
    with pytest.raises(ValueError) as refused_by_django:
        djangos._prepare_related_fields_for_save(operation_name="bulk_create")
    assert str(refused.value) == str(refused_by_django.value)

    for prepare in (
        take_parents_ids,
        lambda row: row._prepare_related_fields_for_save(operation_name="bulk_create"),
    ):
        given = Contact(case=unsaved)
        unsaved.pk = case.pk  # as a parent written in an earlier round
        prepare(given)
        assert given.case_id == case.pk and given._state.fields_cache["case"] is unsaved
        changed = Contact(case=unsaved)
        changed.case_id = case.pk + 1
        prepare(changed)
        assert changed.case_id == case.pk + 1 and "case" not in changed._state.fields_cache
        unsaved.pk = None
    # A one-to-one field's descriptor does more: such a model keeps Django's own method.
    assert _parent_keys(CaseTransfer) is None and _parent_keys(Contact)


@pytest.mark.django_db
def test_ids_are_taken_from_the_tables_sequence_in_one_query(service):
    """bulk_copy.take_ids: new ids of the table's own sequence, as many as asked, in one query,
    and never one a row of the table already has or a later insert gets."""
    from reporting.bundle.bulk_copy import take_ids

    existing = ContactFactory(case=CaseFactory(service=service))
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        taken = take_ids(cursor, Contact._meta, 3)
    assert len(queries) == 1 and len(set(taken)) == 3 and min(taken) > existing.pk
    assert ContactFactory(case=existing.case).pk > max(taken)


@pytest.mark.django_db
def test_the_cycle_collector_runs_once_a_batch_and_is_given_back_as_it_was(one_line, monkeypatch):
    """During an import Python's automatic collections are off (a fifth of its CPU time), the
    youngest generation (the batch's objects) is collected after each batch, and the collector
    is left as the import found it."""
    import gc

    from reporting.bundle import importer as importer_module

    monkeypatch.setattr(importer_module, "BATCH_LINES", 2)
    collected, enabled_while = [], []
    collect = gc.collect

    def recorded(generation=2):
        collected.append(generation)
        enabled_while.append(gc.isenabled())
        return collect(generation)

    monkeypatch.setattr(importer_module.gc, "collect", recorded)
    assert gc.isenabled()
    _target, _user, result, _queries = _import_into_new_service(one_line, 5)
    assert result.imported == 5
    assert collected == [0, 0] and enabled_while == [False, False]  # after 2 full batches
    assert gc.isenabled()

    gc.disable()
    try:
        _import_into_new_service(one_line, 1)
        assert not gc.isenabled()
    finally:
        gc.enable()
