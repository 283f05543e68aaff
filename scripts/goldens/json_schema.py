#!/usr/bin/env python3
"""JSON Schema goldens: what Prefect 3.8.3's server answers, computed with Python's jsonschema.

Writes test/goldens/json_schema.json, which test/lib/schema-tools/json-schema.golden.test.ts
compares our port (src/lib/schema-tools) against, case by case.

Refresh (from the repository root):

    python3 scripts/goldens/json_schema.py

The interpreter must have jsonschema >= 4.18 with `referencing` and `rfc3339-validator`, as
Prefect 3.8.3 runs with (its uv.lock pins jsonschema 4.26.0, referencing 0.37.0,
rfc3339-validator 0.1.4, and has neither rfc3987 nor fqdn, so `uri` and `hostname` formats go
unchecked). The machine's `python3` (pyenv 3.11) has exactly those. Debian bookworm's
python3-jsonschema is 4.10.3: older messages ("is too short" for "should be non-empty"), no
`referencing`, no date-time check — its answers are not Prefect's. When started by an interpreter
without them (e.g. /usr/bin/python3), the script re-runs itself with the first `python3` that has
them, or stops saying so.

Each case is {name, schema, values, options?, variables?, expected}; `expected` holds what the
server does with them:
- `schema_error`: /ui/schemas/validate's 422 detail when the (preprocessed) schema breaks the
  metaschema (`is_valid_schema`), else absent;
- `errors`: every error of `validate(hydrated values, schema)` (preprocessed, formats checked) as
  {path, validator, message};
- `error_obj`: the UI's error tree (`build_error_obj`) of those errors;
- `failure`: the text of Prefect's ValidationError from `validate(..., raise_on_error=True)` (the
  path deployments, flow-run input and job variables take: `jsonschema.validate`, which picks
  `best_match` and checks no formats), or null;
- `crashes`: where Prefect's own preprocessing raises (a 500), the exception, and
  `without_preprocessing`: the above for the schema as sent;
- `raised`: the 422 detail when validation stops on a circular or unresolvable $ref.

The procedures below restate Prefect's (prefect.utilities.schema_tools) in our own code. Cases are
a fixed list, so the file is the same on every run.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


def _suitable() -> bool:
    try:
        import importlib.metadata as md

        import referencing  # noqa: F401
        import rfc3339_validator  # noqa: F401

        major, minor = (int(p) for p in md.version("jsonschema").split(".")[:2])
        return (major, minor) >= (4, 18)
    except Exception:
        return False


if not _suitable():
    if os.environ.get("JSON_SCHEMA_GOLDENS_REEXEC"):
        sys.exit("json_schema.py: needs jsonschema>=4.18 with referencing and rfc3339-validator")
    candidates = [shutil.which("python3"), os.path.expanduser("~/.pyenv/shims/python3")]
    for candidate in candidates:
        if candidate and os.path.realpath(candidate) != os.path.realpath(sys.executable):
            env = {**os.environ, "JSON_SCHEMA_GOLDENS_REEXEC": "1"}
            sys.exit(subprocess.call([candidate, __file__, *sys.argv[1:]], env=env))
    sys.exit("json_schema.py: no python3 with jsonschema>=4.18, referencing and rfc3339-validator")

import jsonschema  # noqa: E402
import referencing  # noqa: E402
import referencing.exceptions  # noqa: E402
from jsonschema.exceptions import ValidationError, best_match  # noqa: E402
from jsonschema.validators import Draft202012Validator, create  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "test" / "goldens" / "json_schema.json"
PLACEHOLDERS = "_placeholders"


# --- hydration (the kinds the UI sends; jinja is pinned by the Jinja goldens) ------------------


class Placeholder:
    is_error = False


class Removed(Placeholder):
    pass


class Failed(Placeholder, Exception):
    """A hydration error. Prefect's are Exceptions built with keyword arguments only, so
    jsonschema's messages show them as `InvalidJSON()`: the subclasses carry Prefect's names."""

    is_error = True

    def __init__(self, *, message: str):
        self.message = message


class ValueNotFound(Failed):
    pass


class InvalidJSON(Failed):
    pass


class WorkspaceVariableNotFound(Failed):
    pass


class WorkspaceVariable(Placeholder):
    def __init__(self, name):
        self.name = name


def hydrate(value, variables):
    if isinstance(value, dict) and "__prefect_kind" in value:
        kind = value["__prefect_kind"]
        if kind == "none":
            return hydrate(value["value"], variables) if "value" in value else ValueNotFound(message="Missing 'value' key in __prefect object")
        if kind == "json":
            if "value" not in value:
                return Removed()
            raw = hydrate(value["value"], variables) if isinstance(value["value"], dict) else value["value"]
            if isinstance(raw, Placeholder) or not isinstance(raw, str):
                return raw
            try:
                return json.loads(raw)
            except json.JSONDecodeError as exc:
                return InvalidJSON(message=f"Invalid JSON: {exc}")
        if kind == "workspace_variable":
            if "variable_name" not in value:
                return Removed()
            name = value["variable_name"]
            if name in variables:
                return variables[name]
            return WorkspaceVariableNotFound(message=f"Variable '{name}' not found in workspace.")
        return value.get("value")
    if isinstance(value, dict):
        out = {k: hydrate(v, variables) for k, v in value.items()}
        return {k: v for k, v in out.items() if not isinstance(v, Removed)}
    if isinstance(value, list):
        return [h for h in (hydrate(v, variables) for v in value) if not isinstance(h, Removed)]
    return value


# --- the validator: Draft 2020-12 plus a keyword reporting hydration errors everywhere ---------


def _placeholders(_validator, _value, instance, _schema):
    if isinstance(instance, Failed):
        yield ValidationError(instance.message)


PrefectValidator = create(
    meta_schema=Draft202012Validator.META_SCHEMA,
    validators={**Draft202012Validator.VALIDATORS, PLACEHOLDERS: _placeholders},
    version="prefect-goldens",
    type_checker=Draft202012Validator.TYPE_CHECKER,
    format_checker=Draft202012Validator.FORMAT_CHECKER,
    id_of=Draft202012Validator.ID_OF,
    applicable_validators=lambda schema: {**schema, PLACEHOLDERS: None}.items(),
)


# --- preprocessing (pydantic v1 schemas made Draft 2020-12) --------------------------------------


def _fix(properties, required, allow_none_with_default):
    for key, sub in properties.items():
        if key not in required and "type" in sub and sub.get("type") != "null" and ("default" not in sub or allow_none_with_default):
            sub["anyOf"] = [{"type": sub["type"]}, {"type": "null"}]
            del sub["type"]
        if sub.get("items") and isinstance(sub["items"], list) and not sub.get("prefixItems"):
            sub["prefixItems"] = copy.deepcopy(sub["items"])
            del sub["items"]
        if "properties" in sub:
            # As Prefect does: the nested object's `required` then stands for the later siblings too.
            required = sub.get("required", [])
            _fix(sub["properties"], required, False)


def preprocess(schema, allow_none_with_default=False):
    schema = copy.deepcopy(schema)
    if "properties" in schema:
        _fix(schema["properties"], schema.get("required", []), allow_none_with_default)
    if "definitions" in schema:
        for definition in list(schema["definitions"].values()):
            if "properties" in definition:
                _fix(definition["properties"], definition.get("required", []), allow_none_with_default)
            if "block_type_slug" in definition:
                by_reference = {
                    "type": "object",
                    "properties": {
                        "$ref": {
                            "oneOf": [
                                {"type": "string", "format": "uuid"},
                                {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1},
                            ]
                        }
                    },
                    "required": ["$ref"],
                }
                schema["definitions"][definition["title"]] = {"oneOf": [definition, by_reference]}
    return schema


def without_required(value):
    if isinstance(value, dict):
        return {k: without_required(v) for k, v in value.items() if k != "required"}
    if isinstance(value, list):
        return [without_required(v) for v in value]
    return value


# --- the UI's error tree ------------------------------------------------------------------------


def error_tree(errors):
    by_path: dict[str, list] = {}
    for error in errors:
        by_path.setdefault("->".join(str(p) for p in error.relative_path), []).append(error)
    kept = []
    for group in by_path.values():
        hydration = [e for e in group if e.validator == PLACEHOLDERS]
        kept.extend(hydration or group)

    root: list = []
    for error in kept:
        if isinstance(error.instance, Placeholder) and not error.instance.is_error:
            continue
        path = list(error.relative_path)
        if error.validator == "required":
            path.append(error.message.partition(" ")[0].strip("'"))
        level = root
        if not path:
            level.append(error.message)
        for depth, part in enumerate(path):
            key = "index" if isinstance(part, int) else "property"
            if depth == len(path) - 1:
                level.append({key: part, "errors": [error.message]})
                break
            entry = next((e for e in level if isinstance(e, dict) and e.get(key) == part), None)
            if entry is None:
                entry = {key: part, "errors": []}
                level.append(entry)
            level = entry["errors"]
    return {"errors": root, "valid": not root}


# --- one case -----------------------------------------------------------------------------------


def registry():
    return referencing.Registry()


def failure_text(values, schema, options, preprocessed=True):
    """Prefect's validate(raise_on_error=True): jsonschema.validate's best match, no formats."""
    if preprocessed:
        schema = preprocess(schema, options.get("allow_none_with_default", False))
    if options.get("ignore_required"):
        schema = without_required(schema)
    try:
        jsonschema.validate(values, schema, PrefectValidator, registry=registry())
    except RecursionError:
        return "<circular>"
    except referencing.exceptions.Unresolvable as exc:
        return f"Validation failed. Failure reason: {exc}"
    except jsonschema.SchemaError:
        return "<schema error>"
    except ValidationError as exc:
        where = "Validation failed." if exc.json_path == "$" else f"Validation failed for field {exc.json_path.replace('$.', '')!r}."
        return f"{where} Failure reason: {exc.message}"
    return None


def run(case):
    try:
        pre = preprocess(case["schema"])
    except (TypeError, AttributeError) as exc:
        # Prefect's preprocessing expects every property schema to be a dict: the server answers
        # 500. What jsonschema answers for the schema as sent is kept beside it.
        return {"crashes": f"{type(exc).__name__}: {exc}", "without_preprocessing": validate_with(case, case["schema"], preprocessed=False)}
    return validate_with(case, pre)


def validate_with(case, pre, preprocessed=True):
    schema, values = case["schema"], case["values"]
    options = case.get("options", {})
    expected: dict = {}
    try:
        PrefectValidator.check_schema(pre, format_checker=PrefectValidator.FORMAT_CHECKER)
    except jsonschema.SchemaError as exc:
        expected["schema_error"] = f"Invalid schema: {exc.message}"
        return expected
    hydrated = hydrate(values, case.get("variables", {}))
    try:
        validator = PrefectValidator(pre, format_checker=PrefectValidator.FORMAT_CHECKER, registry=registry())
        errors = list(validator.iter_errors(hydrated))
    except RecursionError:
        expected["raised"] = "Invalid schema: Unable to validate schema with circular references."
        return expected
    except referencing.exceptions.Unresolvable as exc:
        expected["raised"] = f"Invalid schema: Validation failed. Failure reason: {exc}"
        return expected
    expected["valid"] = not errors
    expected["errors"] = [
        {"path": list(e.relative_path), "validator": e.validator, "message": e.message} for e in errors
    ]
    expected["error_obj"] = error_tree(errors)
    if not any(isinstance(v, Placeholder) for v in _walk(hydrated)):
        expected["failure"] = failure_text(hydrated, schema, options, preprocessed)
    return expected


def _walk(value):
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


# --- the cases ----------------------------------------------------------------------------------

CASES: list[dict] = []


def case(name, schema, values, **extra):
    if any(c["name"] == name and c["schema"] == schema and c["values"] == values for c in CASES):
        return  # the same case built twice by a table
    CASES.append({"name": name, "schema": schema, "values": values, **extra})


def prop(name, subschema, value, **extra):
    """A required property `v` holding `value` (required, so preprocessing leaves its type alone)."""
    case(name, {"type": "object", "properties": {"v": subschema}, "required": ["v"]}, {"v": value}, **extra)


# types
for t, good, bad in [
    ("string", "x", 1),
    ("integer", 3, 3.5),
    ("integer", 3, "3"),
    ("number", 2.5, "2.5"),
    ("number", -7, None),
    ("boolean", True, 0),
    ("boolean", False, "false"),
    ("null", None, 0),
    ("array", [1], {"a": 1}),
    ("object", {"a": 1}, [1]),
]:
    prop(f"type {t} accepts {good!r}", {"type": t}, good)
    prop(f"type {t} rejects {bad!r}", {"type": t}, bad)
prop("type list rejects", {"type": ["string", "null"]}, 5)
prop("type list accepts null", {"type": ["string", "null"]}, None)
prop("type integer accepts 1e2", {"type": "integer"}, 1e2)
prop("type rejects true as integer", {"type": "integer"}, True)
prop("type repr of nested value", {"type": "string"}, {"a": [1, None, True, "it's"]})
prop("type repr of quotes", {"type": "integer"}, "say \"hi\" it's")
prop("type repr of control chars", {"type": "integer"}, "tab\there\nnew\x01\x7f")
prop("type repr of unicode", {"type": "integer"}, "café ☕ \u00a0nbsp \u200bzw")
prop("type repr of small float", {"type": "string"}, 0.00001)
prop("type repr of large float", {"type": "string"}, 1.5e300)
prop("type repr of negative float", {"type": "string"}, -0.25)
prop("type repr of float with exponent", {"type": "string"}, 1.5e-7)
prop("type repr of long float", {"type": "string"}, 0.1 + 0.2)
prop("type repr of integral float", {"type": "string"}, 2.0)

# enum / const
prop("enum accepts", {"enum": ["a", "b"]}, "a")
prop("enum rejects", {"enum": ["a", "b"]}, "c")
prop("enum mixed", {"enum": [1, "1", None, True]}, 2)
prop("enum 1 is not true", {"enum": [1]}, True)
prop("enum true is not 1", {"enum": [True]}, 1)
prop("enum of objects", {"enum": [{"a": 1}, [1, 2]]}, {"a": 2})
prop("enum object match", {"enum": [{"a": 1}, [1, 2]]}, {"a": 1})
prop("enum 1.0 equals 1", {"enum": [1]}, 1.0)
prop("const rejects", {"const": "x"}, "y")
prop("const object", {"const": {"k": [1, 2]}}, {"k": [2, 1]})
prop("const null", {"const": None}, 0)
prop("const false is not 0", {"const": False}, 0)
prop("const accepts", {"const": [1, {"a": None}]}, [1, {"a": None}])

# numbers
prop("minimum", {"minimum": 5}, 4)
prop("minimum equal", {"minimum": 5}, 5)
prop("minimum float", {"minimum": 0.5}, 0.25)
prop("maximum", {"maximum": 10}, 11)
prop("maximum float", {"maximum": 1.5}, 2.25)
prop("exclusiveMinimum", {"exclusiveMinimum": 5}, 5)
prop("exclusiveMaximum", {"exclusiveMaximum": 5}, 5)
prop("exclusiveMaximum ok", {"exclusiveMaximum": 5}, 4.99)
prop("multipleOf int", {"multipleOf": 3}, 10)
prop("multipleOf ok", {"multipleOf": 3}, 9)
prop("multipleOf float", {"multipleOf": 0.5}, 1.25)
prop("multipleOf float ok", {"multipleOf": 0.5}, 1.5)
prop("multipleOf 0.1 of 0.3", {"multipleOf": 0.1}, 0.3)
prop("multipleOf 0.01 of 4.35", {"multipleOf": 0.01}, 4.35)
prop("multipleOf 0.01 of 0.07", {"multipleOf": 0.01}, 0.07)
prop("multipleOf int of float", {"multipleOf": 2}, 4.5)
prop("numeric bounds ignore strings", {"minimum": 5, "maximum": 1}, "x")
prop("several numeric errors", {"type": "integer", "minimum": 10, "multipleOf": 4}, 5.5)

# strings
prop("minLength", {"minLength": 3}, "ab")
prop("minLength 1", {"minLength": 1}, "")
prop("maxLength", {"maxLength": 2}, "abc")
prop("maxLength 0", {"maxLength": 0}, "a")
prop("length counts code points", {"maxLength": 2}, "😀😀")
prop("length counts code points over", {"maxLength": 1}, "😀😀")
prop("pattern", {"pattern": "^a+$"}, "b")
prop("pattern search", {"pattern": "b"}, "abc")
prop("pattern anchored fails", {"pattern": "^[a-z]+$"}, "abc1")
prop("pattern dollar before newline", {"pattern": "^abc$"}, "abc\n")
prop("pattern digits", {"pattern": "^\\d+$"}, "12a")
prop("pattern quote in repr", {"pattern": "^'"}, "x")
prop("pattern unicode word", {"pattern": "^\\w+$"}, "héllo")
prop("pattern named group", {"pattern": "^(?P<x>a)(?P=x)$"}, "ab")
prop("pattern \\Z", {"pattern": "a\\Z"}, "a\n")
prop("pattern inline flag", {"pattern": "(?i)^abc$"}, "ABC")
prop("pattern literal brace", {"pattern": "^a{$"}, "a{")
prop("pattern upto quantifier", {"pattern": "^a{,2}$"}, "aaa")
prop("pattern escaped dash", {"pattern": "^\\-\\:$"}, "-:")
prop("pattern unicode digit", {"pattern": "^\\d$"}, "\u0663")
case("patternProperties Python syntax", {"type": "object", "patternProperties": {"^(?P<p>x)\\d$": {"type": "integer"}}, "additionalProperties": False}, {"x1": "a", "y": 1})

# formats
for fmt, good, bads in [
    ("date-time", "2024-02-29T12:00:00Z", ["2023-02-29T12:00:00Z", "2024-01-01 12:00:00Z", "2024-01-01T12:00:00", "x", "2024-01-01t12:00:00z", "2024-01-01T24:00:00Z", "2024-01-01T12:00:00.123+05:30x", "2024-01-01T12:00:00Z\n"]),
    ("date-time", "2024-01-01T12:00:00.5-03:00", ["2024-01-01T12:00:00+5:00"]),
    ("date", "2024-02-29", ["2023-02-29", "2024-1-01", "20240101", "2024-13-01", "x"]),
    ("time", "12:30:00Z", ["12:30:00", "25:00:00Z", "12:30Z"]),
    ("time", "12:30:00.25+01:00", []),
    ("email", "a@b.c", ["ab.c", ""]),
    ("idn-email", "ü@b.c", ["x"]),
    ("uri", "not a uri", []),
    ("uri-reference", "::", []),
    ("hostname", "-bad-", []),
    ("uuid", "12345678-1234-1234-1234-123456789abc", ["12345678123412341234123456789abc", "1234567-81234-1234-1234-123456789abc", "x", "12345678-1234-1234-1234-123456789abcd", "12345678-1234-1234-1234-1234-5678-9ab"]),
    ("uuid", "12345678-1234-1234-1234-123456789ABC", ["{12345678-1234-1234-1234-123456789abc}"]),
    ("ipv4", "192.168.0.1", ["256.1.1.1", "1.2.3", "01.2.3.4", "a.b.c.d"]),
    ("ipv6", "::1", ["1:2:3", "fe80::1%eth0", "x"]),
    ("regex", "^a(b|c)$", ["(", "a{1"]),
    ("json-pointer", "/a/b~0", ["a/b", "/a~2"]),
    ("relative-json-pointer", "0/a", ["/a", "01"]),
    ("idn-hostname", "example.com", ["a..b"]),
    ("duration", "P1D", ["x"]),
    ("unknown-format", "anything", []),
]:
    prop(f"format {fmt} accepts {good!r}", {"type": "string", "format": fmt}, good)
    for bad in bads:
        prop(f"format {fmt} rejects {bad!r}", {"type": "string", "format": fmt}, bad)
prop("format ignores non-strings", {"format": "date"}, 5)

# arrays
prop("items", {"type": "array", "items": {"type": "integer"}}, [1, "a", 2, None])
prop("items ok", {"type": "array", "items": {"type": "integer"}}, [1, 2])
prop("items nested", {"type": "array", "items": {"type": "array", "items": {"type": "string"}}}, [["a"], ["b", 3]])
prop("prefixItems", {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]}, [1, "a", True])
prop("prefixItems short", {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]}, ["a"])
prop("prefixItems items false", {"prefixItems": [{"type": "string"}], "items": False}, ["a", 1, 2])
prop("prefixItems items false one extra", {"prefixItems": [{"type": "string"}], "items": False}, ["a", 1])
prop("items false no prefix", {"items": False}, [1])
prop("items false two prefix", {"prefixItems": [{}, {}], "items": False}, [1, 2, 3])
prop("prefixItems then items", {"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}, ["a", 1, "b"])
prop("minItems", {"minItems": 2}, [1])
prop("minItems 1", {"minItems": 1}, [])
prop("maxItems", {"maxItems": 1}, [1, 2])
prop("maxItems 0", {"maxItems": 0}, [1])
prop("uniqueItems", {"uniqueItems": True}, [1, 2, 1])
prop("uniqueItems objects", {"uniqueItems": True}, [{"a": 1}, {"a": 1}])
prop("uniqueItems 1 and true", {"uniqueItems": True}, [1, True])
prop("uniqueItems 0 and false", {"uniqueItems": True}, [0, False])
prop("uniqueItems false", {"uniqueItems": False}, [1, 1])
prop("contains", {"contains": {"type": "string"}}, [1, 2])
prop("contains ok", {"contains": {"type": "string"}}, [1, "a"])
prop("minContains", {"contains": {"type": "string"}, "minContains": 2}, ["a", 1])
prop("maxContains", {"contains": {"type": "string"}, "maxContains": 1}, ["a", "b"])
prop("array keywords ignore objects", {"minItems": 3, "items": {"type": "string"}}, {"a": 1})
prop("errors at indices 2 and 10", {"type": "array", "items": {"type": "integer"}}, [0, 1, "x", 3, 4, 5, 6, 7, 8, 9, "y"])
prop("nested array and object errors", {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}}, [{"n": 1}, {}, {"n": "x"}])

# objects
case("required", {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a", "b"]}, {})
case("required present", {"type": "object", "required": ["a"]}, {"a": None})
case("required quote", {"type": "object", "required": ["it's"]}, {})
case("properties", {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "required": ["a", "b"]}, {"a": 1, "b": "x"})
case("additionalProperties false", {"type": "object", "properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "z": 2, "b": 3})
case("additionalProperties false one", {"type": "object", "properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "z": 2})
case("additionalProperties schema", {"type": "object", "additionalProperties": {"type": "integer"}}, {"x": "s"})
case("additionalProperties with patterns", {"type": "object", "patternProperties": {"^x": {}, "^y": {}}, "additionalProperties": False}, {"x1": 1, "a": 2, "b": 3})
case("additionalProperties with patterns one", {"type": "object", "patternProperties": {"^x": {}}, "additionalProperties": False}, {"a": 2})
case("patternProperties", {"type": "object", "patternProperties": {"^n_": {"type": "integer"}, "_s$": {"type": "string"}}}, {"n_a": "x", "b_s": 1, "n_s": 2.5})
case("propertyNames", {"type": "object", "propertyNames": {"maxLength": 2}}, {"abc": 1, "ab": 2})
case("propertyNames pattern", {"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}}, {"A": 1})
case("minProperties", {"type": "object", "minProperties": 2}, {"a": 1})
case("minProperties 1", {"type": "object", "minProperties": 1}, {})
case("maxProperties", {"type": "object", "maxProperties": 1}, {"a": 1, "b": 2})
case("maxProperties 0", {"type": "object", "maxProperties": 0}, {"a": 1})
case("dependentRequired", {"type": "object", "dependentRequired": {"a": ["b", "c"]}}, {"a": 1, "c": 1})
case("dependentSchemas", {"type": "object", "dependentSchemas": {"a": {"required": ["b"]}}}, {"a": 1})
case("nested objects", {"type": "object", "properties": {"o": {"type": "object", "properties": {"p": {"type": "object", "properties": {"q": {"type": "integer"}}, "required": ["q"]}}, "required": ["p"]}}, "required": ["o"]}, {"o": {"p": {"q": "x"}}})
case("nested required", {"type": "object", "properties": {"o": {"type": "object", "properties": {"p": {"type": "object", "required": ["q", "r"]}}, "required": ["p"]}}, "required": ["o"]}, {"o": {"p": {}}})
case("root not an object", {"type": "object", "required": ["a"]}, {"a": 1, "b": {"c": [1, {"d": None}]}})
case("root errors and nested errors", {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a", "b"], "minProperties": 3}, {"a": "x"})

# $ref / $defs / definitions
defs = {"pos": {"type": "integer", "minimum": 1}, "name": {"type": "string", "minLength": 2}}
case("$ref $defs", {"$defs": defs, "type": "object", "properties": {"n": {"$ref": "#/$defs/pos"}, "s": {"$ref": "#/$defs/name"}}, "required": ["n", "s"]}, {"n": 0, "s": "a"})
case("$ref definitions", {"definitions": defs, "type": "object", "properties": {"n": {"$ref": "#/definitions/pos"}}, "required": ["n"]}, {"n": "x"})
case("$ref chain", {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/c"}, "c": {"type": "string"}}, "type": "object", "properties": {"x": {"$ref": "#/$defs/a"}}, "required": ["x"]}, {"x": 1})
case("$ref with siblings", {"$defs": defs, "type": "object", "properties": {"n": {"$ref": "#/$defs/pos", "maximum": 5}}, "required": ["n"]}, {"n": 9})
case("$ref recursive tree", {"$defs": {"node": {"type": "object", "properties": {"v": {"type": "integer"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}, "required": ["v"]}}, "$ref": "#/$defs/node"}, {"v": 1, "children": [{"v": 2, "children": [{"v": "x"}, {}]}]})
case("$ref to root", {"type": "object", "properties": {"self": {"$ref": "#"}, "n": {"type": "integer"}}}, {"n": 1, "self": {"n": "x", "self": {"n": None}}})
case("$ref escaped pointer", {"$defs": {"a/b": {"type": "integer"}, "c~d": {"type": "string"}}, "type": "object", "properties": {"x": {"$ref": "#/$defs/a~1b"}, "y": {"$ref": "#/$defs/c~0d"}}, "required": ["x", "y"]}, {"x": "s", "y": 1})
case("$ref in array items", {"$defs": defs, "type": "object", "properties": {"l": {"type": "array", "items": {"$ref": "#/$defs/pos"}}}, "required": ["l"]}, {"l": [1, 0, -1]})
case("$ref circular", {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "type": "object", "properties": {"x": {"$ref": "#/$defs/a"}}}, {"x": 1})
case("$ref self", {"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}, {"x": 1})
case("$ref unresolvable local", {"type": "object", "properties": {"x": {"$ref": "#/$defs/missing"}}}, {"x": 1})
case("$ref unresolvable remote", {"type": "object", "properties": {"x": {"$ref": "https://example.com/schema.json"}}}, {"x": 1})
case("$ref not followed when absent", {"type": "object", "properties": {"x": {"$ref": "#/$defs/missing"}}}, {"y": 1})

# allOf / anyOf / oneOf / not / if
prop("allOf", {"allOf": [{"type": "integer"}, {"minimum": 5}, {"multipleOf": 2}]}, 3)
prop("allOf ok", {"allOf": [{"type": "integer"}, {"minimum": 5}]}, 6)
prop("anyOf", {"anyOf": [{"type": "string"}, {"type": "integer"}]}, 1.5)
prop("anyOf ok", {"anyOf": [{"type": "string"}, {"type": "integer"}]}, 1)
prop("anyOf best match picks matching type", {"anyOf": [{"type": "string", "minLength": 3}, {"type": "integer", "minimum": 5}]}, 3)
prop("anyOf best match deeper", {"anyOf": [{"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "integer"}}}}}, {"type": "string"}]}, {"a": {"b": "x"}})
prop("anyOf equal relevance stays", {"anyOf": [{"type": "string"}, {"type": "integer"}]}, None)
prop("anyOf nested", {"anyOf": [{"anyOf": [{"type": "string", "maxLength": 1}, {"type": "null"}]}, {"type": "integer"}]}, "ab")
prop("oneOf none", {"oneOf": [{"type": "string"}, {"type": "integer"}]}, 1.5)
prop("oneOf two", {"oneOf": [{"type": "integer"}, {"minimum": 0}]}, 3)
prop("oneOf three", {"oneOf": [{"type": "integer"}, {"minimum": 0}, {"maximum": 9}]}, 3)
prop("oneOf ok", {"oneOf": [{"type": "integer"}, {"type": "string"}]}, 3)
prop("oneOf best match", {"oneOf": [{"type": "object", "required": ["a"]}, {"type": "array"}]}, {"b": 1})
prop("not", {"not": {"type": "integer"}}, 3)
prop("not object schema", {"not": {"enum": [1, "a"], "type": ["integer", "string"]}}, "a")
prop("not ok", {"not": {"type": "integer"}}, "3")
prop("if then", {"if": {"type": "integer"}, "then": {"minimum": 10}, "else": {"maxLength": 2}}, 5)
prop("if else", {"if": {"type": "integer"}, "then": {"minimum": 10}, "else": {"maxLength": 2}}, "abc")
prop("if without then", {"if": {"type": "integer"}, "else": {"type": "null"}}, 5)
prop("true schema", True, 1)
prop("false schema", False, {"a": 1})
prop("false in properties", {"type": "object", "properties": {"a": False}}, {"a": 1})
prop("unevaluatedProperties", {"type": "object", "properties": {"a": {}}, "unevaluatedProperties": False}, {"a": 1, "b": 2})
prop("unevaluatedItems", {"prefixItems": [{}], "unevaluatedItems": False}, [1, 2])
prop("unevaluatedItems schema", {"prefixItems": [{}], "unevaluatedItems": {"type": "string"}}, [1, "a", 2, 3])
prop("unevaluatedItems with contains", {"contains": {"type": "string"}, "unevaluatedItems": False}, ["a", 1, "b"])
prop("unevaluatedItems with items", {"items": {"type": "integer"}, "unevaluatedItems": False}, [1, 2])
prop("unevaluatedProperties through allOf", {"type": "object", "allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": False}, {"a": 1, "c": 2, "b": 3})
prop("unevaluatedProperties through failing anyOf branch", {"type": "object", "anyOf": [{"properties": {"a": {"type": "string"}}, "required": ["a"]}, {"properties": {"b": {}}}], "unevaluatedProperties": False}, {"a": 1, "b": 2})
prop("unevaluatedProperties through $ref and if", {"$defs": {"base": {"properties": {"a": {}}}}, "type": "object", "$ref": "#/$defs/base", "if": {"required": ["k"]}, "then": {"properties": {"k": {}, "t": {}}}, "else": {"properties": {"e": {}}}, "unevaluatedProperties": False}, {"a": 1, "k": 1, "t": 2, "e": 3})
prop("unevaluatedProperties schema", {"type": "object", "properties": {"a": {}}, "unevaluatedProperties": {"type": "integer", "minimum": 5}}, {"a": "x", "b": 1, "c": 9, "d": "s"})
prop("unevaluatedProperties patternProperties", {"type": "object", "patternProperties": {"^x": {}}, "unevaluatedProperties": False}, {"x1": 1, "y": 2})
prop("anyOf of refs", {"$defs": {}, "anyOf": [{"type": "array", "items": {"type": "integer"}}, {"type": "string", "format": "date"}]}, ["a"])
prop("anyOf in array items best match", {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}, [1, "a"])

# preprocessing (pydantic v1 schemas)
case("preprocess optional property may be null", {"type": "object", "properties": {"a": {"type": "string"}}}, {"a": None})
case("preprocess optional property wrong type", {"type": "object", "properties": {"a": {"type": "string"}}}, {"a": 1})
case("preprocess required property null", {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}, {"a": None})
case("preprocess default keeps type", {"type": "object", "properties": {"a": {"type": "string", "default": "x"}}}, {"a": None})
case("preprocess default allow none", {"type": "object", "properties": {"a": {"type": "string", "default": "x"}}}, {"a": None}, options={"allow_none_with_default": True})
case("preprocess null type untouched", {"type": "object", "properties": {"a": {"type": "null"}}}, {"a": 1})
case("preprocess tuple items", {"type": "object", "properties": {"t": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]}}, "required": ["t"]}, {"t": ["a", "b", 3]})
case("preprocess tuple items ok", {"type": "object", "properties": {"t": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]}}, "required": ["t"]}, {"t": ["a", 1]})
case("preprocess tuple with prefixItems kept", {"type": "object", "properties": {"t": {"type": "array", "prefixItems": [{"type": "string"}], "items": [{"type": "integer"}]}}, "required": ["t"]}, {"t": ["a"]})
case("preprocess nested required leaks to siblings", {"type": "object", "properties": {"o": {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["b"]}, "b": {"type": "integer"}}}, {"o": {"x": None}, "b": None})
case("preprocess nested optional", {"type": "object", "properties": {"o": {"type": "object", "properties": {"x": {"type": "integer"}}}}, "required": ["o"]}, {"o": {"x": None}})
case("preprocess definitions", {"type": "object", "properties": {"c": {"$ref": "#/definitions/C"}}, "required": ["c"], "definitions": {"C": {"type": "object", "properties": {"n": {"type": "integer"}}}}}, {"c": {"n": None}})
case("preprocess definitions wrong", {"type": "object", "properties": {"c": {"$ref": "#/definitions/C"}}, "required": ["c"], "definitions": {"C": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}}}, {"c": {"n": "x"}})
block = {"title": "Creds", "block_type_slug": "creds", "type": "object", "properties": {"token": {"type": "string"}}, "required": ["token"]}
block_schema = {"type": "object", "properties": {"creds": {"$ref": "#/definitions/Creds"}}, "required": ["creds"], "definitions": {"Creds": block}}
case("preprocess block by id", block_schema, {"creds": {"$ref": "c0ffee00-0000-4000-8000-000000000000"}})
case("preprocess block by document id", block_schema, {"creds": {"$ref": {"block_document_id": "c0ffee00-0000-4000-8000-000000000000"}}})
case("preprocess block by bad id", block_schema, {"creds": {"$ref": "nope"}})
case("preprocess block data", block_schema, {"creds": {"token": "t"}})
case("preprocess block data wrong", block_schema, {"creds": {"token": 1}})
case("preprocess block empty ref", block_schema, {"creds": {"$ref": {}}})
case("ignore required", {"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "integer"}}, "required": ["b"]}}, "required": ["a"]}, {"a": {}}, options={"ignore_required": True})
case("ignore required still types", {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}, {"a": "x"}, options={"ignore_required": True})
case("pydantic v2 style parameters", {"title": "Parameters", "type": "object", "properties": {"name": {"title": "name", "position": 0, "type": "string"}, "count": {"title": "count", "default": 1, "position": 1, "type": "integer"}, "when": {"anyOf": [{"format": "date-time", "type": "string"}, {"type": "null"}], "default": None, "title": "when", "position": 2}}, "required": ["name"], "definitions": {}}, {"name": 1, "count": "two", "when": "yesterday"})
case("pydantic v2 parameters ok", {"title": "Parameters", "type": "object", "properties": {"name": {"title": "name", "position": 0, "type": "string"}, "items": {"title": "items", "type": "array", "items": {"type": "integer"}, "position": 1}}, "required": ["name"]}, {"name": "x", "items": [1, 2]})
case("enum of definitions", {"type": "object", "properties": {"color": {"$ref": "#/definitions/Color"}}, "required": ["color"], "definitions": {"Color": {"title": "Color", "enum": ["red", "green"], "type": "string"}}}, {"color": "blue"})

# hydration (as /ui/schemas/validate hydrates values first)
obj = {"type": "object", "properties": {"a": {"type": "object"}, "n": {"type": "integer"}}, "required": ["a"]}
case("hydration json", obj, {"a": {"__prefect_kind": "json", "value": '{"x": 1}'}})
case("hydration json wrong type", obj, {"a": {"__prefect_kind": "json", "value": "[1, 2]"}})
for text in ["", "{", '{"a" 1}', '{"a": 1,}', "[1 2]", '"abc', "nope", '{"a": 1} x', '\n\n  {"a": tru}', '"\\x"', '"\\u12"', '"a\tb"', "01", "-", '{"a": NaN}', "[1,\n 2,,]"]:
    case(f"hydration json error {text!r}", obj, {"a": {"__prefect_kind": "json", "value": text}})
case("hydration json without value removes key", obj, {"a": {"__prefect_kind": "json"}})
case("hydration none", obj, {"a": {"__prefect_kind": "none", "value": {"k": 1}}, "n": {"__prefect_kind": "none", "value": "x"}})
case("hydration none missing value", obj, {"a": {"__prefect_kind": "none"}})
case("hydration unknown kind", obj, {"a": {"__prefect_kind": "other", "value": [1]}})
case("hydration workspace variable", obj, {"a": {"__prefect_kind": "workspace_variable", "variable_name": "cfg"}, "n": {"__prefect_kind": "workspace_variable", "variable_name": "count"}}, variables={"cfg": {"k": "v"}, "count": "many"})
case("hydration workspace variable missing", obj, {"a": {"__prefect_kind": "workspace_variable", "variable_name": "nope"}})
case("hydration errors in arrays", {"type": "object", "properties": {"l": {"type": "array", "items": {"type": "integer"}}}}, {"l": [1, {"__prefect_kind": "json", "value": "x"}, "y"]})
case("hydration error beside other errors", {"type": "object", "properties": {"a": {"type": "integer", "minimum": 3}}, "required": ["a", "b"]}, {"a": {"__prefect_kind": "json", "value": "{"}})

# invalid schemas (the metaschema check)
for name, bad in [
    ("type unknown", {"type": "strin"}),
    ("type number", {"type": 5}),
    ("type list duplicate", {"type": ["string", "string"]}),
    ("type empty list", {"type": []}),
    ("properties not object", {"properties": []}),
    ("property schema not object", {"properties": {"a": 5}}),
    ("required not array", {"required": "a"}),
    ("required not strings", {"required": ["a", 1]}),
    ("required duplicate", {"required": ["a", "a"]}),
    ("minLength negative", {"minLength": -1}),
    ("minLength float", {"minLength": 1.5}),
    ("maxItems string", {"maxItems": "3"}),
    ("minimum string", {"minimum": "3"}),
    ("multipleOf zero", {"multipleOf": 0}),
    ("multipleOf negative", {"multipleOf": -2}),
    ("pattern invalid", {"pattern": "("}),
    ("pattern not string", {"pattern": 5}),
    ("enum not array", {"enum": "a"}),
    ("enum empty", {"enum": []}),
    ("anyOf empty", {"anyOf": []}),
    ("anyOf not array", {"anyOf": {"type": "string"}}),
    ("allOf item invalid", {"allOf": [{"type": "x"}]}),
    ("items not schema", {"items": 5}),
    ("items list after preprocess of root", {"items": [{"type": "string"}]}),
    ("uniqueItems not bool", {"uniqueItems": 1}),
    ("additionalProperties not schema", {"additionalProperties": "no"}),
    ("not not schema", {"not": 5}),
    ("$defs not object", {"$defs": []}),
    ("$ref not string", {"$ref": 5}),
    ("title not string", {"title": 5}),
    ("format not string", {"format": 5}),
    ("nested invalid", {"properties": {"a": {"properties": {"b": {"type": "nope"}}}}}),
    ("definition invalid", {"definitions": {"D": {"minItems": -1}}}),
    ("dependentRequired not strings", {"dependentRequired": {"a": [1]}}),
    ("several problems", {"type": "nope", "minLength": -1, "required": 5}),
    ("schema is a list", {"allOf": [[]]}),
    ("const any value ok", {"const": {"type": 5}}),
    ("unknown keywords ok", {"foo": 5, "position": "x"}),
    ("pattern Python-only syntax", {"pattern": "(?P<n>a)"}),
    ("pattern JS-only escape", {"pattern": "\\p{L}"}),
]:
    case(f"invalid schema: {name}", bad, {"a": 1})


def main() -> None:
    seen = set()
    for c in CASES:
        assert c["name"] not in seen, c["name"]
        seen.add(c["name"])
        c["expected"] = run(c)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    header = {
        "about": "Generated by scripts/goldens/json_schema.py; do not edit. Refresh: python3 scripts/goldens/json_schema.py",
        "jsonschema": __import__("importlib.metadata").metadata.version("jsonschema"),
        "cases": CASES,
    }
    OUT.write_text(json.dumps(header, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(CASES)} cases -> {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")


if __name__ == "__main__":
    main()
