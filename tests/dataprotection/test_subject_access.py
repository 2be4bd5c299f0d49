"""Subject access in one step (issue 21, item 4; item 7's lawful basis on the output): everything
held about the client of a case, gathered across their cases the user may see, third parties'
data flagged and redacted, built as a PDF and a JSON file from the same structure, and none of
another client's data in either."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.lookup import AuditedRefusal
from accounts.models import AuditEvent, Role
from cases.models import Case, ClientAlias, InformationSharing
from dataprotection import selectors, services
from dataprotection import subject_access as answer
from dataprotection.dates import one_month_after
from dataprotection.models import RectificationRequest, SubjectAccessRequest
from dataprotection.tasks import build_subject_access
from outcomes.models import CivilOrder
from tests.factories import (
    CaseFactory,
    ChildInCaseFactory,
    ClientFactory,
    ConsentRecordFactory,
    ContactFactory,
    MembershipFactory,
    PerpetratorFactory,
    ServiceFactory,
    UserFactory,
)
from tests.factories_marac import MaracHearingFactory, MaracReferralFactory
from tests.factories_outcomes import (
    CivilJusticeFormFactory,
    CriminalJusticeFormFactory,
    ExitFormFactory,
    IntakeFormFactory,
    PoliceReportFactory,
    ReviewFormFactory,
)
from tests.factories_referrals import ReferralFactory
from tests.factories_riskassessment import AgencyFactory, submitted
from tests.factories_support import (
    AreaSupportFactory,
    InterventionFactory,
    SafetyPlanFactory,
    SafetyPlanVersionFactory,
)
from tests.signin import sign_in_with_second_factor

pytestmark = pytest.mark.django_db

# Another client of the same service: none of this may reach the first client's answer.
OTHER_CLIENT_WORDS = ["Zebedee", "Wolfsbane", "Grimsby Thorncastle", "XYZZY-OTHER-NOTE"]


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def lead(service):
    user = UserFactory(full_name="Tessa Lighthouse")
    MembershipFactory(user=user, service=service, role=Role.TEAM_LEADER)
    return user


@pytest.fixture
def world(service, lead):
    """A client with one record of every kind the issue names, and another client beside."""
    client = ClientFactory(
        service=service, first_name="Marigold", last_name="Quillfeather", lawful_basis="consent"
    )
    case = CaseFactory(service=service, client=client)
    ClientAlias.objects.create(client=client, name="Goldie Q")
    ConsentRecordFactory(client=client, recorded_by=lead, note="Consents by text only")
    ReferralFactory(
        service=service,
        client=client,
        case=case,
        referrer_name="Ottoline Fairweather",
        reason="Referred after an incident",
    )
    PerpetratorFactory(case=case, name="Brannigan Voss", notes="Works nights")
    ChildInCaseFactory(case=case, first_name="Perpetua", age_years=7)
    ContactFactory(
        case=case,
        recorded_by=lead,
        notes="Brannigan came round again; spoke to Tessa Lighthouse after.",
    )
    ContactFactory(case=case, recorded_by=lead, notes="Client well, plans to move in spring.")
    submitted(case, lead, ticks=3)
    plan = SafetyPlanFactory(case=case, created_by=lead)
    SafetyPlanVersionFactory(plan=plan, number=1, escape_route_bag="Bag kept at work locker")
    IntakeFormFactory(case=case, created_by=lead)
    ReviewFormFactory(case=case, created_by=lead)
    ExitFormFactory(case=case, created_by=lead)
    AreaSupportFactory(case=case, updated_by=lead, notes="Housing support arranged")
    InterventionFactory(case=case, recorded_by=lead, notes="Police check done")
    MaracReferralFactory(case=case, referred_by=lead)
    MaracHearingFactory(case=case, outcome="Heard; actions agreed")
    criminal = CriminalJusticeFormFactory(case=case, created_by=lead)
    PoliceReportFactory(case=case, form=criminal)
    civil = CivilJusticeFormFactory(case=case, created_by=lead)
    CivilOrder.objects.create(
        case=case, form=civil, order_type=CivilOrder._meta.get_field("order_type").choices[0][0]
    )
    InformationSharing.objects.create(
        case=case,
        agency=AgencyFactory(),
        shared_on=timezone.localdate(),
        with_consent=True,
        shared_by=lead,
        what_was_shared="Risk summary",
    )
    RectificationRequest.objects.create(
        case=case,
        received_on=timezone.localdate(),
        requested="My date of birth is wrong",
        recorded_by=lead,
    )
    AuditEvent.objects.create(
        actor=lead, action=AuditEvent.Action.VIEW, case_id=case.pk, object_label="Case x"
    )

    other = ClientFactory(service=service, first_name="Zebedee", last_name="Wolfsbane")
    other_case = CaseFactory(service=service, client=other)
    PerpetratorFactory(case=other_case, name="Grimsby Thorncastle")
    ContactFactory(case=other_case, recorded_by=lead, notes="XYZZY-OTHER-NOTE about Zebedee")
    request = SubjectAccessRequest.objects.create(
        case=case, received_on=datetime.date(2026, 1, 31), recorded_by=lead
    )
    return {"client": client, "case": case, "request": request}


EXPECTED_SECTIONS = {
    "cases.client",
    "cases.clientalias",
    "cases.consentrecord",
    "cases.case",
    "referrals.referral",
    "cases.perpetrator",
    "cases.childincase",
    "cases.contact",
    "riskassessment.assessment",
    "support.safetyplan",
    "outcomes.intakeform",
    "outcomes.reviewform",
    "outcomes.exitform",
    "support.areasupport",
    "support.intervention",
    "riskassessment.maracreferral",
    "riskassessment.marachearing",
    "outcomes.criminaljusticeform",
    "outcomes.policereport",
    "outcomes.civiljusticeform",
    "outcomes.civilorder",
    "cases.informationsharing",
    "dataprotection.rectificationrequest",
    "accounts.auditevent",
}


def _built(world, lead):
    summary = services.subject_access_build(request_id=world["request"].pk, user_id=lead.pk)
    world["request"].refresh_from_db()
    sar = world["request"]
    with sar.json.open("rb") as stored:
        parsed = json.loads(stored.read())
    with sar.pdf.open("rb") as stored:
        pdf = _pdf_text(stored.read())
    return summary, parsed, pdf


def test_the_answer_holds_every_kind_of_record_and_nothing_of_another_client(world, lead):
    summary, parsed, pdf = _built(world, lead)
    sections = {section["key"]: section for section in parsed["sections"]}
    assert set(sections) >= EXPECTED_SECTIONS
    assert summary == {"records": summary["records"], "not_visible": 0}
    # Child rows: the assessment's answers with the questions' own words, the plan's versions.
    assessment = sections["riskassessment.assessment"]["records"][0]
    assert len(assessment["children"]) > 10
    assert any("resulted in injury" in field["value"].lower() for c in assessment["children"]
               for field in c["fields"])  # fmt: skip
    plan = sections["support.safetyplan"]["records"][0]
    assert any(f["value"] == "Bag kept at work locker" for f in plan["children"][0]["fields"])
    # Labels as shown (verbose names, choice labels), the lawful basis on both outputs.
    assert parsed["lawful_basis"] == "Consent (Article 6(1)(a))"
    assert "Consent (Article 6(1)(a))" in pdf
    client_record = sections["cases.client"]["records"][0]
    client_fields = {f["label"]: f["value"] for f in client_record["fields"]}
    assert client_fields["First name"] == "Marigold"
    everything = json.dumps(parsed)
    for text in ("Goldie Q", "Consents by text only", "Housing support arranged",
                 "Heard; actions agreed", "Risk summary", "My date of birth is wrong",
                 "plans to move in spring"):  # fmt: skip
        assert text in everything
    assert "Marigold" in pdf and "plans to move in spring" in pdf
    for word in OTHER_CLIENT_WORDS:
        assert word not in everything
        assert word not in pdf
    # The access history names who read the record.
    history = sections["accounts.auditevent"]["records"]
    assert any(f["value"] == "Tessa Lighthouse" for r in history for f in r["fields"])


def test_third_parties_are_flagged_and_redactions_apply_to_both_files(world, lead):
    sar = world["request"]
    flagged = answer.flagged_items(answer.gather(lead, sar))
    reasons = {(item["field_label"], item["flag"]) for item in flagged}
    assert ("Whole record", "A perpetrator's details") in reasons
    assert ("Whole record", "A child's details") in reasons
    assert ("Referrer name", "The referrer's details") in reasons
    contact_flags = [item for item in flagged if item["value"].startswith("Brannigan came")]
    assert contact_flags and contact_flags[0]["flag"] == "Names a perpetrator"
    # The quiet contact's note is not flagged: only known names are.
    assert not any("plans to move" in item["value"] for item in flagged)

    perpetrator = next(i for i in flagged if i["flag"] == "A perpetrator's details")
    chosen = {
        answer.parse_token(perpetrator["token"]),
        answer.parse_token(contact_flags[0]["token"]),
    }
    offered = {answer.parse_token(item["token"]) for item in flagged}
    assert services.subject_access_set_redactions(
        actor=lead, request=sar, chosen=chosen, offered=offered, reason="Third party"
    ) == (2, 0)
    _, parsed, pdf = _built(world, lead)
    everything = json.dumps(parsed)
    for text in ("Brannigan came round", "Brannigan Voss", "Works nights"):
        assert text not in everything and text not in pdf
    assert answer.REDACTED in everything and "[redacted: third-party" in pdf
    # Not redacted: the child, whose record was flagged but not ticked.
    assert "Perpetua" in everything

    # A redaction after the build makes the files stale: back to open, nothing to download.
    assert sar.status == SubjectAccessRequest.Status.READY
    services.subject_access_set_redactions(
        actor=lead, request=sar, chosen={answer.parse_token(perpetrator["token"])},
        offered=offered, reason="",
    )  # fmt: skip
    sar.refresh_from_db()
    assert sar.status == SubjectAccessRequest.Status.OPEN and sar.redactions.count() == 1


def test_a_redaction_must_name_a_record_shown_and_give_a_reason(world, lead):
    sar = world["request"]
    other_contact = ("cases.contact", "999999", "notes")
    with pytest.raises(services.ValidationError):
        services.subject_access_set_redactions(
            actor=lead, request=sar, chosen={other_contact}, offered=set(), reason="x"
        )
    item = answer.flagged_items(answer.gather(lead, sar))[0]
    key = answer.parse_token(item["token"])
    with pytest.raises(services.ValidationError):
        services.subject_access_set_redactions(
            actor=lead, request=sar, chosen={key}, offered={key}, reason="  "
        )
    assert not sar.redactions.exists()


def test_a_restricted_case_the_user_cannot_see_is_counted_not_included(world, lead, service):
    manager = UserFactory(full_name="Morwenna Manager")
    MembershipFactory(user=manager, service=service, role=Role.SERVICE_MANAGER)
    hidden = CaseFactory(service=service, client=world["client"], is_restricted=True)
    ContactFactory(case=hidden, recorded_by=lead, notes="HIDDEN-CASE-NOTE")
    elsewhere = ServiceFactory(provider=service.provider, name="Hospital Idva")
    far = CaseFactory(service=elsewhere, client=world["client"])
    ContactFactory(case=far, recorded_by=lead, notes="OTHER-SERVICE-NOTE")

    gathered = answer.gather(lead, world["request"])
    assert "HIDDEN-CASE-NOTE" not in json.dumps(gathered)
    assert "OTHER-SERVICE-NOTE" not in json.dumps(gathered)
    not_visible = {item["service"]: item for item in gathered["not_visible"]}
    assert not_visible[service.name]["records"] == 2  # the case and its contact
    assert "Morwenna Manager" in not_visible[service.name]["ask"]
    assert not_visible["Hospital Idva"]["records"] == 2

    hidden.restricted_to.add(lead)
    gathered = answer.gather(lead, world["request"])
    assert "HIDDEN-CASE-NOTE" in json.dumps(gathered)
    assert [item["service"] for item in gathered["not_visible"]] == ["Hospital Idva"]


def test_due_a_month_later_and_on_the_home_page_until_sent(world, lead, client):
    sar = world["request"]
    assert sar.due_on == datetime.date(2026, 2, 28) == one_month_after(sar.received_on)
    assert list(selectors.subject_access_due(lead)) == [sar]
    sign_in_with_second_factor(client, lead)
    home = client.get(reverse("home")).content.decode()
    assert "Subject access requests to answer" in home and "Overdue" in home

    with pytest.raises(services.ValidationError):
        services.subject_access_mark_sent(actor=lead, request=sar)  # not built yet
    build_subject_access.run(sar.pk, lead.pk)  # the task itself, in this process
    sar.refresh_from_db()
    sent = services.subject_access_mark_sent(actor=lead, request=sar, expected_version=sar.version)
    assert sent.status == "sent" and sent.sent_by == lead
    assert list(selectors.subject_access_due(lead)) == []
    with pytest.raises(services.AlreadyAnswered):
        services.subject_access_mark_sent(actor=lead, request=sar)
    steps = set(
        AuditEvent.objects.filter(
            case_id=sar.case_id, detail__has_key="subject_access"
        ).values_list("detail__subject_access", flat=True)
    )
    assert {"build", "send"} <= steps


def test_the_pages_open_review_build_download_and_send(world, lead, client):
    case = world["case"]
    sign_in_with_second_factor(client, lead)
    response = client.post(
        reverse("dataprotection:subject_access_open", args=[case.pk]),
        {"received_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    sar = SubjectAccessRequest.objects.exclude(pk=world["request"].pk).get()
    detail = reverse("dataprotection:subject_access_detail", args=[case.pk, sar.pk])
    page = client.get(detail).content.decode()
    assert "A perpetrator&#x27;s details" in page and "Consent (Article 6(1)(a))" in page
    assert "Zebedee" not in page

    flagged = answer.flagged_items(answer.gather(lead, sar))
    token = next(i["token"] for i in flagged if i["flag"] == "A perpetrator's details")
    response = client.post(
        reverse("dataprotection:subject_access_redact", args=[case.pk, sar.pk]),
        {"version": sar.version, "offered": [i["token"] for i in flagged], "redact": [token],
         "reason": "Third party"},
    )  # fmt: skip
    assert response.status_code == 302 and sar.redactions.count() == 1
    # A stale page (the version moved on) saves nothing.
    response = client.post(
        reverse("dataprotection:subject_access_redact", args=[case.pk, sar.pk]),
        {"version": 0, "offered": [token], "redact": [], "reason": ""},
    )
    assert response.status_code == 302 and sar.redactions.count() == 1

    download = reverse("dataprotection:subject_access_download", args=[case.pk, sar.pk, "pdf"])
    assert client.get(download).status_code == 404  # not built yet
    services.subject_access_build(request_id=sar.pk, user_id=lead.pk)
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'"{case.reference}-subject-access.pdf"')
    assert "Brannigan Voss" not in _pdf_text(b"".join(response.streaming_content))
    response = client.get(
        reverse("dataprotection:subject_access_download", args=[case.pk, sar.pk, "json"])
    )
    assert json.loads(b"".join(response.streaming_content))["case_reference"] == case.reference
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.DOWNLOAD, detail__subject_access="download"
        ).count()
        == 2
    )
    sar.refresh_from_db()
    response = client.post(
        reverse("dataprotection:subject_access_send", args=[case.pk, sar.pk]),
        {"version": sar.version, "sent_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    sar.refresh_from_db()
    assert sar.status == "sent"
    # Every step is in the audit trail, by its name only (no value from the answer).
    events = AuditEvent.objects.filter(case_id=case.pk, detail__has_key="subject_access")
    steps = set(events.values_list("detail__subject_access", flat=True))
    assert steps == {"open", "gather", "redact", "build", "download", "send"}
    assert not any("Brannigan" in json.dumps(event.detail) for event in events)


def test_a_caseworker_gets_403_and_another_service_404(world, client, service):
    caseworker = MembershipFactory(service=service, role=Role.CASEWORKER).user
    outsider = MembershipFactory(service=ServiceFactory(), role=Role.TEAM_LEADER).user
    case, sar = world["case"], world["request"]
    urls = [
        reverse("dataprotection:subject_access", args=[case.pk]),
        reverse("dataprotection:subject_access_detail", args=[case.pk, sar.pk]),
    ]
    sign_in_with_second_factor(client, caseworker)
    assert [client.get(url).status_code for url in urls] == [403, 403]
    client.logout()
    sign_in_with_second_factor(client, outsider)
    assert [client.get(url).status_code for url in urls] == [404, 404]
    with pytest.raises(AuditedRefusal):
        services.subject_access_build(request_id=sar.pk, user_id=caseworker.pk)


def test_the_command_writes_both_files_named_by_the_reference(world, lead, tmp_path):
    case = world["case"]
    out = io.StringIO()
    call_command(
        "subject_access", case.reference, user=lead.email, output=str(tmp_path), stdout=out
    )
    pdf = tmp_path / f"{case.reference}-subject-access.pdf"
    parsed = json.loads((tmp_path / f"{case.reference}-subject-access.json").read_text())
    assert "Marigold" in _pdf_text(pdf.read_bytes())
    assert parsed["lawful_basis"].startswith("Consent")
    assert "Marigold" not in out.getvalue() and "Quillfeather" not in out.getvalue()
    assert (
        AuditEvent.objects.filter(
            actor=lead, case_id=case.pk, detail__subject_access="download"
        ).count()
        == 2
    )
    with pytest.raises(CommandError):
        call_command("subject_access", "NO-SUCH-REF", user=lead.email, output=str(tmp_path))
    caseworker = MembershipFactory(service=case.service, role=Role.CASEWORKER).user
    with pytest.raises(CommandError):
        call_command("subject_access", case.reference, user=caseworker.email, output=str(tmp_path))
    assert Case.objects.filter(pk=case.pk).exists()


def test_every_kind_of_case_data_has_a_place_in_the_answer():
    """A kind of record added later is gathered without anyone remembering to add it here: each
    CaseDataModel is a section of its own or printed under the row it belongs to."""
    from django.apps import apps

    from accounts.audit import CaseDataModel
    from cases.models import Client

    roots, children = answer.record_models()
    placed = set(roots) | {child for linked in children.values() for child, _ in linked}
    kinds = {
        model
        for model in apps.get_models()
        if issubclass(model, CaseDataModel)
        and model._meta.label_lower not in answer.EXCLUDED_MODELS
        and model not in (Case, Client)
    }
    assert kinds - placed == set()
    # ... and printed once: a safety plan's version under its plan, not under its assessment too.
    child_kinds = [child for linked in children.values() for child, _ in linked]
    assert len(child_kinds) == len(set(child_kinds))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("worker_runs", [True, False])
def test_the_build_message_says_whether_the_files_are_ready(
    world, lead, client, monkeypatch, worker_runs
):
    """With a worker, the files are built later ("reload in a moment"); where no worker runs
    (the embedded demo builds in-process) they are already there, and the message says so.
    Transactional: the build is asked for when the request's transaction commits."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", not worker_runs)
    if worker_runs:
        # The message goes to the worker; it builds nothing in this test.
        monkeypatch.setattr(build_subject_access, "delay", lambda *args: None)
    sar = world["request"]
    sign_in_with_second_factor(client, lead)
    response = client.post(
        reverse("dataprotection:subject_access_build", args=[sar.case_id, sar.pk]),
        {"version": sar.version},
        follow=True,
    )
    page = response.content.decode()
    sar.refresh_from_db()
    if worker_runs:
        assert sar.built_at is None
        assert "being built: reload this page in a moment" in page
    else:
        assert sar.built_at is not None
        assert "The PDF and JSON are built: download them below." in page
