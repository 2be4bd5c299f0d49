"""Optimistic concurrency for edit forms: two people editing one record never lose a save.

A record that people edit in place carries a `version` (see `version_field`), raised by one on
every save. The edit form carries, in a hidden field, the version it was loaded with and a short
fingerprint of each value it showed (an `EditState`). The service locks the row and calls
`check_edit` before it writes:

1. The same version: nobody saved in between, the save goes ahead.
2. A newer version: the fields someone else changed are found from the fingerprints. Where the
   form submits a value different from the one now stored in such a field, saving would undo the
   other person's change: `EditConflict` is raised and nothing is written. Changes to fields this
   form does not show (the safe-contact form and the client record share one row) or that both
   people made alike do not conflict.

The view shows the form again with the person's input, a message naming what changed, and the
current state in the hidden field, so that a deliberate second save succeeds.

Fingerprints, not values, travel in the page: nothing more about the client than the form shows,
and a signed token so that a damaged one is refused rather than trusted.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django import forms
from django.core import signing
from django.db import models
from django.utils import formats, timezone

SALT = "lantern.concurrency.edit-state"
STALE_FORM_MESSAGE = "This form is out of date: reload the page and make your changes again."


def version_field() -> models.PositiveIntegerField:
    """The version column of an edited record: raised by one on every save (`next_version`)."""
    return models.PositiveIntegerField(
        default=0, editable=False, help_text="Raised on every save; edit forms check it."
    )


@dataclass(frozen=True)
class EditState:
    """What an edit form was loaded with: the record's version and its values' fingerprints."""

    version: int
    fingerprints: dict[str, str] = field(default_factory=dict)

    def token(self) -> str:
        return signing.dumps([self.version, self.fingerprints], salt=SALT, compress=True)

    @classmethod
    def from_token(cls, token: str) -> "EditState":
        """Raises signing.BadSignature (or ValueError) for a damaged or forged token."""
        version, fingerprints = signing.loads(token, salt=SALT)
        if not isinstance(version, int) or not isinstance(fingerprints, dict):
            raise ValueError("Not an edit state.")
        return cls(version=version, fingerprints={str(k): str(v) for k, v in fingerprints.items()})


class EditConflict(Exception):
    """Someone else saved the record after the form was loaded, changing fields it submits."""

    def __init__(self, *, record, fields: list[str], state: EditState):
        super().__init__(f"{len(fields)} fields changed by someone else")
        self.record = record  # the record as now stored (for the changed values and the time)
        self.fields = fields
        self.state = state  # the current state, for the form's next save


# --- Values and fingerprints -------------------------------------------------------------------


def _stored_value(record, name: str):
    model_field = record._meta.get_field(name)
    if model_field.many_to_many:
        return sorted(getattr(record, name).values_list("pk", flat=True)) if record.pk else []
    if model_field.is_relation:
        return getattr(record, model_field.attname)
    return getattr(record, name)


def _normal(record, name: str, value):
    """A submitted (cleaned) value in the form a stored value takes, for comparing them."""
    model_field = record._meta.get_field(name)
    if model_field.many_to_many:
        return sorted(getattr(item, "pk", item) for item in (value or []))
    if model_field.is_relation:
        return getattr(value, "pk", value)
    return value


def _fingerprint(value) -> str:
    # None and "" are one answer (a blank choice is stored as either, by kind of field).
    text = repr("" if value is None else value)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def model_field_names(record, names) -> list[str]:
    """Those of `names` that are fields of the record (forms add fields of their own)."""
    known = {f.name for f in record._meta.get_fields() if not f.auto_created or f.concrete}
    return [name for name in names if name in known]


def edit_state_of(record, names, *, version: int | None = None) -> EditState:
    """The state of the record as a form showing these fields loads it."""
    return EditState(
        version=record.version if version is None else version,
        fingerprints={
            name: _fingerprint(_stored_value(record, name))
            for name in model_field_names(record, names)
        },
    )


# --- The check in the services -----------------------------------------------------------------


def check_edit(record, *, loaded: EditState | None, submitted: dict, version=None) -> None:
    """Raises EditConflict when saving `submitted` over the (locked, freshly read) record would
    undo a change someone else saved after the form was loaded (see the module's docstring).

    `loaded` None (a form posted without its state, e.g. by a script) is not checked. `version`
    is the record's current version where it is not the record's own `version` column (a safety
    plan: the number of its latest version)."""
    if loaded is None:
        return
    current_version = record.version if version is None else version
    if loaded.version == current_version:
        return
    conflicting = []
    for name in model_field_names(record, loaded.fingerprints):
        stored = _stored_value(record, name)
        changed_by_someone_else = _fingerprint(stored) != loaded.fingerprints[name]
        if not changed_by_someone_else or name not in submitted:
            continue
        if _fingerprint(_normal(record, name, submitted[name])) != _fingerprint(stored):
            conflicting.append(name)
    if conflicting:
        raise EditConflict(
            record=record,
            fields=conflicting,
            state=edit_state_of(record, loaded.fingerprints, version=current_version),
        )


def next_version(record) -> None:
    """Raises the (locked) record's version for the save about to be made."""
    record.version = record.version + 1


# --- The form side -----------------------------------------------------------------------------


class EditStateFormMixin:
    """Adds the hidden `edit_state` field to an edit form. The view passes `edit_state` (from
    `edit_state_of`) when it shows the form; `cleaned_data["edit_state"]` is an EditState, or
    None for a post without one."""

    def __init__(self, *args, edit_state: EditState | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edit_state"] = forms.CharField(
            widget=forms.HiddenInput,
            required=False,
            initial=edit_state.token() if edit_state is not None else "",
        )

    def clean_edit_state(self):
        token = self.cleaned_data.get("edit_state") or ""
        if not token:
            return None
        try:
            return EditState.from_token(token)
        except (signing.BadSignature, ValueError, TypeError):
            # On the form, not the field: a hidden field's errors are not shown beside it.
            self.add_error(None, STALE_FORM_MESSAGE)
            return None

    def show_conflict(self, conflict: EditConflict) -> None:
        """Keeps the person's own changes, brings in the other person's changes to the fields
        this person left as they were (so saving again keeps both), says which is which, and
        takes the current state so that saving again (deliberately) succeeds."""
        data = self.data.copy()
        data[self.add_prefix("edit_state")] = conflict.state.token()
        taken = []
        loaded = self.cleaned_data.get("edit_state")
        for name in conflict.fields:
            if loaded is None or name not in self.fields or name not in loaded.fingerprints:
                continue
            submitted = _normal(conflict.record, name, self.cleaned_data.get(name))
            if _fingerprint(submitted) == loaded.fingerprints[name]:
                _put(data, self.add_prefix(name), _stored_value(conflict.record, name))
                taken.append(name)
        self.data = data
        self.add_error(None, conflict_message(self, conflict, taken=taken))


def _put(data, key: str, value) -> None:
    """A stored value written into posted form data, as a browser would post it."""
    if isinstance(value, list):
        data.setlist(key, [str(item) for item in value])
    elif value is True:
        data[key] = "on"
    elif value is False:
        data.pop(key, None)  # an unticked box is not posted
    elif value is None:
        data[key] = ""
    elif isinstance(value, datetime.datetime):
        data[key] = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
    elif isinstance(value, datetime.date):
        data[key] = value.isoformat()
    else:
        data[key] = str(value)


def _shown(form_field, model_field, value) -> str | None:
    """The stored value as the person would read it; None for free text (not repeated)."""
    if model_field.is_relation:
        ids = value if model_field.many_to_many else [value]
        queryset = getattr(form_field, "queryset", None)
        if queryset is None:
            return None
        label_of = getattr(form_field, "label_from_instance", str)
        return ", ".join(label_of(item) for item in queryset.filter(pk__in=ids)) or "none"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value)) if value else "not answered"
    if isinstance(model_field, models.BooleanField):
        return "yes" if value else "no"
    if isinstance(model_field, models.DateField | models.IntegerField):
        return formats.localize(value) if value is not None else "not answered"
    return None


def conflict_message(form, conflict: EditConflict, *, taken=()) -> str:
    """What changed since the form was loaded: the other person's changes now in the form, and
    the answers both people changed (this person's version kept, the saved one named)."""
    record = conflict.record
    saved_at = getattr(record, "updated_at", None) or getattr(record, "created_at", None)
    when = f" at {timezone.localtime(saved_at):%H:%M}" if saved_at else ""
    brought_in, both = [], []
    for name in conflict.fields:
        form_field = form.fields.get(name)
        label = str(form_field.label) if form_field and form_field.label else name
        if name in taken:
            brought_in.append(label)
            continue
        model_field = record._meta.get_field(name)
        shown = _shown(form_field, model_field, _stored_value(record, name)) if form_field else None
        both.append(f"{label} (saved now: {shown})" if shown is not None else label)
    message = f"Someone else saved this record{when}."
    if brought_in:
        message += f" Their changes to {'; '.join(brought_in)} are now in the form below."
    if both:
        message += f" You both changed {'; '.join(both)}: your version is below, not theirs."
    return message + " Check the form and save again."
