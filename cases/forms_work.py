"""Forms of tasks, supervision notes and bulk reallocation."""

from django import forms
from django.utils import timezone

from accounts.idempotency import OnceOnlyFormMixin
from accounts.models import User

from .forms import DATE, caseworkers_of
from .models import Case


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    details = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label="Due on", required=False, widget=DATE)
    # The version the form was loaded with: a save over someone else's change is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TaskCreateForm(OnceOnlyFormMixin, TaskForm):
    assigned_to = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="For",
        help_text="Leave empty for yourself.",
    )

    def __init__(self, *args, service, may_assign: bool, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        if may_assign:
            self.fields["assigned_to"].queryset = caseworkers_of(service)
        else:
            del self.fields["assigned_to"]


class SnoozeForm(forms.Form):
    snoozed_until = forms.DateField(label="Snooze until", widget=DATE)
    snooze_reason = forms.CharField(label="Why it can wait", max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReassignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(queryset=User.objects.none(), label="Give it to")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = caseworkers_of(service)


class SupervisionNoteForm(OnceOnlyFormMixin, forms.Form):
    noted_on = forms.DateField(label="Date of supervision", widget=DATE, initial=timezone.localdate)
    text = forms.CharField(label="Discussion", widget=forms.Textarea(attrs={"rows": 5}))
    follow_up_actions = forms.CharField(
        label="Follow-up actions", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_noted_on(self):
        noted_on = self.cleaned_data["noted_on"]
        if noted_on > timezone.localdate():
            raise forms.ValidationError("A supervision note is written on or after the day.")
        return noted_on


class ReallocationForm(forms.Form):
    all_cases = forms.BooleanField(label="All their open cases", required=False)
    cases = forms.ModelMultipleChoiceField(
        queryset=Case.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Or the cases ticked",
        required=False,
    )
    to_caseworker = forms.ModelChoiceField(queryset=User.objects.none(), label="Move them to")

    def __init__(self, *args, service, cases, from_caseworker_pk, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases
        self.fields["cases"].label_from_instance = lambda case: case.reference
        self.fields["to_caseworker"].queryset = caseworkers_of(service).exclude(
            pk=from_caseworker_pk
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("all_cases"):
            cleaned["cases"] = self.fields["cases"].queryset
        elif not cleaned.get("cases"):
            self.add_error("cases", "Tick the cases to move, or choose all of them.")
        return cleaned
