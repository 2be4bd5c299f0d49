"""Outcome forms never lose answers (issue 18, item 8): Submit saves the draft first, then counts
the gaps from what it just saved and asks; declining leaves the saved draft with the new
answers. A submitted form is still changed only by a confirmed submit."""

import datetime
import re

import pytest
from django.urls import reverse

from outcomes import services
from outcomes.models import FormStatus, IntakeForm
from tests.factories import CaseFactory
from tests.factories_outcomes import complete_values

from .rules_helpers import TODAY, timedelta


@pytest.fixture
def case(service, caseworker):
    return CaseFactory(service=service, caseworker=caseworker, opened_on=TODAY - timedelta(30))


@pytest.fixture
def intake(case, caseworker):
    return services.outcome_form_start(kind="intake", case=case, actor=caseworker)


def _post_data(values: dict) -> dict:
    data = {}
    for key, value in values.items():
        if isinstance(value, list):
            data[key] = [option.pk for option in value]
        elif isinstance(value, datetime.date):
            data[key] = value.isoformat()
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = value
    return data


def _edit_state(html: str) -> str:
    return re.search(r'name="edit_state" value="([^"]*)"', html).group(1)


# --- The service -------------------------------------------------------------------------------


def test_submit_with_gaps_saves_every_answer_before_asking(intake, caseworker):
    values = complete_values("intake", abuse_typology="", completed_on=intake.case.opened_on)
    with pytest.raises(services.GapsToConfirm) as pending:
        services.outcome_form_save(form=intake, actor=caseworker, values=values, submit=True)
    assert pending.value.gaps == ["Typology of abuse"]
    stored = IntakeForm.objects.get(pk=intake.pk)
    assert stored.status == FormStatus.DRAFT
    assert stored.version == intake.version + 1
    for field in ("level_physical", "level_sexual", "abuse_length", "client_ace"):
        assert getattr(stored, field) == values[field]
    assert set(stored.physical_abuse_details.all()) == set(values["physical_abuse_details"])


def test_gaps_are_counted_from_the_answers_just_saved_not_the_last_draft(intake, caseworker):
    # The last draft had the abuse length answered and the typology blank.
    draft = complete_values("intake", abuse_typology="", completed_on=intake.case.opened_on)
    services.outcome_form_save(form=intake, actor=caseworker, values=draft)
    # The page now answers the typology and clears the length: one gap, the length.
    typology = next(v for v, _label in IntakeForm._meta.get_field("abuse_typology").choices if v)
    page = {**draft, "abuse_typology": typology, "abuse_length": ""}
    with pytest.raises(services.GapsToConfirm) as pending:
        services.outcome_form_save(
            form=IntakeForm.objects.get(pk=intake.pk), actor=caseworker, values=page, submit=True
        )
    assert pending.value.gaps == ["For how long has the abuse been occurring?"]
    stored = IntakeForm.objects.get(pk=intake.pk)
    assert (stored.abuse_typology, stored.abuse_length) == (typology, "")


def test_a_submit_refused_for_a_required_answer_keeps_the_draft(intake, caseworker):
    values = complete_values("intake", level_sexual="", completed_on=intake.case.opened_on)
    with pytest.raises(services.SubmitRefused) as refused:
        services.outcome_form_save(form=intake, actor=caseworker, values=values, submit=True)
    assert "level_sexual" in refused.value.message_dict
    stored = IntakeForm.objects.get(pk=intake.pk)
    assert stored.status == FormStatus.DRAFT
    assert stored.level_physical == values["level_physical"]


def test_an_answer_breaking_a_draft_rule_saves_nothing_on_submit(intake, caseworker):
    future = TODAY + timedelta(3)
    values = complete_values("intake", completed_on=future)
    with pytest.raises(services.ValidationError) as refused:
        services.outcome_form_save(form=intake, actor=caseworker, values=values, submit=True)
    assert not isinstance(refused.value, services.SubmitRefused)
    stored = IntakeForm.objects.get(pk=intake.pk)
    assert stored.level_physical == ""
    assert stored.version == intake.version


def test_changing_a_submitted_form_with_new_gaps_changes_nothing_until_confirmed(
    intake, caseworker
):
    values = complete_values("intake", completed_on=intake.case.opened_on)
    services.outcome_form_save(form=intake, actor=caseworker, values=values, submit=True)
    submitted = IntakeForm.objects.get(pk=intake.pk)
    with pytest.raises(services.GapsToConfirm):
        services.outcome_form_save(
            form=submitted, actor=caseworker, values={**values, "abuse_typology": ""}, submit=True
        )
    stored = IntakeForm.objects.get(pk=intake.pk)
    assert stored.abuse_typology == values["abuse_typology"]
    assert stored.version == submitted.version


# --- The page ----------------------------------------------------------------------------------


def test_submit_page_saves_then_asks_and_declining_keeps_the_new_answers(
    client_for, intake, caseworker
):
    client = client_for(caseworker)
    url = reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk})
    loaded = client.get(url).content.decode()
    data = _post_data(
        complete_values("intake", abuse_typology="", completed_on=intake.case.opened_on)
    )
    data["edit_state"] = _edit_state(loaded)
    data["submit"] = "1"
    asked = client.post(url, data)
    assert asked.status_code == 200
    html = asked.content.decode()
    assert "1 question not answered" in html
    assert "Your answers are saved as a draft" in html
    assert "Keep as a draft" in html
    # The page carries the saved draft's edit state for the confirming post.
    stored = IntakeForm.objects.get(pk=intake.pk)
    assert stored.level_physical == data["level_physical"]
    assert _edit_state(html) != data["edit_state"]
    # Declining: the caseworker goes away and comes back; the answers are there.
    again = client.get(url).content.decode()
    assert re.search(
        r'name="level_physical" value="{}"[^>]*checked'.format(re.escape(data["level_physical"])),
        again,
    )
    assert IntakeForm.objects.get(pk=intake.pk).status == FormStatus.DRAFT


def test_confirming_after_the_draft_was_saved_submits_without_a_conflict(
    client_for, intake, caseworker
):
    client = client_for(caseworker)
    url = reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk})
    data = _post_data(
        complete_values("intake", abuse_typology="", completed_on=intake.case.opened_on)
    )
    data["edit_state"] = _edit_state(client.get(url).content.decode())
    data["submit"] = "1"
    asked = client.post(url, data).content.decode()
    data["edit_state"] = _edit_state(asked)
    data["confirm_gaps"] = "1"
    assert client.post(url, data).status_code == 302
    stored = IntakeForm.objects.get(pk=intake.pk)
    assert stored.status == FormStatus.SUBMITTED
    assert stored.abuse_typology == ""


def test_a_refused_submit_on_the_page_keeps_the_draft_and_says_so(client_for, intake, caseworker):
    client = client_for(caseworker)
    url = reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk})
    data = _post_data(
        complete_values("intake", level_sexual="", completed_on=intake.case.opened_on)
    )
    data["submit"] = "1"
    response = client.post(url, data)
    html = response.content.decode()
    assert "Answer this question to submit the form." in html
    assert "Your answers are saved as a draft" in html
    assert IntakeForm.objects.get(pk=intake.pk).level_physical == data["level_physical"]


def test_autosave_answers_with_the_time_saved_in_hours_and_minutes(client_for, intake, caseworker):
    client = client_for(caseworker)
    url = reverse("outcomes:form_autosave", kwargs={"kind": "intake", "pk": intake.pk})
    response = client.post(url, {"level_physical": "High"})
    assert response.status_code == 200
    assert re.fullmatch(r"\d\d:\d\d", response.json()["saved_at"])
    edit = reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk})
    html = client.get(edit).content.decode()
    assert re.search(r'aria-live="polite" data-autosave-status>Saved at \d\d:\d\d', html)


def test_changing_a_submitted_form_with_new_gaps_says_nothing_changed_yet(
    client_for, intake, caseworker
):
    values = complete_values("intake", completed_on=intake.case.opened_on)
    services.outcome_form_save(form=intake, actor=caseworker, values=values, submit=True)
    client = client_for(caseworker)
    url = reverse("outcomes:form_edit", kwargs={"kind": "intake", "pk": intake.pk})
    data = _post_data({**values, "abuse_typology": ""})
    data["submit"] = "1"
    html = client.post(url, data).content.decode()
    assert "1 question not answered" in html
    assert "Nothing is changed until you do." in html
    assert "Your answers are saved as a draft" not in html
    assert IntakeForm.objects.get(pk=intake.pk).abuse_typology == values["abuse_typology"]
