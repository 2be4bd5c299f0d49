"""The error summary a form page shows above its fields when several fields fail (the GOV.UK
Design System's pattern): how many problems there are, and a link to each invalid field, so a
keyboard or screen reader user need not tab through the whole form to find them.

Rendered on the server, from the forms' own errors, so it is there without script too;
static/js/form-errors.js gives it the focus on load and makes its links move the focus.
"""

from dataclasses import dataclass

from django import forms, template

register = template.Library()

# One invalid field keeps the focus going straight to it (form-errors.js): a summary of one
# problem would only add a step.
FIELDS_FOR_A_SUMMARY = 2


@dataclass(frozen=True)
class Problem:
    text: str
    # The id of the element a link moves the focus to; "" for an error with no field to go to.
    target: str = ""


def _target_id(bound_field) -> str:
    """The input the focus goes to: the field's own, or for a group of radios or checkboxes
    (whose legend is for no input) the group's first."""
    if bound_field.id_for_label:
        return bound_field.id_for_label
    subwidgets = bound_field.subwidgets
    return (subwidgets[0].id_for_label if subwidgets else "") or bound_field.auto_id or ""


def form_problems(*page_forms) -> tuple[list[Problem], int]:
    """The problems of the forms one <form> element sends, in the order the page shows them
    (each form's errors of the whole form first, then its fields), and how many fields fail."""
    problems: list[Problem] = []
    invalid_fields = 0
    for form in page_forms:
        # A page may pass a form its context does not have (then the template gives "").
        if not isinstance(form, forms.BaseForm) or not form.is_bound:
            continue
        problems.extend(Problem(text=str(message)) for message in form.non_field_errors())
        for bound_field in form:
            if not bound_field.errors:
                continue
            label = bound_field.label or bound_field.name
            text = f"{label}: {' '.join(str(message) for message in bound_field.errors)}"
            if bound_field.is_hidden:
                problems.append(Problem(text=text))
                continue
            invalid_fields += 1
            problems.append(Problem(text=text, target=_target_id(bound_field)))
    return problems, invalid_fields


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*page_forms):
    """`{% error_summary form %}` (or several forms sent by one <form>), first in the <form>."""
    problems, invalid_fields = form_problems(*page_forms)
    return {"problems": problems if invalid_fields >= FIELDS_FOR_A_SUMMARY else []}
