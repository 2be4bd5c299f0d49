from django import forms

from cases.forms import DATE


class _ItemsForm(forms.Form):
    """Items of one review, by id: any other id is refused (400), never acted on."""

    items = forms.TypedMultipleChoiceField(coerce=int, label="Records")

    def __init__(self, *args, item_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(pk, pk) for pk in item_ids]
        self.fields["items"].error_messages["required"] = "Choose the records."


class RetentionApproveForm(_ItemsForm):
    """The pending items the manager saw, posted back as hidden fields: approved in one step."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].widget = forms.MultipleHiddenInput()


class RetentionExcludeForm(_ItemsForm):
    reason = forms.CharField(
        label="Why these records are kept",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="e.g. a complaint is expected, or the client asked for their record to be "
        "kept. Do not name anyone.",
    )
    review_again_on = forms.DateField(
        required=False,
        widget=DATE,
        label="Review again on",
        help_text="Optional: the day they are listed for review again. Empty: kept until "
        "someone changes the decision.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The checkboxes are in the list itself (the template draws them).
        self.fields["items"].widget = forms.CheckboxSelectMultiple()
