"""Forms built from the question lists: one fieldset per section, radio buttons for short answer
lists, checkbox lists for multi-selects (keyboard-friendly, no ctrl-click), nothing required at
the form level: what must be answered is decided on submit by the service."""

import json

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms

from accounts.concurrency import EditStateFormMixin
from accounts.idempotency import OnceOnlyFormMixin
from cases.models import Option

from . import questions as q
from .models import CivilJusticeForm, CivilOrder, Incident, PoliceReport
from .models.justice import ORDER_TYPES
from .services import KINDS

NOT_ANSWERED = "Not answered"
RADIO_LIMIT = 6  # answer lists this short are radio buttons; longer ones a drop-down


# What the intake form fills in from the records when it is started (outcomes.suggestions): the
# caseworker confirms or changes it; the form keeps the answer as it was at intake.
PREFILLED_HELP = {
    "high_risk": "Filled in from the risk assessment that decides the intake risk. Change it if "
    "that is not the risk at intake; choose Don't know if nobody knows.",
    "marac_discussed": "Yes when a Marac hearing of this case was held by the intake date. "
    "Answer No or Don't know yourself: Lantern cannot tell.",
    "pregnant": "Filled in from the client record: the answer at intake is kept with this form.",
    "disability": "Filled in from the client record: the answer at intake is kept with this form.",
    "employment": "Filled in from the client record: the answer at intake is kept with this form.",
    "financial_situation": "Filled in from the client record: the answer at intake is kept with "
    "this form.",
}


def section_id(title: str) -> str:
    return "section-" + "".join(ch if ch.isalnum() else "-" for ch in title.lower()).strip("-")


def _configure(form, questions):
    """Widgets, option lists and "not answered" labels for the questions' fields."""
    for question in questions:
        field = form.fields.get(question.field)
        if field is None:
            continue
        field.required = False
        if form._meta.model.__name__ == "IntakeForm" and question.field in PREFILLED_HELP:
            field.help_text = PREFILLED_HELP[question.field]
        if question.kind == q.MULTI:
            chosen = []
            if form.instance.pk:
                chosen = list(getattr(form.instance, question.field).values_list("pk", flat=True))
            # Retired options stay visible on the records that chose them.
            field.queryset = Option.objects.of(question.table).filter(
                is_retired=False
            ) | Option.objects.filter(pk__in=chosen)
            field.widget = forms.CheckboxSelectMultiple()
            field.widget.choices = field.choices
            if question.dont_know_field:
                form.fields[question.dont_know_field].help_text = (
                    "Tick if the client or caseworker does not know (an answer, unlike leaving "
                    "the question blank)."
                )
        elif question.kind in (q.SINGLE, q.CHOICE):
            choices = [(v, NOT_ANSWERED if v == "" else label) for v, label in field.choices]
            field.choices = choices
            if len(choices) - 1 <= RADIO_LIMIT:
                field.widget = forms.RadioSelect(choices=choices)
            else:
                field.widget = forms.Select(choices=choices)
        elif question.kind == q.DATE:
            field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        elif question.kind == q.COUNT:
            field.widget = forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})
    _mark_follow_on_questions(form, questions)


def _mark_follow_on_questions(form, questions):
    """Tells the page's script which questions follow on from which answer, so that it shows
    them only when they apply (the service clears them on submit when they do not)."""
    for question in questions:
        field = form.fields.get(question.field)
        if field is None or question.applies_when is None:
            continue
        parent_name, values = question.applies_when
        parent = form.fields.get(parent_name)
        if parent is None:
            continue
        if isinstance(parent, forms.ModelMultipleChoiceField):
            accepted = [str(o.pk) for o in parent.queryset if o.label in values]
        else:
            accepted = sorted(values)
        names = [question.field]
        if question.dont_know_field:
            names.append(question.dont_know_field)
        for name in names:
            form.fields[name].widget.attrs.update(
                {"data-applies-field": parent_name, "data-applies-values": json.dumps(accepted)}
            )


def _field_names(questions) -> list[str]:
    names = []
    for question in questions:
        names.append(question.field)
        if question.dont_know_field:
            names.append(question.dont_know_field)
    return names


def _item(form, name):
    """Short answer lists as inline radio buttons: one row, quick to tab and arrow through."""
    field = form.fields.get(name)
    if field is not None and isinstance(field.widget, forms.RadioSelect):
        return InlineRadios(name)
    return name


def _layout(form, questions, extra_sections=()):
    fieldsets = []
    for title, section_questions in q.sections(questions):
        items = [_item(form, name) for name in _field_names(section_questions)]
        fieldsets.append(Fieldset(title, *items, css_id=section_id(title)))
    for title, names in extra_sections:
        items = [_item(form, name) for name in names]
        fieldsets.append(Fieldset(title, *items, css_id=section_id(title)))
    return Layout(*fieldsets)


class OutcomeFormBase(EditStateFormMixin, forms.ModelForm):
    questions: tuple = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _configure(self, self.questions)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        # The layout names the questions; the hidden edit state is rendered besides them.
        self.helper.render_hidden_fields = True
        self.helper.layout = _layout(self, self.questions, self.extra_sections())

    def extra_sections(self):
        return ()

    def values(self) -> dict:
        """The cleaned answers, for the service."""
        return {name: self.cleaned_data.get(name) for name in self.fields if name != "edit_state"}


class CivilJusticeFormForm(OutcomeFormBase):
    """Adds one status choice per civil order type (blank: not applied for)."""

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        existing = {}
        if instance is not None and instance.pk:
            existing = {o.order_type: o.status for o in instance.orders.all()}
        self.order_type_fields = {}
        super().__init__(*args, **kwargs)
        statuses = [("", "Not applied for"), *CivilOrder._meta.get_field("status").choices]
        for index, (order_type, _label) in enumerate(ORDER_TYPES):
            name = f"order_{index}"
            self.order_type_fields[name] = order_type
            self.fields[name] = forms.ChoiceField(
                label=order_type,
                choices=statuses,
                widget=forms.RadioSelect,
                required=False,
                initial=existing.get(order_type, ""),
            )
        self.helper.layout = _layout(self, self.questions, self.extra_sections())

    def extra_sections(self):
        return ((q.S_ORDERS, list(getattr(self, "order_type_fields", {}))),)

    def values(self) -> dict:
        values = {
            name: self.cleaned_data.get(name)
            for name in self.fields
            if name not in self.order_type_fields and name != "edit_state"
        }
        values["orders"] = {
            order_type: self.cleaned_data.get(name) or ""
            for name, order_type in self.order_type_fields.items()
        }
        return values


def form_class_for(kind: str):
    model, questions, _one = KINDS[kind]
    base = CivilJusticeFormForm if model is CivilJusticeForm else OutcomeFormBase
    meta = type("Meta", (), {"model": model, "fields": _field_names(questions)})
    return type(f"{model.__name__}Form", (base,), {"Meta": meta, "questions": questions})


class FormStartForm(OnceOnlyFormMixin, forms.Form):
    """The Start button of an outcome form: only its one-time token."""


class PoliceReportForm(OnceOnlyFormMixin, forms.ModelForm):
    """A police report and its answers; adding one is once per form (`form_token`)."""

    questions = q.POLICE_REPORT_QUESTIONS

    class Meta:
        model = PoliceReport
        fields = ["reported_on", *_field_names(q.POLICE_REPORT_QUESTIONS)]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _configure(self, self.questions)
        self.fields["reported_on"].widget = forms.DateInput(
            attrs={"type": "date"}, format="%Y-%m-%d"
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields if name != "form_token"}


class IncidentForm(forms.ModelForm):
    questions = q.INCIDENT_QUESTIONS

    class Meta:
        model = Incident
        fields = ["offence", "consequence", "nfa_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            field = self.fields[name]
            field.required = False
            field.choices = [(v, NOT_ANSWERED if v == "" else label) for v, label in field.choices]
            field.widget = forms.Select(
                choices=field.choices, attrs={"class": "form-select form-select-sm"}
            )


IncidentFormSet = forms.modelformset_factory(
    Incident, form=IncidentForm, extra=2, can_delete=True, max_num=50, validate_max=True
)
