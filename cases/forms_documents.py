"""Forms of case documents. They validate what a form can; the service checks the file."""

from django import forms

from accounts.idempotency import OnceOnlyFormMixin

from .document_content import ACCEPTED
from .models import CaseDocument


class DocumentUploadForm(OnceOnlyFormMixin, forms.Form):
    title = forms.CharField(
        max_length=200,
        help_text="What the document is, e.g. \u201cNon-molestation order\u201d.",
    )
    kind = forms.ChoiceField(label="Type of document", choices=CaseDocument.Kind.choices)
    file = forms.FileField(
        help_text=f"{ACCEPTED}. Photos are stored without their location and other details.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.doc,.docx,.jpg,.jpeg,.png,.gif,.txt"}
        ),
    )


class DocumentDeleteForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Kept with the record of the deletion, e.g. \u201cUploaded to the wrong case\u201d."
        ),
    )
