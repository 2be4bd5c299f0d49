from django import forms
from django.utils.formats import date_format

from accounts.idempotency import OnceOnlyFormMixin
from cases.models import Agency, RiskLevel

from . import scoring, selectors
from .models import Assessment, MaracHearing, MaracMeeting


class DateInput(forms.DateInput):
    """A browser date picker. Its value must be ISO (yyyy-mm-dd) whatever the locale: given the
    British dd/mm/yyyy, the browser shows an empty box and posts nothing."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or "%Y-%m-%d")


class AssessmentStartForm(forms.Form):
    version = forms.ModelChoiceField(
        label="Checklist", queryset=None, empty_label=None, help_text="Published versions only."
    )
    stage = forms.ChoiceField(choices=Assessment.Stage.choices)
    source = forms.ChoiceField(
        label="Information from", choices=Assessment.Source.choices, initial="client"
    )
    assessed_on = forms.DateField(label="Date of the assessment", widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = selectors.published_versions()


class FollowUpStartForm(forms.Form):
    checklist = forms.SlugField()


class AssessmentForm(forms.Form):
    """The whole checklist on one page: a radio group per question (rendered by the template as
    a fieldset with a legend), its follow-up detail and comment, and the assessment's fields."""

    assessed_on = forms.DateField(label="Date of the assessment", widget=DateInput)
    stage = forms.ChoiceField(choices=Assessment.Stage.choices)
    source = forms.ChoiceField(label="Information from", choices=Assessment.Source.choices)
    police_call_outs = forms.IntegerField(
        label="Police call-outs in the last 12 months",
        min_value=0,
        required=False,
        help_text="For potential escalation. Leave empty if not known.",
    )
    professional_judgement_level = forms.ChoiceField(
        label="Risk level by professional judgement",
        choices=[("", "No professional judgement"), *RiskLevel.choices],
        required=False,
        help_text="Only to raise the level the checklist gives; it never lowers it.",
    )
    professional_judgement_reason = forms.CharField(
        label="Reason for the professional judgement",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    notes = forms.CharField(
        label="Overall notes", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    HEAD_FIELDS = ("assessed_on", "stage", "source")
    TAIL_FIELDS = (
        "police_call_outs",
        "professional_judgement_level",
        "professional_judgement_reason",
        "notes",
    )

    def __init__(self, *args, assessment: Assessment, answers, **kwargs):
        self.assessment = assessment
        self.answers = answers
        initial = {
            "assessed_on": assessment.assessed_on,
            "stage": assessment.stage,
            "source": assessment.source,
            "police_call_outs": assessment.police_call_outs,
            "professional_judgement_level": assessment.professional_judgement_level,
            "professional_judgement_reason": assessment.professional_judgement_reason,
            "notes": assessment.notes,
        }
        _threshold, call_outs, window = scoring.thresholds_for(
            assessment.version, assessment.case.service.area
        )
        for answer in answers:
            q = answer.question.pk
            initial[f"q_{q}"] = str(answer.option_id) if answer.option_id else ""
            initial[f"detail_{q}"] = answer.detail
            initial[f"comment_{q}"] = answer.comment
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["police_call_outs"].label = f"Police call-outs in the last {window} months"
        self.fields["police_call_outs"].help_text = (
            f"{call_outs} or more is potential escalation (a MARAC criterion). "
            "Leave empty if not known."
        )
        for answer in answers:
            question = answer.question
            q = question.pk
            self.fields[f"q_{q}"] = forms.TypedChoiceField(
                label=f"{question.number}. {question.text}",
                choices=[(str(o.pk), o.label) for o in question.options.all()],
                required=False,
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
            )
            self.fields[f"detail_{q}"] = forms.CharField(
                label=question.follow_up_prompt or "Detail", required=False
            )
            self.fields[f"comment_{q}"] = forms.CharField(
                label=f"Comment on question {question.number}", required=False
            )

    def question_rows(self):
        """What the template needs per question: the bound fields and the options with what
        the running count reads from them (data-tick, data-score)."""
        rows = []
        for answer in self.answers:
            question = answer.question
            q = question.pk
            choice = self[f"q_{q}"]
            current = str(choice.value() or "")
            rows.append(
                {
                    "question": question,
                    "field": choice,
                    "detail": self[f"detail_{q}"] if question.follow_up_prompt else None,
                    "comment": self[f"comment_{q}"],
                    "options": [
                        {
                            "id": f"id_q_{q}_{option.key}",
                            "value": str(option.pk),
                            "key": option.key,
                            "label": option.label,
                            "tick": int(option.counts_as_tick),
                            "score": option.score,
                            "checked": current == str(option.pk),
                        }
                        for option in question.options.all()
                    ],
                }
            )
        return rows

    def head_fields(self):
        return [self[name] for name in self.HEAD_FIELDS]

    def tail_fields(self):
        return [self[name] for name in self.TAIL_FIELDS]

    def answer_data(self) -> dict:
        """{question_id: {"option", "detail", "comment"}} for services.assessment_save."""
        data = {}
        for answer in self.answers:
            question = answer.question
            q = question.pk
            chosen = self.cleaned_data.get(f"q_{q}")
            option = next((o for o in question.options.all() if o.pk == chosen), None)
            data[q] = {
                "option": option,
                "detail": self.cleaned_data.get(f"detail_{q}", ""),
                "comment": self.cleaned_data.get(f"comment_{q}", ""),
            }
        return data

    def assessment_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.HEAD_FIELDS + self.TAIL_FIELDS}


class RiskDecisionForm(forms.Form):
    """A team leader's reasoned decision to lower the case's current risk: the levels below the
    current one, the reason, and the level the decider saw (services.risk_decision_record
    refuses if it changed meanwhile)."""

    to_level = forms.ChoiceField(label="Lower the risk to", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What has changed, and how you know: this is kept on the case and in its "
        "audit trail.",
        error_messages={"required": "Give the reason for lowering the risk."},
    )
    seen_level = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, initial={"seen_level": case.risk_level}, **kwargs)
        rank = scoring.LEVEL_RANK[case.risk_level]
        self.fields["to_level"].choices = [
            (value, f"{label} risk")
            for value, label in reversed(RiskLevel.choices)
            if scoring.LEVEL_RANK[value] < rank
        ]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason for lowering the risk.")
        return reason


class MaracReferralForm(OnceOnlyFormMixin, forms.Form):
    referred_on = forms.DateField(label="Date referred", widget=DateInput)
    referring_agency = forms.ModelChoiceField(queryset=Agency.objects.none())
    visible_high_risk = forms.BooleanField(label="Visible high risk", required=False)
    professional_judgement = forms.BooleanField(label="Professional judgement", required=False)
    potential_escalation = forms.BooleanField(label="Potential escalation", required=False)
    assessment = forms.ModelChoiceField(
        label="Assessment it follows", queryset=Assessment.objects.none(), required=False
    )
    different_perpetrator = forms.BooleanField(
        label="This abuse is by a different perpetrator from the earlier referral",
        required=False,
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, case, earlier_referral=None, **kwargs):
        super().__init__(*args, **kwargs)
        if earlier_referral is None:
            # No referral of the client in the last 12 months: nothing this could repeat.
            del self.fields["different_perpetrator"]
        else:
            self.fields["different_perpetrator"].help_text = (
                f"The client was referred to MARAC on {date_format(earlier_referral.referred_on)}, "
                "within the last 12 months, so this is a repeat MARAC case unless the abuse is "
                "by someone else."
            )
        self.fields["referring_agency"].queryset = Agency.objects.filter(is_retired=False)
        self.fields["assessment"].queryset = case.risk_assessments.filter(
            status=Assessment.Status.SUBMITTED
        ).select_related("version__checklist")
        self.fields["assessment"].label_from_instance = lambda a: (
            f"{date_format(a.assessed_on)} {a.version.checklist.name}: score {a.score}, "
            f"{a.risk_level_label or 'no level'}"
        )

    def clean(self):
        data = super().clean()
        if not any(
            data.get(name)
            for name in ("visible_high_risk", "professional_judgement", "potential_escalation")
        ):
            self.add_error("visible_high_risk", "Tick at least one MARAC criterion met.")
        return data


class MaracMeetingForm(forms.ModelForm):
    class Meta:
        model = MaracMeeting
        fields = ["marac", "held_on", "notes"]
        widgets = {"held_on": DateInput, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, maracs, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the coordinator's own MARACs are offered (and accepted).
        self.fields["marac"].queryset = maracs

    def validate_unique(self):
        # created_by is set by the service; the (marac, held_on) check still runs there.
        pass


class MaracHearingForm(forms.Form):
    referral = forms.ModelChoiceField(label="Referred case", queryset=None)

    def __init__(self, *args, meeting, user, **kwargs):
        super().__init__(*args, **kwargs)
        awaiting = selectors.referrals_awaiting_hearing(meeting)
        self.fields["referral"].queryset = awaiting
        names = selectors.marac_case_names(user, awaiting.values_list("case_id", flat=True))
        self.fields["referral"].label_from_instance = lambda r: (
            f"{names.get(r.case_id, selectors.RESTRICTED_CASE)}, "
            f"referred {date_format(r.referred_on)}" + (" (repeat)" if r.is_repeat else "")
        )


class MaracHearingFactsForm(forms.ModelForm):
    """The case as the meeting heard it, for the partnership's counts (seed 004)."""

    class Meta:
        model = MaracHearing
        fields = list(MaracHearing.FACT_FIELDS)
        widgets = {
            name: forms.NullBooleanSelect
            for name in MaracHearing.FACT_FIELDS
            if name != "children_in_household"
        }
        help_texts = {"children_in_household": "Leave empty if not known."}


class MaracOutcomeForm(forms.Form):
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class MaracActionForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none())
    action = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(max_length=150, help_text="Who at the agency carries it out.")
    due_on = forms.DateField(label="Due", widget=DateInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(is_retired=False)


class ChecklistImportForm(forms.Form):
    file = forms.FileField(
        label="Checklist file (JSON)",
        help_text="In the lantern-checklist/1 format (riskassessment/checklists/README.md).",
    )
    publish = forms.BooleanField(label="Publish it now", required=False)

    MAX_BYTES = 2 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB.")
        return upload
