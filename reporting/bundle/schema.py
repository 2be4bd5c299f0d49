"""The JSON Schema of lantern-case-bundle/1, generated from the models (fields.PARTS).

The generated schema is committed as case-bundle.schema.json, so that other systems can read it
without Lantern; tests/reporting/test_case_bundle.py fails when the committed file and the models
disagree (regenerate it with
`python manage.py shell -c "from reporting.bundle.schema import write_schema_file as w; w()"`).
"""

import json
from functools import cache
from pathlib import Path

from django.db import models

from .fields import PARTS, Part, reference_kind

FORMAT = "lantern-case-bundle"
VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("case-bundle.schema.json")
SCHEMA_ID = "https://lantern.example/schemas/case-bundle-1.schema.json"

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"

REFERENCE_TEXT = {
    "user": "the e-mail address of a Lantern user",
    "agency": "the name of an agency",
    "route": "the name of a referral route",
    "team": "the name of a team of the line's service",
    "service": "a service code",
    "option": "option labels",
}
INTEGER_FIELDS = (models.IntegerField, models.SmallIntegerField, models.BigIntegerField)
POSITIVE_FIELDS = (
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)


def _nullable(schema: dict) -> dict:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    return schema


def field_schema(field) -> dict:
    description = str(field.verbose_name)
    if field.many_to_many:
        kind = reference_kind(field)
        return {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": True,
            "description": f"{description}: {REFERENCE_TEXT[kind]}",
        }
    if field.is_relation:
        kind = reference_kind(field)
        schema = {
            "type": "string",
            "minLength": 1,
            "description": f"{description}: {REFERENCE_TEXT[kind]}",
        }
        return _nullable(schema) if field.null else schema
    if field.choices:
        values = [value for value, _label in field.flatchoices]
        if field.blank and "" not in values:
            values.append("")
        if field.null:
            values.append(None)
        return {"enum": values, "description": description}
    if isinstance(field, models.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, INTEGER_FIELDS):
        schema = {"type": "integer"}
        if isinstance(field, POSITIVE_FIELDS):
            schema["minimum"] = 0
    elif isinstance(field, models.DateTimeField):
        schema = {"type": "string", "pattern": DATETIME_PATTERN}
    elif isinstance(field, models.DateField):
        schema = {"type": "string", "pattern": DATE_PATTERN}
    elif isinstance(field, models.DecimalField):
        schema = {"type": "string"}
    else:
        schema = {"type": "string"}
        if field.max_length:
            schema["maxLength"] = field.max_length
    schema["description"] = description
    return _nullable(schema) if field.null else schema


def required_fields(part: Part) -> list[str]:
    """Fields a line must give: those with no default that may not be left blank."""
    return [
        field.name
        for field in part.fields()
        if not field.many_to_many and not field.blank and not field.has_default()
    ]


def part_schema(name: str, extra: dict | None = None, extra_required=()) -> dict:
    part = PARTS[name]
    properties = {field.name: field_schema(field) for field in part.fields()}
    properties.update(extra or {})
    return {
        "type": "object",
        "title": part.model._meta.verbose_name.capitalize(),
        "additionalProperties": False,
        "required": [*extra_required, *required_fields(part)],
        "properties": properties,
    }


def _array_of(ref: str) -> dict:
    return {"type": "array", "items": {"$ref": f"#/$defs/{ref}"}}


def _ref(name: str, nullable: bool = False) -> dict:
    if nullable:
        return {"oneOf": [{"type": "null"}, {"$ref": f"#/$defs/{name}"}]}
    return {"$ref": f"#/$defs/{name}"}


LOCAL_REF = {"type": "string", "minLength": 1, "maxLength": 40}
LOCAL_REF_OR_NULL = {"type": ["string", "null"], "minLength": 1, "maxLength": 40}


def build_schema() -> dict:
    text = {"type": "string"}
    answer = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "option": {
                "type": ["string", "null"],
                "description": "the answer option's key in the checklist version",
            },
            "detail": text,
            "comment": text,
        },
    }
    defs = {
        "header": {
            "type": "object",
            "title": "Header (line 1)",
            "additionalProperties": False,
            "required": ["format", "version", "exported_at", "services", "counts"],
            "properties": {
                "format": {"const": FORMAT},
                "version": {"const": VERSION},
                "exported_at": {"type": "string", "pattern": DATETIME_PATTERN},
                "services": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "period": {
                    "oneOf": [
                        {"type": "null"},
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "from": {"type": ["string", "null"], "pattern": DATE_PATTERN},
                                "to": {"type": ["string", "null"], "pattern": DATE_PATTERN},
                            },
                        },
                    ]
                },
                "counts": {
                    "type": "object",
                    "required": ["lines"],
                    "additionalProperties": {"type": "integer", "minimum": 0},
                },
            },
        },
        "line": {
            "type": "object",
            "title": "One referral and its case",
            "additionalProperties": False,
            "required": ["id", "service", "client"],
            "properties": {
                "id": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 100,
                    "description": "the line's id: importing a line whose id was imported "
                    "before adds nothing",
                },
                "service": {"type": "string", "minLength": 1, "description": "a service code"},
                "reference": {
                    "type": "string",
                    "description": "the case (or referral) reference in the exporting system",
                },
                "client": _ref("client"),
                "referral": _ref("referral", nullable=True),
                "case": _ref("case", nullable=True),
                "assessments": _array_of("assessment"),
                "risk_decisions": _array_of("risk_decision"),
                "forms": _ref("forms"),
                "contacts": _array_of("contact"),
                "support": _array_of("support"),
                "interventions": _array_of("intervention"),
                "safety_plans": _array_of("safety_plan"),
                "marac": _ref("marac"),
            },
        },
        "client": part_schema(
            "client",
            {
                "id": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 100,
                    "description": "the client's id in the bundle: lines with the same client id "
                    "are one person",
                },
                "consents": _array_of("consent"),
            },
            ["id"],
        ),
        "consent": part_schema("consent"),
        "referral": part_schema("referral", {"reference": text}),
        "case": part_schema(
            "case",
            {
                "reference": text,
                "children": _array_of("child"),
                "perpetrators": _array_of("perpetrator"),
            },
        ),
        "child": part_schema("child"),
        "perpetrator": part_schema("perpetrator"),
        "contact": part_schema("contact"),
        "support": part_schema("support"),
        "intervention": part_schema("intervention"),
        "risk_decision": part_schema("risk_decision"),
        "safety_plan": part_schema("safety_plan", {"versions": _array_of("safety_plan_version")}),
        "safety_plan_version": part_schema(
            "safety_plan_version",
            {"assessment": {**LOCAL_REF_OR_NULL, "description": "ref of the assessment"}},
        ),
        "assessment": part_schema(
            "assessment",
            {
                "ref": {**LOCAL_REF, "description": "the assessment's name within the line"},
                "checklist": {"type": "string", "minLength": 1, "description": "checklist key"},
                "checklist_version": {"type": "integer", "minimum": 1},
                "parent": {**LOCAL_REF_OR_NULL, "description": "ref of the opening assessment"},
                "supersedes": {**LOCAL_REF_OR_NULL, "description": "ref of the replaced one"},
                "answers": {
                    "type": "object",
                    "description": "answers by question number",
                    "propertyNames": {"pattern": r"^[0-9]+$"},
                    "additionalProperties": answer,
                },
            },
            ["ref", "checklist", "checklist_version"],
        ),
        "forms": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "intake": _ref("intake", nullable=True),
                "reviews": _array_of("review"),
                "exit": _ref("exit", nullable=True),
                "criminal_justice": _ref("criminal_justice", nullable=True),
                "civil_justice": _ref("civil_justice", nullable=True),
                "follow_up": _ref("follow_up", nullable=True),
            },
        },
        "intake": part_schema("intake"),
        "review": part_schema("review"),
        "exit": part_schema("exit"),
        "criminal_justice": part_schema(
            "criminal_justice", {"police_reports": _array_of("police_report")}
        ),
        "police_report": part_schema("police_report", {"incidents": _array_of("incident")}),
        "incident": part_schema("incident"),
        "civil_justice": part_schema("civil_justice", {"orders": _array_of("civil_order")}),
        "civil_order": part_schema("civil_order"),
        "follow_up": part_schema("follow_up"),
        "marac": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "referrals": _array_of("marac_referral"),
                "hearings": _array_of("marac_hearing"),
            },
        },
        "marac_referral": part_schema(
            "marac_referral",
            {
                "ref": LOCAL_REF,
                "assessment": {**LOCAL_REF_OR_NULL, "description": "ref of the assessment"},
                "repeat_of_referred_on": {
                    "type": ["string", "null"],
                    "pattern": DATE_PATTERN,
                    "description": "date of the client's earlier MARAC referral this repeats",
                },
            },
            ["ref"],
        ),
        "marac_hearing": part_schema(
            "marac_hearing",
            {
                "meeting": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["area", "held_on"],
                    "properties": {
                        "area": {"type": "string", "minLength": 1},
                        "held_on": {"type": "string", "pattern": DATE_PATTERN},
                    },
                },
                "referral": {**LOCAL_REF_OR_NULL, "description": "ref of the MARAC referral"},
                "actions": _array_of("marac_action"),
            },
            ["meeting"],
        ),
        "marac_action": part_schema("marac_action"),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"{FORMAT}/{VERSION}",
        "description": "Lantern case bundle: JSON Lines, line 1 the header, then one referral "
        "and its case per line. See reporting/bundle/README.md.",
        "oneOf": [{"$ref": "#/$defs/header"}, {"$ref": "#/$defs/line"}],
        "$defs": defs,
    }


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema_file() -> Path:
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    return SCHEMA_PATH


@cache
def committed_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def validators():
    """(header validator, line validator) over the committed schema file."""
    from jsonschema import Draft202012Validator

    schema = committed_schema()

    def of(name):
        part = {key: value for key, value in schema.items() if key != "oneOf"}
        return Draft202012Validator({**part, "$ref": f"#/$defs/{name}"})

    return of("header"), of("line")
