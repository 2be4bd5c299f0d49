"""Forms for clients, cases and contacts. They validate input; services do the writing."""

from django import forms
from django.utils import timezone

from accounts import access
from accounts.concurrency import EditStateFormMixin
from accounts.idempotency import OnceOnlyFormMixin
from accounts.models import Team, User

from .models import (
    Agency,
    Case,
    ChildInCase,
    Client,
    ConsentRecord,
    Contact,
    Option,
    Perpetrator,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OptionCheckboxes(forms.ModelMultipleChoiceField):
    """A keyboard-friendly multi-select (a list of checkboxes) over one Option list; retired
    options stay visible only where already chosen."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, list_key, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(Option.objects.of(list_key), *args, **kwargs)
        self.list_key = list_key

    def label_from_instance(self, obj):
        return f"{obj.display_label} (retired)" if obj.is_retired else obj.display_label


def offer_current_options(form, field_name, chosen_ids):
    field = form.fields[field_name]
    field.queryset = field.queryset.filter(is_retired=False) | field.queryset.filter(
        pk__in=list(chosen_ids)
    )


class ClientForm(EditStateFormMixin, forms.ModelForm):
    disability_types = OptionCheckboxes("client_disability_type", label="Type of disability")
    employment = OptionCheckboxes("client_employment", label="Current employment situation")

    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "postcode",
            "sex_at_birth",
            "gender_identity",
            "gender_differs_from_sex_at_birth",
            "sexual_orientation",
            "ethnicity",
            "pregnant",
            "disability",
            "disability_types",
            "employment",
            "financial_situation",
            "first_language",
            "interpreter_needed",
            "communication_needs",
            "immigration_status",
            "no_recourse_to_public_funds",
            "lawful_basis",
            "lawful_basis_note",
        ]
        widgets = {"date_of_birth": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("disability_types", "employment"):
            chosen = self.instance.pk and getattr(self.instance, name).values_list("pk", flat=True)
            offer_current_options(self, name, chosen or [])


class SafeContactForm(EditStateFormMixin, forms.ModelForm):
    class Meta:
        model = Client
        fields = [
            "safe_phone",
            "safe_phone_alternative",
            "safe_to_call",
            "safe_to_leave_voicemail",
            "safe_to_text",
            "safe_to_email",
            "safe_email",
            "safe_times",
            "safe_address",
            "code_word",
            "do_not_contact_via",
            "safe_contact_notes",
        ]
        widgets = {
            "safe_address": forms.Textarea(attrs={"rows": 3}),
            "safe_contact_notes": forms.Textarea(attrs={"rows": 3}),
        }


class AliasForm(OnceOnlyFormMixin, forms.Form):
    name = forms.CharField(label="Other name or alias", max_length=200)


CONTACT_FIELDS = [
    "occurred_at",
    "contact_type",
    "with_client",
    "outcome",
    "duration_minutes",
    "location",
    "is_significant",
    "notes",
    "unsafe_channel_confirmed",
    "unsafe_channel_reason",
]


class _ContactFields(forms.ModelForm):
    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
        widgets = {
            "occurred_at": DATETIME,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"duration_minutes": "Duration (minutes)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class ContactForm(OnceOnlyFormMixin, _ContactFields):
    """Logging a contact. Whether it went by a way the client marked unsafe, and so needs the
    confirmation, is decided by the service (cases.services.contact_channel_warnings)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault(
                "occurred_at", timezone.localtime().replace(second=0, microsecond=0)
            )


GAPS_CHECKED_LABEL = "I have checked what is missing"


class ContactCorrectionForm(EditStateFormMixin, _ContactFields):
    """Correcting a contact: the earlier version is kept (cases.services.contact_correct)."""

    correction_reason = forms.CharField(
        label="What are you correcting, and why?",
        max_length=300,
        help_text="Kept with the earlier version of the contact.",
    )


class CaseCloseForm(forms.Form):
    closed_on = forms.DateField(label="Closure date", widget=DATE)
    closure_type = forms.ChoiceField(
        label="Case status at exit", choices=Case.ClosureType.choices, widget=forms.RadioSelect
    )
    unplanned_closure_reason = forms.ChoiceField(
        label="Reason for an unplanned closure",
        required=False,
        choices=[("", "---------"), *Case._meta.get_field("unplanned_closure_reason").choices],
    )
    closure_note = forms.CharField(
        label="Closure note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the case is closing and what the client knows about coming back. "
        "Shown on the case page afterwards.",
    )
    # Shown only when something is missing (the closure page lists it); the service decides
    # whether it is needed, so it is never required here.
    gaps_checked = forms.BooleanField(label=GAPS_CHECKED_LABEL, required=False)

    def __init__(self, *args, gaps=(), **kwargs):
        super().__init__(*args, **kwargs)
        if not gaps:
            del self.fields["gaps_checked"]


class ClosureDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="Decision",
        choices=[("yes", "Approve the closure"), ("no", "Return it to the caseworker")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    gaps_checked = forms.BooleanField(label=GAPS_CHECKED_LABEL, required=False)

    def __init__(self, *args, gaps=(), **kwargs):
        super().__init__(*args, **kwargs)
        if not gaps:
            del self.fields["gaps_checked"]


class AllocationForm(forms.Form):
    caseworker = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = caseworkers_of(service)
        self.fields["team"].queryset = Team.objects.filter(service=service)


def caseworkers_of(service):
    return access.users_with(access.Capability.EDIT_CASES, service)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(Case.Status.OPEN, "Open"), (Case.Status.ON_HOLD, "On hold")]
    )
    note = forms.CharField(required=False, max_length=300)


class RestrictionForm(forms.Form):
    restricted = forms.BooleanField(label="Restrict this case to named people", required=False)
    named_users = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Who may open it",
    )
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named_users"].queryset = User.objects.filter(
            memberships__service=service, is_active=True
        ).distinct()


class SearchForm(forms.Form):
    query = forms.CharField(
        label="Name, alias, date of birth, phone or case reference", max_length=100
    )


class PerpetratorForm(EditStateFormMixin, OnceOnlyFormMixin, forms.ModelForm):
    class Meta:
        model = Perpetrator
        fields = [
            "is_primary",
            "name",
            "date_of_birth",
            "relationship",
            "sex_at_birth",
            "gender_identity",
            "need_mental_health",
            "need_drugs",
            "need_alcohol",
            "multiple_victims",
            "criminal_record",
            "bail_conditions",
            "notes",
        ]
        widgets = {
            "date_of_birth": DATE,
            "bail_conditions": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class ChildForm(EditStateFormMixin, OnceOnlyFormMixin, forms.ModelForm):
    cyps_involvement = OptionCheckboxes(
        "cyps_involvement_intake", label="Children and young people's services involvement"
    )

    class Meta:
        model = ChildInCase
        fields = ["first_name", "age_years", "age_band", "lives_with", "cyps_involvement"]


class ConsentForm(OnceOnlyFormMixin, forms.ModelForm):
    class Meta:
        model = ConsentRecord
        fields = ["purpose", "agency", "method", "given", "recorded_on", "note"]
        widgets = {"recorded_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(is_retired=False)
        self.fields["given"].label = "Consent given"
        if not self.is_bound:
            self.initial.setdefault("recorded_on", timezone.localdate())


class InformationSharingForm(OnceOnlyFormMixin, forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.filter(is_retired=False))
    shared_on = forms.DateField(widget=DATE)
    what_was_shared = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason_without_consent = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only when the client has not consented to sharing with this agency.",
    )
    authorised_by = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        help_text="The team leader who authorised sharing without consent.",
    )

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authorised_by"].queryset = access.users_with(
            access.Capability.SIGN_OFF_CLOSURES, service
        )
