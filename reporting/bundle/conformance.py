"""A fast yes-or-"ask jsonschema" check of a bundle line against the committed JSON Schema.

jsonschema walks the schema afresh for every value (about 30 ms a line, most of an import's
time). The schema is fixed, so it is compiled here, once, into nested Python checks of the
keywords it uses. A check answers True only when jsonschema would find no error; whenever it
answers False (or meets a value it does not handle exactly, such as 1.0 for an integer), the
importer asks jsonschema itself, which finds and words the errors exactly as before. So this
module decides only how fast a valid line gets through, never what an invalid line is told.

tests/reporting/test_case_bundle_conformance.py checks it against jsonschema on mutated lines.
"""

import re
from collections.abc import Callable
from functools import cache

from .schema import committed_schema

Check = Callable[[object], bool]

# Keywords that only describe: they never make a value invalid.
ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$defs"})
# Every keyword compiled below; a schema using another one is never passed by the fast check.
UNDERSTOOD = ANNOTATIONS | {
    "$ref",
    "type",
    "enum",
    "const",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "required",
    "properties",
    "additionalProperties",
    "items",
    "uniqueItems",
    "propertyNames",
    "oneOf",
}

# The Python types json.loads makes for each JSON type. bool is left out of "integer" and
# "number" as jsonschema does; a float is never taken as an integer here (jsonschema may: it
# then decides).
_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "null": (type(None),),
    "boolean": (bool,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "array": (list,),
    "object": (dict,),
}
_JSON_TYPE = {type(None): "null", bool: "boolean", str: "string", int: "integer", list: "array"}
_JSON_TYPE |= {dict: "object", float: "number"}


def _never(_value) -> bool:
    return False


def _always(_value) -> bool:
    return True


class _Compiler:
    def __init__(self, root: dict):
        self.defs = root.get("$defs", {})
        self.compiled: dict[str, Check] = {}

    def ref(self, pointer: str) -> Check:
        prefix = "#/$defs/"
        if not pointer.startswith(prefix) or pointer[len(prefix) :] not in self.defs:
            return _never
        name = pointer[len(prefix) :]

        # Looked up when called: a definition may refer to one compiled later.
        def check(value):
            return self.compiled[name](value)

        if name not in self.compiled:
            self.compiled[name] = _never  # a placeholder while it compiles (recursion)
            self.compiled[name] = self.compile(self.defs[name])
        return check

    @staticmethod
    def types_of(schema) -> frozenset[str] | None:
        """The JSON types a schema can accept, when its "type" says so; None otherwise."""
        if not isinstance(schema, dict) or "type" not in schema:
            return None
        kinds = schema["type"]
        return frozenset([kinds] if isinstance(kinds, str) else kinds)

    def compile(self, schema) -> Check:
        if schema is True:
            return _always
        if not isinstance(schema, dict) or set(schema) - UNDERSTOOD:
            return _never
        checks: list[Check] = []
        if "$ref" in schema:
            checks.append(self.ref(schema["$ref"]))
        if "type" in schema:
            kinds = self.types_of(schema)
            if kinds - set(_PYTHON_TYPES):
                return _never
            python_types = frozenset(t for kind in kinds for t in _PYTHON_TYPES[kind])
            checks.append(lambda value: type(value) in python_types)
        if "enum" in schema or "const" in schema:
            allowed = schema["enum"] if "enum" in schema else [schema["const"]]
            # Strings, integers and null only, compared with their type (True is not 1).
            plain = {
                (type(item), item) for item in allowed if item is None or type(item) in (str, int)
            }
            checks.append(lambda value: _hashable(value) and (type(value), value) in plain)
        if "pattern" in schema:
            search = re.compile(schema["pattern"]).search
            checks.append(lambda value: type(value) is not str or search(value) is not None)
        if "minLength" in schema:
            shortest = schema["minLength"]
            checks.append(lambda value: type(value) is not str or len(value) >= shortest)
        if "maxLength" in schema:
            longest = schema["maxLength"]
            checks.append(lambda value: type(value) is not str or len(value) <= longest)
        if "minimum" in schema:
            least = schema["minimum"]
            # type(True) is bool: not a number here.
            checks.append(lambda value: type(value) not in (int, float) or value >= least)
        if "required" in schema:
            names = tuple(schema["required"])
            checks.append(
                lambda value: type(value) is not dict or all(name in value for name in names)
            )
        if "properties" in schema or "additionalProperties" in schema:
            checks.append(self.object_members(schema))
        if "items" in schema:
            item = self.compile(schema["items"])
            checks.append(lambda value: type(value) is not list or all(map(item, value)))
        if schema.get("uniqueItems"):
            checks.append(_unique_items)
        if "propertyNames" in schema:
            name = self.compile(schema["propertyNames"])
            checks.append(lambda value: type(value) is not dict or all(map(name, value)))
        if "oneOf" in schema:
            checks.append(self.one_of(schema["oneOf"]))
        return _all_of(checks)

    def object_members(self, schema) -> Check:
        properties = {name: self.compile(sub) for name, sub in schema.get("properties", {}).items()}
        additional = schema.get("additionalProperties", True)
        other = None if additional is False else self.compile(additional)

        def check(value):
            if type(value) is not dict:
                return True
            for name, member in value.items():
                known = properties.get(name)
                if known is not None:
                    if not known(member):
                        return False
                elif other is None or not other(member):
                    return False
            return True

        return check

    def one_of(self, branches) -> Check:
        """Exactly one branch passes: passed only when every other branch's "type" (its own or
        its definition's) rules the value out, so that a branch failed here for want of an exact
        check is never taken for a branch that jsonschema would pass too."""
        compiled = []
        for branch in branches:
            target = branch
            if isinstance(branch, dict) and set(branch) == {"$ref"}:
                target = self.defs.get(branch["$ref"].rsplit("/", 1)[-1])
            compiled.append((self.compile(branch), self.types_of(target)))

        def check(value):
            passed = [index for index, (branch, _types) in enumerate(compiled) if branch(value)]
            if len(passed) != 1:
                return False
            kind = _json_type(value)
            return all(
                _rules_out(types, kind)
                for index, (_branch, types) in enumerate(compiled)
                if index != passed[0]
            )

        return check


def _all_of(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)

    return lambda value: all(one(value) for one in checks)


def _hashable(value) -> bool:
    return value is None or type(value) in (str, int, bool, float)


def _unique_items(value) -> bool:
    if type(value) is not list:
        return True
    # Strings only: any other item is left to jsonschema (its equality of 1 and 1.0, ...).
    return all(type(item) is str for item in value) and len(set(value)) == len(value)


def _rules_out(types: frozenset[str] | None, kind: str | None) -> bool:
    if types is None or kind is None:
        return False
    # An integer is a number too; a float may be an integer to jsonschema (1.0).
    related = {"integer": {"number"}, "number": {"integer"}}.get(kind, set())
    return kind not in types and not related & types


def _json_type(value) -> str | None:
    return _JSON_TYPE.get(type(value))


def compile_definition(schema: dict, name: str) -> Check:
    """The fast check of one of the schema's definitions ("line", "header")."""
    return _Compiler(schema).ref(f"#/$defs/{name}")


@cache
def line_conforms() -> Check:
    """line_conforms()(data): True only if the committed schema's "line" has no error for it."""
    return compile_definition(committed_schema(), "line")
