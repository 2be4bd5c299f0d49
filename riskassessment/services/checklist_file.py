"""The checklist import file (`lantern-checklist/1`, checklists/README.md): its JSON Schema and
the messages an admin reads when a file is wrong.

1. The schema checks every value's type and range. Each of its nodes may carry an "x-message"
   (or a dict of them by JSON Schema keyword, "*" for any other): the message an admin reads
   when a value under that node is wrong, with {where} naming the question or option list and
   {band} the band. The deepest node with a message answers for an error; a node's
   "x-message-required" says what each missing required name means.
2. What a schema cannot say is checked in Python after it: numbers and keys used once, scores
   naming known options, the checklist a question opens, bands without overlaps or gaps, and a
   new version keeping its checklist's way of scoring. Those checks read only the parts whose
   shape is right, so whatever a file holds the import answers with messages, never a failure
   part-way.
"""

import itertools

from jsonschema import Draft202012Validator, validators

from cases.models import RiskLevel

from ..models import Checklist

CHECKLIST_FORMAT = "lantern-checklist/1"
# \Z, not $: in Python $ also matches before a final newline.
SLUG = r"^[-a-zA-Z0-9_]+\Z"
NOT_BLANK = r"\S"
SMALL_INT_MAX = 32767  # PositiveSmallIntegerField

_TEXT = {"type": "string"}
_OPTION_VALUE = (
    '{where}: an option\'s "score" must be a whole number and "counts_as_tick" true or false.'
)


def _slug(max_length):
    return {"type": "string", "pattern": SLUG, "maxLength": max_length}


def _option_list():
    return {
        "type": "array",
        "minItems": 1,
        "x-message": {
            "type": "{where}: give a list of answer options.",
            "minItems": "{where}: give a list of answer options.",
        },
        "items": {
            "type": "object",
            "x-message": {"type": "{where}: every answer option must be an object."},
            "required": ["key", "label"],
            "properties": {
                "key": {
                    **_slug(30),
                    "x-message": "{where}: options need unique keys (letters, digits, - and _).",
                },
                "label": {
                    **_TEXT,
                    "maxLength": 120,
                    "pattern": NOT_BLANK,
                    "x-message": "{where}: every option needs a label (up to 120 characters).",
                },
                "score": {"type": "integer", "x-message": _OPTION_VALUE},
                "counts_as_tick": {"type": "boolean", "x-message": _OPTION_VALUE},
            },
            "x-message-required": {
                "key": "{where}: options need unique keys (letters, digits, - and _).",
                "label": "{where}: every option needs a label (up to 120 characters).",
            },
        },
    }


_KEY_AND_NAME = (
    '"checklist" needs a "key" (letters, digits, - and _, up to 40) and a "name" (up to 120 '
    "characters)."
)
_BAND_RANGE = (
    'Band {band}: "min_score" must be a whole number and "max_score" one at least as large, or '
    "null for no top."
)

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Lantern checklist import file",
    "type": "object",
    "x-message": {"type": "The file must hold one JSON object."},
    "required": ["format", "checklist", "version", "questions"],
    "x-message-required": {
        "format": f'"format" must be "{CHECKLIST_FORMAT}".',
        "checklist": '"checklist" needs a "key" and a "name".',
        "version": '"version" needs a "label" (up to 120 characters).',
        "questions": '"questions" must list at least one question.',
    },
    "properties": {
        "format": {
            "const": CHECKLIST_FORMAT,
            "x-message": f'"format" must be "{CHECKLIST_FORMAT}".',
        },
        "checklist": {
            "type": "object",
            "x-message": {"type": '"checklist" needs a "key" and a "name".', "*": _KEY_AND_NAME},
            "required": ["key", "name"],
            "properties": {
                "key": {**_slug(40), "x-message": _KEY_AND_NAME},
                "name": {
                    **_TEXT,
                    "maxLength": 120,
                    "pattern": NOT_BLANK,
                    "x-message": _KEY_AND_NAME,
                },
                "scoring": {
                    "enum": list(Checklist.Scoring.values),
                    "x-message": '"checklist.scoring" must be "ticks" or "weighted".',
                },
                "is_follow_up": {
                    "type": "boolean",
                    "x-message": '"checklist.is_follow_up" must be true or false.',
                },
                "has_insights_band": {
                    "type": "boolean",
                    "x-message": '"checklist.has_insights_band" must be true or false.',
                },
                "description": {**_TEXT, "x-message": '"checklist.description" must be text.'},
            },
        },
        "version": {
            "type": "object",
            "x-message": '"version" needs a "label" (up to 120 characters).',
            "required": ["label"],
            "properties": {
                "label": {**_TEXT, "maxLength": 120, "pattern": NOT_BLANK},
                "source_note": {**_TEXT, "x-message": '"version.source_note" must be text.'},
                "marac_threshold": {
                    "type": ["integer", "null"],
                    "minimum": 0,
                    "x-message": '"version.marac_threshold" must be a whole number from 0, '
                    "or null.",
                },
                "escalation_call_outs": {
                    "type": "integer",
                    "minimum": 1,
                    "x-message": '"version.escalation_call_outs" must be a whole number from 1.',
                },
                "escalation_window_months": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 120,
                    "x-message": '"version.escalation_window_months" must be from 1 to 120.',
                },
                "publish": {
                    "type": "boolean",
                    "x-message": '"version.publish" must be true or false.',
                },
            },
        },
        "answer_options": _option_list(),
        "questions": {
            "type": "array",
            "minItems": 1,
            "x-message": '"questions" must list at least one question.',
            "items": {
                "type": "object",
                "x-message": {"type": 'Every entry of "questions" must be an object.'},
                "required": ["number", "text"],
                "x-message-required": {
                    "number": "Question numbers must be whole numbers from 1, each used once.",
                    "text": "{where} has no text.",
                },
                "properties": {
                    "number": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": SMALL_INT_MAX,
                        "x-message": "Question numbers must be whole numbers from 1, each used "
                        "once.",
                    },
                    "text": {**_TEXT, "pattern": NOT_BLANK, "x-message": "{where} has no text."},
                    "help": {
                        **_TEXT,
                        "x-message": '{where}: "help" and "follow_up_prompt" (up to 300) must be '
                        "text.",
                    },
                    "follow_up_prompt": {
                        **_TEXT,
                        "maxLength": 300,
                        "x-message": '{where}: "help" and "follow_up_prompt" (up to 300) must be '
                        "text.",
                    },
                    "order": {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": SMALL_INT_MAX,
                        "x-message": '{where}: "order" must be a whole number from 0.',
                    },
                    "options": _option_list(),
                    "scores": {
                        "type": "object",
                        "additionalProperties": {"type": "integer"},
                        "x-message": '{where}: "scores" must map option keys to whole numbers.',
                    },
                    "opens_checklist": {
                        "type": ["string", "null"],
                        "pattern": NOT_BLANK,
                        "x-message": '{where}: "opens_checklist" must be a checklist key.',
                    },
                },
            },
        },
        "bands": {
            "type": "array",
            "x-message": '"bands" must be a list of objects.',
            "items": {
                "type": "object",
                "x-message": {"type": '"bands" must be a list of objects.'},
                "required": ["level", "min_score"],
                "x-message-required": {
                    "level": "Bands: each level (standard, medium, high) at most once.",
                    "min_score": _BAND_RANGE,
                },
                "properties": {
                    "level": {
                        "enum": list(RiskLevel.values),
                        "x-message": "Bands: each level (standard, medium, high) at most once.",
                    },
                    "label": {
                        **_TEXT,
                        "maxLength": 40,
                        "x-message": "Band {level}: the label must be text (up to 40).",
                    },
                    "min_score": {"type": "integer", "x-message": _BAND_RANGE},
                    "max_score": {"type": ["integer", "null"], "x-message": _BAND_RANGE},
                },
            },
        },
    },
}


def _whole_number(_checker, instance) -> bool:
    # JSON true/false are ints to Python, and 1.0 is an integer to JSON Schema: neither is a
    # whole number in a checklist file.
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _whole_number),
)
_VALIDATOR = _Validator(SCHEMA)


def _is_int(value) -> bool:
    return _whole_number(None, value)


def _where(data, path) -> str:
    """How a message names the part of the file at `path`: "Question 3", '"answer_options"'."""
    if not path:
        return ""
    if path[0] == "answer_options":
        return '"answer_options"'
    if path[0] == "questions" and len(path) > 1:
        question = data["questions"][path[1]]
        number = question.get("number") if isinstance(question, dict) else None
        return f"Question {number if _is_int(number) else path[1] + 1}"
    return ""


def _band_names(data, path) -> dict:
    if len(path) < 2 or path[0] != "bands":
        return {"band": "", "level": ""}
    band = data["bands"][path[1]]
    band = band if isinstance(band, dict) else {}
    return {"band": band.get("label") or band.get("level"), "level": band.get("level")}


def _messages(error, data) -> list[str]:
    """The admin's words for one schema error: the deepest schema node's "x-message" (by JSON
    Schema keyword when it is a dict), or for a missing name the "x-message-required" of the
    node that requires it."""
    node, found = SCHEMA, None
    for step in error.absolute_schema_path:
        if "x-message" in node:
            found = node["x-message"]
        node = node[step]
    path = list(error.absolute_path)
    names = {"where": _where(data, path), **_band_names(data, path)}
    if error.validator == "required":
        parent = SCHEMA
        for step in list(error.absolute_schema_path)[:-1]:
            parent = parent[step]
        by_name = parent.get("x-message-required", {})
        missing = [name for name in error.validator_value if name not in error.instance]
        if missing and all(name in by_name for name in missing):
            return [by_name[name].format(**names) for name in missing]
    if isinstance(found, dict):
        found = found.get(error.validator, found.get("*"))
    if found is None:
        found = f"{'.'.join(map(str, path)) or 'The file'}: {error.message}"
    return [found.format(**names)]


def _option_keys(options) -> set:
    if not isinstance(options, list):
        return set()
    return {option.get("key") for option in options if isinstance(option, dict)}


def _semantic_errors(data: dict) -> list[str]:
    """What the schema cannot say, read only where the file's shape lets it be read."""
    errors = []
    checklist = data.get("checklist")
    if isinstance(checklist, dict):
        scoring = checklist.get("scoring", "ticks")
        existing = Checklist.objects.filter(key=str(checklist.get("key"))).first()
        if existing is not None and scoring != existing.scoring:
            # A new version never changes how the checklist's earlier versions were scored.
            errors.append(
                f'The checklist "{existing.key}" is scored as "{existing.scoring}": a new version '
                "cannot change that (import it under a new key)."
            )
    own_key = checklist.get("key") if isinstance(checklist, dict) else None
    default_options = data.get("answer_options")
    lists = [('"answer_options"', default_options)] if default_options is not None else []
    questions = data.get("questions")
    questions = questions if isinstance(questions, list) else []
    questions = [question for question in questions if isinstance(question, dict)]
    numbers = [question.get("number") for question in questions]
    if len(numbers) != len(set(map(repr, numbers))):
        errors.append("Question numbers must be whole numbers from 1, each used once.")
    for index, question in enumerate(questions, start=1):
        number = question.get("number")
        where = f"Question {number if _is_int(number) else index}"
        options = question.get("options")
        if options is not None:
            lists.append((where, options))
        elif default_options is None:
            errors.append(f'{where} has no options and the file has no "answer_options".')
        options = options if options is not None else default_options
        scores = question.get("scores", {})
        if isinstance(scores, dict) and set(scores) - _option_keys(options):
            unknown = sorted(set(scores) - _option_keys(options))
            errors.append(f"{where}: scores name unknown options {unknown}.")
        opens = question.get("opens_checklist")
        if (
            isinstance(opens, str)
            and opens.strip()
            and opens != own_key
            and not Checklist.objects.filter(key=opens).exists()
        ):
            errors.append(f"{where}: no checklist '{opens}' to open.")
    for where, options in lists:
        if isinstance(options, list) and all(isinstance(option, dict) for option in options):
            keys = [option.get("key") for option in options]
            if len(keys) != len(set(map(repr, keys))):
                errors.append(f"{where}: options need unique keys (letters, digits, - and _).")
    return errors + _band_errors(data.get("bands", []))


def _band_errors(bands) -> list[str]:
    shaped = isinstance(bands, list) and all(
        isinstance(band, dict)
        and _is_int(band.get("min_score"))
        and (band.get("max_score") is None or _is_int(band.get("max_score")))
        and band.get("level") in RiskLevel.values
        for band in bands
    )
    if not shaped:
        return []  # the schema has said what is wrong with them
    errors = []
    for band in bands:
        if band.get("max_score") is not None and band["max_score"] < band["min_score"]:
            errors.append(_BAND_RANGE.format(band=band.get("label") or band.get("level")))
    if errors:
        return errors
    levels = [band["level"] for band in bands]
    if len(levels) != len(set(levels)):
        errors.append("Bands: each level (standard, medium, high) at most once.")
    ordered = sorted(bands, key=lambda band: band["min_score"])
    for lower, upper in itertools.pairwise(ordered):
        name_low, name_up = lower.get("label", lower["level"]), upper.get("label", upper["level"])
        if lower.get("max_score") is None or lower["max_score"] >= upper["min_score"]:
            errors.append(f"Bands {name_low} and {name_up} overlap.")
        elif lower["max_score"] + 1 != upper["min_score"]:
            errors.append(
                f"Bands {name_low} and {name_up} leave a gap: scores from "
                f"{lower['max_score'] + 1} to {upper['min_score'] - 1} would have no level."
            )
    return errors


def checklist_errors(data) -> list[str]:
    """Everything wrong with an import file, each message once, so an admin fixes it in one go."""
    if not isinstance(data, dict):
        return ["The file must hold one JSON object."]
    messages = [text for error in _VALIDATOR.iter_errors(data) for text in _messages(error, data)]
    messages += _semantic_errors(data)
    return list(dict.fromkeys(messages))
