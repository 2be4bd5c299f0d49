"""The error summary a form page shows when several fields fail (accounts/templatetags/
lantern_forms.py, templates/includes/error_summary.html): one link per invalid field, to the
field's own input (a radio group's first), reading "<label>: <message>"; nothing when one field
or only the whole form fails, which keep the focus going to the field or the message."""

import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db


class VisitForm(forms.Form):
    place = forms.CharField(label="Where you met")
    kind = forms.ChoiceField(
        label="How you met",
        choices=[("call", "Call"), ("visit", "Visit")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="Note", required=False)

    def clean(self):
        if self.data.get("refuse"):
            raise ValidationError("Visits cannot be logged today.")
        return self.cleaned_data


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label="Outcome")


def render(*page_forms) -> str:
    names = " ".join(f"form{index}" for index in range(len(page_forms)))
    template = Template(f"{{% load lantern_forms %}}{{% error_summary {names} %}}")
    return template.render(Context({f"form{i}": form for i, form in enumerate(page_forms)}))


def links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="alert-link" href="#([^"]+)">([^<]+)</a>', html)


def test_two_invalid_fields_give_a_summary_linking_to_each_field_with_its_message():
    form = VisitForm(data={})
    html = render(form)
    assert "There are 2 problems" in html
    assert 'tabindex="-1"' in html and "data-error-summary" in html and "alert-danger" in html
    # The radio group's link goes to its first radio: its legend is for no input.
    assert links(html) == [
        ("id_place", "Where you met: This field is required."),
        ("id_kind_0", "How you met: This field is required."),
    ]


def test_the_summary_is_in_the_order_of_the_form_with_the_form_s_own_error_first():
    form = VisitForm(data={"refuse": "1"})
    html = render(form)
    assert "There are 3 problems" in html
    assert html.index("Visits cannot be logged today.") < html.index("Where you met")
    assert "Visits cannot be logged today.</li>" in html  # text, not a link: no field to go to


def test_one_invalid_field_an_error_of_the_whole_form_or_an_unsent_form_give_no_summary():
    assert render(VisitForm(data={"kind": "call"})).strip() == ""
    assert render(VisitForm(data={"place": "Office", "kind": "call", "refuse": "1"})).strip() == ""
    assert render(VisitForm()).strip() == ""


def test_forms_sent_by_one_form_element_are_summarised_together():
    # One invalid field in each: two in the page's form, so a summary, with each prefix.
    client_form = VisitForm(data={"client-kind": "call"}, prefix="client")
    referral_form = OutcomeForm(data={}, prefix="referral")
    assert links(render(client_form, referral_form)) == [
        ("id_client-place", "Where you met: This field is required."),
        ("id_referral-outcome", "Outcome: This field is required."),
    ]


def test_a_form_missing_from_the_context_is_skipped():
    html = Template("{% load lantern_forms %}{% error_summary missing %}").render(Context())
    assert html.strip() == ""


def test_log_contact_with_two_fields_wrong_shows_the_summary_linking_to_inputs_on_the_page(
    client_for, service, caseworker
):
    case = CaseFactory(service=service, client=ClientFactory(service=service))
    response = client_for(caseworker).post(
        reverse("cases:contact_add", args=[case.pk]),
        {"occurred_at": "", "outcome": "successful", "duration_minutes": "99999"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    found = links(page)
    assert [target for target, _ in found] == [
        "id_occurred_at",
        "id_contact_type",
        "id_duration_minutes",
    ]
    assert "There are 3 problems" in page
    assert found[2][1].startswith("Duration (minutes): A contact cannot last more than 24 hours")
    for target, _ in found:
        assert f'id="{target}"' in page
    # First in the form, before its fields.
    assert page.index("data-error-summary") < page.index('id="id_occurred_at"')


# Pages laying a form out field by field with no summary (a page with a summary for another of
# its forms passes as it is): each says why.
HAND_LAID_WITHOUT_A_SUMMARY = {
    # One field (the query).
    "cases/templates/cases/search.html",
    # One field (the note) per possible duplicate.
    "cases/templates/cases/client_duplicates.html",
    # The records to keep are checkboxes of the page's own, with their own ids.
    "dataprotection/templates/dataprotection/retention_review.html",
    # A checklist's questions are radios with ids of their own; a question left is an error
    # of the whole form, which takes the focus.
    "riskassessment/templates/riskassessment/assessment_form.html",
    # Filters, sent by GET.
    "templates/accounts/audit_log.html",
    "templates/reporting/insights/_filters.html",
}
CRISPY_FORM = re.compile(r"\{\{\s*([\w.]+)\|crispy\s*\}\}|\{%\s*crispy\s+([\w.]+)\s*%\}")


def _templates():
    from django.conf import settings

    root = settings.BASE_DIR
    for path in sorted(root.glob("*/templates/**/*.html")) + sorted(
        root.glob("templates/**/*.html")
    ):
        if ".venv" not in path.parts:
            yield path.relative_to(root).as_posix(), path.read_text()


def test_every_form_rendered_through_crispy_has_the_error_summary():
    """A page added later with `{{ form|crispy }}` (or {% crispy form %}) fails here until it
    calls `{% error_summary form %}` first in its <form>."""
    missing = []
    for name, text in _templates():
        summarised = " ".join(re.findall(r"\{%\s*error_summary ([^%]+)%\}", text)).split()
        for match in CRISPY_FORM.finditer(text):
            form = match.group(1) or match.group(2)
            if form not in summarised:
                missing.append(f"{name}: {form}")
    assert not missing


def test_every_form_laid_out_field_by_field_has_the_summary_or_says_why_not():
    found = {
        name
        for name, text in _templates()
        if "as_crispy_field" in text and "error_summary" not in text
    }
    assert found == HAND_LAID_WITHOUT_A_SUMMARY
