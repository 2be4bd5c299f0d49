"""One save per create form: a double click, a resent post or a second tab's copy of the same
form creates nothing twice.

1. The form renders a fresh one-time token (`OnceOnlyFormMixin`, field `form_token`).
2. The create service calls `claim_form_token` inside its transaction, before it writes. The
   token's row (`FormSubmission`, unique on the token) is inserted in that transaction, so the
   create and the claim commit or roll back together: a refused save leaves the token unused
   and the corrected form can be posted again.
3. A second post finds the row (or, posted at the same moment, waits on the unique index until
   the first commits) and gets `AlreadySubmitted`, which names what the first post created; the
   view sends the person where the first post went.

A post without a token (an old page, a script) is saved as a new submission: refusing it would
lose what was typed, and browsers always send the token. A token that is not one is refused.
"""

import datetime
import uuid

from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import FormSubmission


class AlreadySubmitted(Exception):
    """This form was already saved. object_id: what it created (None if not the actor's)."""

    def __init__(self, *, object_type: str = "", object_id: str | None = None):
        super().__init__("This form was already saved.")
        self.object_type = object_type
        self.object_id = int(object_id) if object_id and object_id.isdigit() else None


class FormClaim:
    """A claimed token; `record(obj)` notes what the submission created."""

    def __init__(self, submission: FormSubmission | None):
        self.submission = submission

    def record(self, obj):
        if self.submission is not None:
            self.submission.object_type = obj._meta.label_lower
            self.submission.object_id = str(obj.pk)
            self.submission.save(update_fields=["object_type", "object_id"])
        return obj


def claim_form_token(token: uuid.UUID | None, *, actor) -> FormClaim:
    """Claims the form's token in the caller's transaction, or raises AlreadySubmitted."""
    if token is None:
        return FormClaim(None)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim_form_token runs in the transaction of the create.")
    try:
        # A savepoint: the unique violation must not break the caller's transaction before
        # the first submission is looked up.
        with transaction.atomic():
            submission = FormSubmission.objects.create(token=token, user=actor)
    except IntegrityError:
        raise first_submission(token, actor=actor) or AlreadySubmitted() from None
    return FormClaim(submission)


def first_submission(token: uuid.UUID | None, *, actor) -> AlreadySubmitted | None:
    """The earlier submission of this form, if there was one (for a page that does more than
    create, e.g. a referral's duplicate check, to answer a resend at once)."""
    if token is None:
        return None
    first = FormSubmission.objects.filter(token=token).first()
    if first is None:
        return None
    if first.user_id != actor.pk:
        return AlreadySubmitted()
    return AlreadySubmitted(object_type=first.object_type, object_id=first.object_id)


ALREADY_SAVED_MESSAGE = "This was already saved: the second copy was not saved again."
STALE_FORM_MESSAGE = "This form is out of date: reload the page and enter it again."


class OnceOnlyFormMixin:
    """Adds the hidden one-time `form_token` to a create form (a new one each time the form is
    shown empty; a form shown again with errors keeps its token, still unused)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form_token"] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=uuid.uuid4
        )

    def clean_form_token(self) -> uuid.UUID | None:
        token = self.cleaned_data.get("form_token") or ""
        if not token:
            return None
        try:
            return uuid.UUID(token)
        except ValueError:
            # On the form, not the field: a hidden field's errors are not shown beside it.
            self.add_error(None, STALE_FORM_MESSAGE)
            return None


def purge_old_form_submissions(now=None) -> int:
    """Deletes claimed tokens old enough that their page cannot post again: a post needs its
    session's CSRF token, and no session outlives SESSION_ABSOLUTE_LIFETIME. A day's margin."""
    now = now or timezone.now()
    cutoff = now - settings.SESSION_ABSOLUTE_LIFETIME - datetime.timedelta(days=1)
    deleted, _ = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
