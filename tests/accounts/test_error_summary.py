"""The error summary a form page shows when several fields fail (accounts/templatetags/
lantern_forms.py, templates/includes/error_summary.html): one link per invalid field, to the
field's own input (a radio group's first), reading "<label>: <message>"; nothing when one field
or only the whole form fails, which keep the focus going to the field or the message."""

import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template

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
