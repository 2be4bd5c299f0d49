"""Checks a form's fields against the seed's tables, for the catalogue tests of each form
(test_outcomes_catalogue*.py)."""

from cases.models import Option
from catalogue.insights import TABLES
from outcomes import models as outcome_models
from outcomes.questions import ABUSE_EXPERIENCED

DK = "Don't know"

# The four abuse levels, which several derived tables use together.
LEVELS = (
    "level_physical",
    "level_sexual",
    "level_harassment_stalking",
    "level_jealous_controlling",
)
# Answers a field has beyond the seed's printed rows (with the reason in outcomes.questions).
EXTRA_LABELS = {"exit_abuse_reported": (ABUSE_EXPERIENCED,)}


def _model(name):
    from django.apps import apps

    return apps.get_model(name) if "." in name else getattr(outcome_models, name)


def field_labels(model, name, table_key):
    field = model._meta.get_field(name)
    if field.many_to_many:
        assert field.related_model is Option
        assert field.remote_field.limit_choices_to == {"list_key": table_key}, name
        labels = list(
            Option.objects.of(table_key).filter(is_builtin=True).values_list("label", flat=True)
        )
        if any(f.name == f"{name}_dont_know" for f in model._meta.get_fields()):
            labels.append(DK)
        return tuple(labels)
    for value, label in field.choices:
        assert value == label, f"{name}: stored values are the seed's labels"
    return tuple(label for _value, label in field.choices)


def check_form(form_name, fields, derived, elsewhere=None, elsewhere_derived=None):
    elsewhere = elsewhere or {}
    elsewhere_derived = elsewhere_derived or {}
    walked = [table for table in TABLES if table.form == form_name]
    assert walked, form_name
    for table in walked:
        homes = (fields, derived, elsewhere, elsewhere_derived)
        assert any(table.key in home for home in homes), (
            f"{table.key} ({table.question}) has no field on the {form_name} form"
        )
        catalogue = (*table.options, *((DK,) if table.has_dont_know else ()))
        if table.key in fields:
            model_name, field_name, seed_labels = fields[table.key]
            assert catalogue == seed_labels, f"the catalogue's {table.key} differs from the seed"
            expected = seed_labels
            if table.key in EXTRA_LABELS:
                options = seed_labels[:-1] if table.has_dont_know else seed_labels
                expected = (*options, *EXTRA_LABELS[table.key])
                expected += (DK,) if table.has_dont_know else ()
            key = table.key
            if model_name == "CivilOrder":
                key = "civil_order_non_molestation"
            got = field_labels(_model(model_name), field_name, key)
            assert got == expected, f"{table.key}: {model_name}.{field_name}"
        elif table.key in derived:
            model_name, used = derived[table.key]
            names = {f.name for f in _model(model_name)._meta.get_fields()}
            assert set(used) <= names, table.key
        elif table.key in elsewhere_derived:
            model_name, field_name, source = elsewhere_derived[table.key]
            got = field_labels(_model(model_name), field_name, source)
            assert set(table.options) <= set(got), table.key
        else:
            model_name, field_name = elsewhere[table.key]
            model = _model(model_name)
            if field_name == "case":
                continue
            got = field_labels(model, field_name, table.key)
            # The cases app's multi-selects carry no "Don't know" flag (reported to its owner).
            assert got in (catalogue, table.options), f"{table.key}: {model_name}.{field_name}"
