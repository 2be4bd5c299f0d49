"""Issue 16, item 5: lost updates. Two people load the same edit form and both save: the second is
told what changed (and keeps their input), the first's save stands, and a deliberate second save
wins. One case per record people edit in place."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from cases.models import ChildInCase, Client, Perpetrator
from outcomes import services as outcome_services
from outcomes.models import IntakeForm
from support.models import AreaSupport
from tests.factories import CaseFactory, ChildInCaseFactory, PerpetratorFactory
from tests.factories_support import SafetyPlanVersionFactory
from tests.forms_helpers import form_data, signed_in

CONFLICT = "Someone else saved this record"


@dataclass
class Record:
    """One kind of record: its edit page, a field two people both change, and the two values
    (the second's label as the conflict message should show it, or None for free text)."""

    url: str
    field: str
    first_value: str
    second_value: str
    first_shown: str | None
    stored: Callable[[], object]
    extra: dict | None = None


def _client_record(case, _user):
    client = case.client
    return Record(
        url=reverse("cases:client_edit", args=[client.pk]),
        field="immigration_status",
        first_value="refugee",
        second_value="settled",
        first_shown="Refugee status or humanitarian protection",
        stored=lambda: Client.objects.get(pk=client.pk).immigration_status,
    )


def _safe_contact(case, _user):
    client = case.client
    return Record(
        url=reverse("cases:client_safe_contact", args=[client.pk]),
        field="safe_times",
        first_value="Weekday mornings only",
        second_value="Evenings after eight",
        first_shown=None,  # free text: named, not repeated
        stored=lambda: Client.objects.get(pk=client.pk).safe_times,
    )


def _perpetrator(case, _user):
    perpetrator = PerpetratorFactory(case=case, name="A. Person", relationship="")
    return Record(
        url=reverse("cases:perpetrator_edit", args=[case.pk, perpetrator.pk]),
        field="need_alcohol",
        first_value="Yes",
        second_value="No",
        first_shown="Yes",
        stored=lambda: Perpetrator.objects.get(pk=perpetrator.pk).need_alcohol,
    )


def _child(case, _user):
    child = ChildInCaseFactory(case=case, first_name="Kim", age_years=7)
    return Record(
        url=reverse("cases:child_edit", args=[case.pk, child.pk]),
        field="age_years",
        first_value="8",
        second_value="9",
        first_shown="8",
        stored=lambda: str(ChildInCase.objects.get(pk=child.pk).age_years),
    )


def _outcome_draft(case, user):
    intake = outcome_services.outcome_form_start(kind="intake", case=case, actor=user)
    return Record(
        url=reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk}),
        field="abuse_length",
        first_value="1-11 months",
        second_value="3-5 years",
        first_shown="1-11 months",
        stored=lambda: IntakeForm.objects.get(pk=intake.pk).abuse_length,
        extra={"save": "1"},
    )


def _safety_plan(case, user):
    version = SafetyPlanVersionFactory(
        plan__case=case, plan__created_by=user, number=1, reviewed_on=case.opened_on
    )
    plan = version.plan
    return Record(
        url=reverse("support:plan_review", args=[plan.pk]),
        field="code_words",
        first_value="Text 'is the kettle on?' to my sister.",
        second_value="Call my brother and ask about football.",
        first_shown=None,
        stored=lambda: plan.versions.order_by("-number").first().code_words,
        extra={"review_reason": "A new incident."},
    )


def _area_support(case, _user):
    # No row yet when both load the form: the first save creates it, the second is checked.
    return Record(
        url=reverse("support:support_edit", args=[case.pk, "housing"]),
        field="supported",
        first_value="Yes",
        second_value="No",
        first_shown="Yes",
        stored=lambda: AreaSupport.objects.get(case=case, area="housing").supported,
    )


RECORDS = {
    "client_record": _client_record,
    "safe_contact": _safe_contact,
    "perpetrator": _perpetrator,
    "child": _child,
    "outcome_draft": _outcome_draft,
    "safety_plan": _safety_plan,
    "area_support": _area_support,
}


@pytest.fixture
def case(service, caseworker):
    return CaseFactory(service=service, caseworker=caseworker)


@pytest.mark.parametrize("kind", list(RECORDS))
def test_item_5_second_save_is_told_what_changed_and_keeps_its_input(
    kind, case, caseworker, team_leader
):
    record = RECORDS[kind](case, caseworker)
    if kind == "outcome_draft":
        choices = dict(IntakeForm._meta.get_field("abuse_length").choices)
        assert record.first_value in choices and record.second_value in choices
    first, second = signed_in(caseworker), signed_in(team_leader)
    first_page, second_page = first.get(record.url), second.get(record.url)
    assert first_page.status_code == second_page.status_code == 200
    first_post = {**form_data(first_page.context["form"]), **(record.extra or {})}
    second_post = {**form_data(second_page.context["form"]), **(record.extra or {})}
    first_post[record.field] = record.first_value
    second_post[record.field] = record.second_value

    assert first.post(record.url, first_post).status_code == 302
    refused = second.post(record.url, second_post)

    # Told, not overwritten: the first person's answer stands, nothing of the second's saved.
    assert refused.status_code == 409
    page = refused.content.decode()
    assert CONFLICT in page
    label = str(refused.context["form"].fields[record.field].label)
    assert label in page
    if record.first_shown is not None:
        assert f"now: {record.first_shown}" in page
    assert record.stored() == record.first_value
    # The second person's input is what the form shows again.
    assert str(refused.context["form"][record.field].value()) == record.second_value

    # Saving again, having seen the message, is deliberate: it wins.
    resubmitted = form_data(refused.context["form"])
    assert second.post(record.url, {**resubmitted, **(record.extra or {})}).status_code == 302
    assert record.stored() == record.second_value


def test_item_5_client_record_changes_stay_in_the_change_history(case, caseworker, team_leader):
    record = _client_record(case, caseworker)
    first, second = signed_in(caseworker), signed_in(team_leader)
    first_post = form_data(first.get(record.url).context["form"])
    second_post = form_data(second.get(record.url).context["form"])
    first_post[record.field], second_post[record.field] = "refugee", "settled"
    first.post(record.url, first_post)
    refused = second.post(record.url, second_post)
    second.post(record.url, form_data(refused.context["form"]))

    entries = LogEntry.objects.get_for_object(case.client).order_by("timestamp")
    statuses = [
        e.changes_dict["immigration_status"][1]
        for e in entries
        if e.action == LogEntry.Action.UPDATE and e.changes_dict.get("immigration_status")
    ]
    assert statuses == ["refugee", "settled"]


def test_item_5_edits_of_different_answers_of_one_client_both_stand(case, caseworker, team_leader):
    """The client record and the safe-contact form share a row: neither undoes the other."""
    client = case.client
    record_url = reverse("cases:client_edit", args=[client.pk])
    contact_url = reverse("cases:client_safe_contact", args=[client.pk])
    first, second = signed_in(caseworker), signed_in(team_leader)
    record_post = form_data(first.get(record_url).context["form"])
    contact_post = form_data(second.get(contact_url).context["form"])
    record_post["first_language"] = "Polish"
    contact_post["safe_times"] = "Weekday mornings only"

    assert first.post(record_url, record_post).status_code == 302
    assert second.post(contact_url, contact_post).status_code == 302
    client.refresh_from_db()
    assert (client.first_language, client.safe_times) == ("Polish", "Weekday mornings only")
    assert client.version == 2


def test_item_5_outcome_autosave_is_checked_and_hands_back_the_new_state(
    case, caseworker, team_leader
):
    record = _outcome_draft(case, caseworker)
    autosave = record.url.replace("/edit/", "/autosave/")
    first, second = signed_in(caseworker), signed_in(team_leader)
    first_post = form_data(first.get(record.url).context["form"])
    second_post = form_data(second.get(record.url).context["form"])

    first_post["abuse_length"] = "1-11 months"
    saved = first.post(autosave, first_post)
    assert saved.status_code == 200 and saved.json()["saved"]
    # The page's next autosave is checked against this one: a later change of its own is no
    # conflict.
    first_post["edit_state"] = saved.json()["edit_state"]
    first_post["abuse_length"] = "1-2 years"
    assert first.post(autosave, first_post).status_code == 200

    second_post["abuse_length"] = "3-5 years"
    refused = second.post(autosave, second_post)
    assert refused.status_code == 409
    assert refused.json()["conflict"] and CONFLICT in refused.json()["error"]
    assert IntakeForm.objects.get(pk=case.intake_forms.get().pk).abuse_length == "1-2 years"


def test_item_5_a_damaged_edit_state_is_a_form_error_not_a_500(case, caseworker):
    url = reverse("cases:client_edit", args=[case.client.pk])
    browser = signed_in(caseworker)
    post = form_data(browser.get(url).context["form"])
    post["edit_state"] = "not-a-token"
    response = browser.post(url, post)
    assert response.status_code == 200
    assert "out of date" in response.content.decode()


def test_item_5_saving_again_after_a_conflict_keeps_the_other_persons_changes(
    case, caseworker, team_leader
):
    """The second person left First language alone: the conflict page brings the first person's
    answer into the form, so saving again keeps both people's changes."""
    url = reverse("cases:client_edit", args=[case.client.pk])
    first, second = signed_in(caseworker), signed_in(team_leader)
    first_post = form_data(first.get(url).context["form"])
    second_post = form_data(second.get(url).context["form"])
    first_post.update(preferred_name="Cal", first_language="Welsh")
    second_post.update(preferred_name="Callie", communication_needs="Large print")
    assert first.post(url, first_post).status_code == 302

    refused = second.post(url, second_post)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Their changes to First language are now in the form" in page
    assert "You both changed Preferred name" in page
    form = refused.context["form"]
    assert form["first_language"].value() == "Welsh"  # theirs, brought in
    assert form["preferred_name"].value() == "Callie"  # mine, kept
    assert form["communication_needs"].value() == "Large print"

    assert second.post(url, form_data(form)).status_code == 302
    client = Client.objects.get(pk=case.client.pk)
    assert (client.first_language, client.preferred_name, client.communication_needs) == (
        "Welsh",
        "Callie",
        "Large print",
    )


def test_item_5_the_safe_contact_banner_shows_what_is_saved_not_what_was_refused(
    case, caseworker, team_leader
):
    url = reverse("cases:client_safe_contact", args=[case.client.pk])
    first, second = signed_in(caseworker), signed_in(team_leader)
    first_post = form_data(first.get(url).context["form"])
    second_post = form_data(second.get(url).context["form"])
    first_post["code_word"] = "Is that the vet?"
    second_post["code_word"] = "Is that the dentist?"
    assert first.post(url, first_post).status_code == 302

    refused = second.post(url, second_post)
    assert refused.status_code == 409
    assert refused.context["client"].code_word == "Is that the vet?"
    assert refused.context["form"]["code_word"].value() == "Is that the dentist?"
