"""What the outcomes app finds missing before a case closes (cases.extensions closure checks):
no exit form, or outcome forms left as drafts.

The exit form opens once a closure is asked for (services_checks.case_is_closing), so a first
closure request always lists it: the caseworker fills it in while the request waits, and the
team leader signing off sees whether they did."""

from django.urls import reverse

from cases.extensions import ClosureGap

from . import selectors
from .models import FormStatus
from .services import KIND_TITLES

# Forms of the time before closure; the 6-month follow-up comes after it.
BEFORE_CLOSURE = ("intake", "review", "exit", "criminal", "civil")


def closure_gaps(case) -> list[ClosureGap]:
    """One query per kind of form, whatever the number of forms."""
    forms_by_kind = selectors.forms_for_case(case)
    gaps = []
    if not forms_by_kind["exit"]:
        gaps.append(
            ClosureGap(
                kind="exit_form",
                message="No exit form",
                url=reverse("outcomes:case_forms", kwargs={"case_id": case.pk}),
            )
        )
    for kind in BEFORE_CLOSURE:
        for form in forms_by_kind[kind]:
            if form.status == FormStatus.DRAFT:
                gaps.append(
                    ClosureGap(
                        kind="draft_form",
                        message=f"{KIND_TITLES[kind]} is a draft, not submitted",
                        url=reverse("outcomes:form_edit", kwargs={"kind": kind, "pk": form.pk}),
                    )
                )
    return gaps
