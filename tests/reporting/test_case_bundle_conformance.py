"""The compiled check of a bundle line (reporting/bundle/conformance.py) passes a line only when
jsonschema finds no error in it, so that every invalid line is still put to jsonschema and told
the same errors; and it passes a valid exported line, so that the fast path is taken."""

import copy
import json
import random

import pytest

from reporting.bundle.conformance import UNDERSTOOD, line_conforms
from reporting.bundle.importer import _parse
from reporting.bundle.schema import committed_schema, validators
from tests.reporting.test_case_bundle_batches import one_line  # noqa: F401 - a fixture

# Values put in place of a line's values: each is wrong somewhere in the schema.
REPLACEMENTS = [None, 7, -1, True, "", "x" * 5000, "2024-13-45x", [], {}, ["a", "a"], 1.5, 1.0]


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, member in value.items():
            yield from _paths(member, (*path, key))
    elif isinstance(value, list):
        for index, member in enumerate(value):
            yield from _paths(member, (*path, index))


def _replace(line, path, new):
    changed = copy.deepcopy(line)
    if not path:
        return new
    parent = changed
    for part in path[:-1]:
        parent = parent[part]
    if new is _DELETE:
        if isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    elif new is _ADD:
        target = parent[path[-1]]
        if isinstance(target, dict):
            target["not_in_the_schema"] = "x"
        elif isinstance(target, list):
            target.append(target[0] if target else "x")
        else:
            parent[path[-1]] = [target]
    else:
        parent[path[-1]] = new
    return changed


_DELETE, _ADD = object(), object()


def test_the_committed_schema_uses_only_keywords_the_check_understands():
    used = set()

    def walk(schema):
        if isinstance(schema, dict):
            used.update(schema)
            for key, value in schema.items():
                if key in ("properties", "$defs"):
                    for member in value.values():
                        walk(member)
                elif key not in ("enum", "const", "required"):
                    walk(value)
        elif isinstance(schema, list):
            for member in schema:
                walk(member)

    walk(committed_schema())
    assert used <= UNDERSTOOD, used - UNDERSTOOD


@pytest.mark.django_db
def test_the_check_agrees_with_jsonschema_on_a_line_and_its_mutations(one_line):  # noqa: F811
    _header, line_validator = validators()
    conforms = line_conforms()
    assert conforms(one_line) and not list(line_validator.iter_errors(one_line))

    rng = random.Random(20)
    paths = list(_paths(one_line))
    variants = [
        _replace(one_line, path, rng.choice([*REPLACEMENTS, _DELETE, _ADD]))
        for path in rng.sample(paths, min(len(paths), 250))
    ]
    passed_wrongly, refused = [], 0
    for variant in variants:
        valid = not list(line_validator.iter_errors(variant))
        if conforms(variant) and not valid:
            passed_wrongly.append(variant)
        refused += not valid
    assert not passed_wrongly
    assert refused > 100  # the mutations did make invalid lines


@pytest.mark.django_db
def test_an_invalid_line_is_told_jsonschemas_errors(one_line):  # noqa: F811
    bad = json.loads(json.dumps(one_line))
    bad["contacts"][0]["contact_type"] = "telepathy"
    del bad["client"]["id"]
    data, problems = _parse(json.dumps(bad), validators()[1])
    assert data == bad
    assert ("client.id", "is required.") in problems
    assert any(
        path == "contacts[0].contact_type" and message.startswith("'telepathy' is not")
        for path, message in problems
    )


def test_every_field_save_leaves_to_the_schema_refuses_what_its_clean_refuses():
    """rows.RowWriter.save does not clean again a value the line's schema check has checked as
    the field's clean() would (rows._schema_checks_all): for each such field of every part, any
    value its clean() refuses, the field's schema refuses too."""
    import jsonschema
    from django.core.exceptions import ValidationError

    from reporting.bundle.fields import PARTS
    from reporting.bundle.rows import _schema_checks_all
    from reporting.bundle.schema import field_schema

    compared = 0
    for part in PARTS.values():
        for model_field in part.fields():
            if model_field.is_relation or not _schema_checks_all(model_field):
                continue
            schema = jsonschema.Draft202012Validator(field_schema(model_field))
            length = model_field.max_length or 10
            choices = [value for value, _label in model_field.flatchoices]
            candidates = [None, "", " ", "x" * length, "x" * (length + 1), "not an option"]
            candidates += [True, False, 0, 1, "true", *choices, *(f"{c}!" for c in choices)]
            for value in candidates:
                try:
                    model_field.clean(value, None)
                except ValidationError:
                    assert not schema.is_valid(value), (part.name, model_field.name, value)
                compared += 1
    assert compared > 500
