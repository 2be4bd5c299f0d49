from django import forms
from django.utils import timezone

from accounts.idempotency import OnceOnlyFormMixin
from cases.forms import DATE

from .models import ClientErasure, LegalHold, RectificationRequest


class RectificationRecordForm(OnceOnlyFormMixin, forms.Form):
    received_on = forms.DateField(widget=DATE, initial=timezone.localdate, label="Received on")
    requested = forms.CharField(
        label="What the client asks to have corrected",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In the client's words where you can: which record, what is wrong, what it "
        "should say.",
    )


class RectificationDecideForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            (value, label)
            for value, label in RectificationRequest.Outcome.choices
            if value != RectificationRequest.Outcome.OPEN
        ],
        widget=forms.RadioSelect,
        label="What was done",
    )
    changes_made = forms.CharField(
        required=False,
        label="What was changed",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Which records were corrected, and how. Make the corrections on the records "
        "themselves first: the change history below shows each one.",
    )
    outcome_reason = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The reason the client is given, above all for anything not corrected (an "
        "opinion recorded as such, say, rather than a fact).",
    )
    decided_on = forms.DateField(widget=DATE, initial=timezone.localdate, label="Answered on")


class LegalHoldPlaceForm(OnceOnlyFormMixin, forms.Form):
    reason = forms.ChoiceField(choices=LegalHold.Reason.choices, label="What the hold is for")
    reason_note = forms.CharField(
        required=False,
        label="Details",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Which proceedings or review, and whom to ask before lifting it. Needed for "
        "Other.",
    )
    placed_on = forms.DateField(widget=DATE, initial=timezone.localdate, label="Placed on")


class LegalHoldLiftForm(forms.Form):
    lift_reason = forms.CharField(
        label="Why it can be lifted", widget=forms.Textarea(attrs={"rows": 2})
    )
    lifted_on = forms.DateField(widget=DATE, initial=timezone.localdate, label="Lifted on")


class ErasureForm(forms.Form):
    """Erasing a client's record from one of their cases: which kind, why, and the case's
    reference typed out, so that a slip of the mouse erases nothing."""

    KEEP_STUB, FULL = "stub", "full"

    kind = forms.ChoiceField(
        choices=[
            (
                KEEP_STUB,
                "De-identify: remove everything that identifies the client, keep the coded "
                "answers the reports count",
            ),
            (
                FULL,
                "Erase entirely (right to erasure): remove the whole record; past reports' "
                "figures will change",
            ),
        ],
        widget=forms.RadioSelect,
        label="What to do",
    )
    reason = forms.ChoiceField(
        choices=ClientErasure.Reason.choices, widget=forms.RadioSelect, label="Why"
    )
    reference = forms.CharField(
        label="Type the case reference to confirm",
        max_length=30,
        help_text="Every case and referral of this client, at every service, is erased with it.",
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case

    def clean_reference(self):
        typed = self.cleaned_data["reference"].strip()
        if typed.upper() != self.case.reference.upper():
            raise forms.ValidationError(f"This is not the reference of case {self.case.reference}.")
        return typed
