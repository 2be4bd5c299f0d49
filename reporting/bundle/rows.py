"""Writing a bundle line's rows through the models: named things (users, agencies, routes,
teams, services, option labels, checklist versions) looked up once per import, each row built
from the line's values and validated before it is saved, and every problem kept as (path,
message) for the line's errors."""

import datetime
from functools import cache

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import F
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

from accounts.models import Service, Team, User
from cases.models import Agency, Option
from referrals.models import ReferralRoute
from riskassessment.models import ChecklistVersion

from .batch import Queued
from .fields import PARTS, BadValue, load_value, option_list_key, reference_kind


@cache
def _relation_names(model) -> frozenset[str]:
    return frozenset(field.name for field in model._meta.concrete_fields if field.is_relation)


# How build writes a field's value: the part's fields sorted once (_build_plan).
_MANY, _RELATION, _LOADED, _AS_IT_IS = "many", "relation", "loaded", "as it is"
# Written as it is, and every check of the field's own clean() already made by the line's
# schema check (schema.field_schema), which every line passes before its rows are built.
_CHECKED_BY_SCHEMA = "checked by the schema"


def _schema_checks_all(model_field) -> bool:
    """Whether the bundle schema's rule for the field (schema.field_schema) already makes every
    check the field's clean() would: its choices (an enum of them, "" only when blank, null
    only when null), a boolean, or free text that may be blank within its max_length. Not
    integers (the database's range), e-mail addresses and the like (their own validators), nor
    text that may not be blank (the schema lets "" through)."""
    if model_field._validators:  # validators of the model's own
        return False
    if model_field.choices:
        return True
    if type(model_field) is models.BooleanField:
        return True
    return type(model_field) in (models.CharField, models.TextField) and model_field.blank


@cache
def _build_plan(part) -> tuple[tuple, ...]:
    """Each field of the part with its name, attname, how build writes it, the kind of thing
    it refers to (relations) and its foreign key (for relate)."""
    plan = []
    foreign_keys = _foreign_keys(part.model)
    for model_field in part.fields():
        kind = None
        if model_field.many_to_many:
            how, kind = _MANY, reference_kind(model_field)
        elif model_field.is_relation:
            how, kind = _RELATION, reference_kind(model_field)
        elif isinstance(model_field, models.DateField):  # date-times too: fields.load_value
            how = _LOADED
        elif _schema_checks_all(model_field):
            how = _CHECKED_BY_SCHEMA
        else:
            how = _AS_IT_IS
        name, attname = model_field.name, model_field.attname
        plan.append((model_field, name, attname, how, kind, foreign_keys.get(name)))
    return tuple(plan)


# Defaults of these types are shared by every row (as Model.__init__ shares a constant default).
_IMMUTABLE = (type(None), str, int, bool, float, datetime.date, datetime.datetime)


@cache
def _new_row_plan(model) -> tuple[dict, tuple] | None:
    """What Model.__init__ gives a row built with no values: each concrete field's default,
    worked out here once where it is a constant; the fields whose default is made per row (a
    callable, or a value of another type). None when the model has pre_init or post_init
    receivers (connected when the apps are ready, before any import): then __init__ itself."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return None
    constants, per_row = {}, []
    for model_field in model._meta.concrete_fields:
        if model_field.generated:
            continue
        callable_default = model_field.has_default() and callable(model_field.default)
        value = None if callable_default else model_field.get_default()
        if not callable_default and type(value) in _IMMUTABLE:
            constants[model_field.attname] = value
        else:
            per_row.append(model_field)
    return constants, tuple(per_row)


def new_row(model, **fixed):
    """model(**fixed), without Model.__init__'s walk through every field and keyword (a
    fifth of the time spent building an import's rows). `fixed`: values by attname, and
    related rows by their foreign key's name (set by `relate`)."""
    plan = _new_row_plan(model)
    if plan is None:
        return model(**fixed)
    constants, per_row = plan
    obj = model.__new__(model)
    obj._state = ModelState()
    values = obj.__dict__
    values.update(constants)
    for model_field in per_row:
        values[model_field.attname] = model_field.get_default()
    foreign_keys = _foreign_keys(model)
    for name, value in fixed.items():
        if name in foreign_keys:
            relate(obj, foreign_keys[name], value)
        else:
            setattr(obj, name, value)
    return obj


@cache
def _foreign_keys(model) -> dict[str, models.ForeignKey]:
    """The model's foreign keys by name; not its one-to-one fields, whose descriptor does
    more (relate)."""
    return {
        model_field.name: model_field
        for model_field in model._meta.concrete_fields
        if type(model_field) is models.ForeignKey
    }


def relate(obj, foreign_key, related) -> None:
    """setattr(obj, foreign_key.name, related) on a new row, less the descriptor's checks
    (three in every row built): the import relates rows it built or looked up for that very
    field, all of the one database. The key takes the related row's id (None while that row
    is unsaved: it is given when the row is written, as for any row saved after its parent),
    and the related row is cached, as the descriptor does."""
    values = obj.__dict__
    for own, target in foreign_key.related_fields:
        values[own.attname] = None if related is None else getattr(related, target.attname)
    foreign_key.set_cached_value(obj, related)


class LineInvalid(Exception):
    """The line has errors (RowWriter.errors): its savepoint is rolled back."""


class RowWriter:
    """Looks up, builds, validates and saves the rows of one line at a time."""

    def __init__(self, *, user, service_code: str | None = None, unknown_users_as_me=False):
        self.user = user
        self.service_code = service_code
        self.unknown_users_as_me = unknown_users_as_me
        self._cache: dict = {}
        self._options_loaded = False
        self.seen_ids: set[str] = set()
        self.errors: list[tuple[str, str]] = []
        # While a batch is being written (importer.py): the rows validated and waiting for
        # their bulk insert, instead of saved one at a time. None: save each row at once.
        self.queue: list[Queued] | None = None
        # Line by line (importer._import_one): the rows the line saved, for its change history.
        self.saved: list[Queued] = []
        # Each line written since they were last taken (take_lines_rows): its rows, for the
        # change history (batch.history_rows), one list per line.
        self.lines_rows: list[list[Queued]] = []
        self.batch_line_ids: set[str] | None = None
        self.batch_clients: dict | None = None
        self.batch_services: set[int] | None = None
        self.references_wanted: list = []
        # In a batch (records.py): MARAC referrals queued by (client, day) and those of the
        # batch's known clients by (client id, day); MARAC meetings by (area, day) and MARACs by
        # name, found or queued.
        self.batch_marac_referrals: dict | None = None
        self.batch_marac_referrals_before: dict | None = None
        self.batch_meetings: dict | None = None
        self.batch_maracs: dict | None = None

    # --- Looking up named things ---

    def _lookup(self, kind: str, key, load):
        cache_key = (kind, key)
        if cache_key not in self._cache:
            self._cache[cache_key] = load()
        return self._cache[cache_key]

    def user_by_email(self, email: str):
        found = self._lookup(
            "user", email.lower(), lambda: User.objects.filter(email__iexact=email).first()
        )
        if found is None and self.unknown_users_as_me:
            return self.user
        return found

    def resolve(self, kind: str, value, path: str, service):
        if kind == "user":
            found = self.user_by_email(value)
            missing = f"no user has the e-mail address {value!r}."
        elif kind == "agency":
            found = self._lookup(kind, value, lambda: Agency.objects.filter(name=value).first())
            missing = f"no agency is named {value!r}."
        elif kind == "route":
            # The service's provider's own route of that name before the national one.
            found = self._lookup(
                kind,
                (service.provider_id, value),
                lambda: (
                    ReferralRoute.objects.of_provider(service.provider_id)
                    .filter(name=value)
                    .order_by(F("provider").asc(nulls_last=True))
                    .first()
                ),
            )
            missing = f"no referral route is named {value!r}."
        elif kind == "team":
            found = self._lookup(
                kind,
                (service.pk, value),
                lambda: Team.objects.filter(service=service, name=value).first(),
            )
            missing = f"the service {service.code} has no team named {value!r}."
        elif kind == "service":
            found = self._lookup(kind, value, lambda: Service.objects.filter(code=value).first())
            missing = f"no service has the code {value!r}."
        else:  # pragma: no cover - fields.reference_kind names every kind
            raise ValueError(kind)
        if found is None:
            self.fail(path, missing)
        return found

    def option(self, list_key: str | None, label: str, path: str, index: int):
        """The option of the list with that label; a failure named at path[index]."""
        if list_key is None:
            self.fail(f"{path}[{index}]", "cannot tell which list the options belong to.")
            return None
        if not self._options_loaded:
            # Every option list at once (a few hundred rows): one query instead of one per
            # label met. (list_key, label) is unique (option_unique_label).
            for each in Option.objects.all():
                self._cache[("option", (each.list_key, each.label))] = each
            self._options_loaded = True
        found = self._cache.get(("option", (list_key, label)))
        if found is None:
            self.fail(f"{path}[{index}]", f"{label!r} is not an option of the list {list_key!r}.")
        return found

    def checklist_version(self, key: str, number: int):
        def load():
            version = (
                ChecklistVersion.objects.filter(checklist__key=key, number=number)
                .prefetch_related("questions__options")
                .first()
            )
            if version is None:
                return None
            questions = {
                question.number: (
                    question,
                    {option.key: option for option in question.options.all()},
                )
                for question in version.questions.all()
            }
            return version, questions

        return self._lookup("checklist", (key, number), load)

    def take_lines_rows(self) -> list[list[Queued]]:
        taken, self.lines_rows = self.lines_rows, []
        return taken

    # --- Errors ---

    def fail(self, path: str, message: str) -> None:
        self.errors.append((path, message))

    def check(self) -> None:
        if self.errors:
            raise LineInvalid

    # --- Building rows ---

    def build(self, part_name: str, values: dict, path: str, line_service, **fixed):
        """An unsaved row of the part from the line's values, and its many-to-many values."""
        part = PARTS[part_name]
        obj = new_row(part.model, **fixed)
        many = {}
        # The values save() need not clean again, as long as they are still the row's.
        obj._bundle_checked_by_schema = checked = []  # (name, attname, value)
        for model_field, name, attname, how, kind, foreign_key in _build_plan(part):
            if name not in values:
                continue
            raw = values[name]
            if how is _CHECKED_BY_SCHEMA:
                setattr(obj, attname, raw)
                checked.append((name, attname, raw))
                continue
            if how is _AS_IT_IS:  # load_value gives it back unchanged
                setattr(obj, attname, raw)
                continue
            field_path = f"{path}.{name}"
            if how is _MANY:
                if kind == "option":
                    list_key = option_list_key(model_field, values)
                    items = [
                        self.option(list_key, label, field_path, index)
                        for index, label in enumerate(raw)
                    ]
                else:
                    items = [
                        self.resolve(kind, value, f"{field_path}[{index}]", line_service)
                        for index, value in enumerate(raw)
                    ]
                many[name] = [item for item in items if item is not None]
            elif how is _RELATION:
                related = None if raw is None else self.resolve(kind, raw, field_path, line_service)
                if foreign_key is None:
                    setattr(obj, name, related)
                else:
                    relate(obj, foreign_key, related)
            else:
                try:
                    setattr(obj, model_field.attname, load_value(model_field, raw))
                except BadValue as error:
                    self.fail(field_path, str(error))
        return obj, many

    def save(self, obj, path: str, many: dict | None = None) -> bool:
        """Validates and saves one row (and its many-to-many values); False if invalid."""
        if self.errors:
            return False
        # full_clean() less its foreign-key existence checks (one query per key): every
        # related row here was looked up by name a moment ago, or was just written.
        # Queued for a bulk insert, the unique and constraint checks (a query each) are left to
        # the database: a batch it refuses is written again line by line, with these checks.
        # And less the fields whose value, still the one build() took from the line, the line's
        # schema check has already checked as the field's clean() would (_schema_checks_all):
        # the choices check alone was a sixth of an import's time.
        exclude = set(_relation_names(type(obj)))
        for name, attname, raw in getattr(obj, "_bundle_checked_by_schema", ()):
            if getattr(obj, attname) is raw:
                exclude.add(name)
        errors: dict = {}
        steps = [lambda: obj.clean_fields(exclude=exclude), obj.clean]
        if self.queue is None:
            steps += [obj.validate_unique, obj.validate_constraints]
        for step in steps:
            try:
                step()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            for name, messages in errors.items():
                where = path if name == NON_FIELD_ERRORS else f"{path}.{name}"
                self.fail(where, " ".join(ValidationError(messages).messages))
            return False
        if self.queue is not None:
            self.queue.append(Queued(obj, dict(many or {})))
            return True
        obj.save()
        for name, items in (many or {}).items():
            if items:  # a new row has none yet: add, rather than set's read-compare-write
                getattr(obj, name).add(*items)
        self.saved.append(Queued(obj, dict(many or {})))
        return True

    def make(self, part_name, values, path, line_service, **fixed):
        obj, many = self.build(part_name, values, path, line_service, **fixed)
        self.save(obj, path, many)
        return obj

    def _date(self, value: str, path: str) -> datetime.date | None:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.fail(path, f"{value!r} is not a date (YYYY-MM-DD).")
            return None
