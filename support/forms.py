"""Forms for safety plans, support by area of need and interventions. They validate input; the
services in support.services check the rules and write."""

from django import forms
from django.utils import timezone

from accounts.concurrency import EditStateFormMixin
from accounts.idempotency import OnceOnlyFormMixin
from cases.choices import YES_NO, insights_choices
from cases.models import Agency

from .models import Intervention, SafetyPlan, SafetyPlanVersion
from .models.areas import CYPS_EXIT_LIST_KEY, impact_table_key, outcomes_list_key
from .selectors import options_offered
from .services import SECTION_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SafetyPlanVersionForm(EditStateFormMixin, OnceOnlyFormMixin, forms.ModelForm):
    """A version of a plan: first made, or reviewed (the review starts from the last version).
    assessments: the case's risk assessments it may answer (selectors.assessments_for_plan),
    latest first; the latest is chosen unless the caseworker picks another."""

    assessment_id = forms.TypedChoiceField(
        label="Risk assessment it answers",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="The plan answers the risks this assessment found.",
    )

    class Meta:
        model = SafetyPlanVersion
        fields = [
            "reviewed_on",
            "review_reason",
            "assessment_id",
            *SECTION_FIELDS,
            "next_review_on",
        ]
        widgets = {
            "reviewed_on": DATE_INPUT,
            "next_review_on": DATE_INPUT,
            **{name: forms.Textarea(attrs={"rows": 3}) for name in SECTION_FIELDS},
        }

    def __init__(self, *args, is_review=False, assessments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate()
        self.fields["assessment_id"].choices = [
            ("", "Not linked to an assessment" if assessments else "No risk assessment yet"),
            *((choice.pk, choice.label) for choice in assessments),
        ]
        if assessments:
            self.fields["assessment_id"].initial = assessments[0].pk
        if not is_review:
            del self.fields["review_reason"]
        else:
            self.fields["review_reason"].required = True

    def clean(self):
        data = super().clean()
        if not any((data.get(name) or "").strip() for name in SECTION_FIELDS):
            raise forms.ValidationError("Write at least one section of the plan.")
        reviewed_on, next_review_on = data.get("reviewed_on"), data.get("next_review_on")
        if reviewed_on and next_review_on and next_review_on <= reviewed_on:
            self.add_error("next_review_on", "The next review is after the plan is agreed.")
        return data


class SafetyPlanCreateForm(SafetyPlanVersionForm):
    kind = forms.ChoiceField(label="Plan", choices=SafetyPlan.Kind.choices)

    field_order = ["kind"]

    def __init__(self, *args, existing_kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["edit_state"]  # a new plan: nothing to have changed since
        self.fields["kind"].choices = [
            choice for choice in SafetyPlan.Kind.choices if choice[0] not in existing_kinds
        ]


class AreaSupportForm(EditStateFormMixin, forms.Form):
    """One area of need. Outcome choices: the area's Insights list as admins keep it (retired
    outcomes are offered only where the record already has them)."""

    supported = forms.ChoiceField(
        label="Support given in this area",
        choices=[("", "Not answered"), *YES_NO],
        required=False,
    )
    outcomes = forms.ModelMultipleChoiceField(
        label="Outcomes achieved",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    impact_safety = forms.ChoiceField(label="Impact on the client's safety", required=False)
    impact_wellbeing = forms.ChoiceField(label="Impact on the client's wellbeing", required=False)
    cyps_involvement = forms.ModelMultipleChoiceField(
        label="Ongoing children's services involvement with the family",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cyps_involvement_dont_know = forms.BooleanField(
        label="Children's services involvement not known", required=False
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, area: str, row=None, **kwargs):
        initial = kwargs.pop("initial", {})
        if row is not None:
            initial = {
                "supported": row.supported,
                "outcomes": list(row.outcomes.all()),
                "impact_safety": row.impact_safety,
                "impact_wellbeing": row.impact_wellbeing,
                "cyps_involvement": list(row.cyps_involvement.all()),
                "cyps_involvement_dont_know": row.cyps_involvement_dont_know,
                "notes": row.notes,
                **initial,
            }
        super().__init__(*args, initial=initial, **kwargs)
        self.area = area
        chosen = list(row.outcomes.all()) if row else []
        self.fields["outcomes"].queryset = options_offered(outcomes_list_key(area), chosen=chosen)
        for column in ("safety", "wellbeing"):
            self.fields[f"impact_{column}"].choices = [
                ("", "Not answered"),
                *insights_choices(impact_table_key(area, column)),
            ]
        if area == "children_parenting":
            chosen_cyps = list(row.cyps_involvement.all()) if row else []
            self.fields["cyps_involvement"].queryset = options_offered(
                CYPS_EXIT_LIST_KEY, chosen=chosen_cyps
            )
        else:
            del self.fields["cyps_involvement"]
            del self.fields["cyps_involvement_dont_know"]

    def clean(self):
        data = super().clean()
        if data.get("supported") != "Yes":
            for name in ("outcomes", "impact_safety", "impact_wellbeing"):
                if data.get(name):
                    self.add_error(name, "Recorded only where support was given: choose Yes.")
        return data


class InterventionForm(OnceOnlyFormMixin, forms.ModelForm):
    class Meta:
        model = Intervention
        fields = ["type", "occurred_on", "agency", "detail", "notes"]
        widgets = {"occurred_on": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].initial = timezone.localdate()
        self.fields["agency"].queryset = Agency.objects.filter(is_retired=False)


class ConfirmDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, remove this intervention: it was recorded by mistake", required=True
    )
