#!/usr/bin/env python3
"""Generate src/schemas/prefect.gen.ts (zod) from Prefect 3's server OpenAPI document.

The OpenAPI document is our wire contract; this turns its component schemas into zod
schemas registered under the same names, so every route can declare them and
/api/openapi.json is generated from code. Descriptions are deliberately not carried over.

Usage: python3 scripts/gen-schemas.py [path/to/prefect-openapi.json]
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REF = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "shared", "reference", "prefect-openapi.json")
OUT = os.path.join(HERE, "..", "src", "schemas", "prefect.gen.ts")
BODIES_OUT = os.path.join(HERE, "..", "src", "schemas", "request-bodies.gen.ts")

doc = json.load(open(REF))
schemas = doc["components"]["schemas"]

# Prefect 2.x filter fields its clients still send (every 2.x DeploymentFilter carries
# `is_schedule_active`, if only as null); Prefect 3 answers them 422 extra_forbidden. Accepted here,
# each filtering with its 2.x meaning (src/db/filters).
NULLABLE = lambda s: {"anyOf": [s, {"type": "null"}]}
LEGACY_2X_FILTERS = {
    "DeploymentFilterIsScheduleActive": {"eq_": NULLABLE({"type": "boolean"})},
    "VariableFilterValue": {"any_": NULLABLE({"type": "array", "items": {"type": "string"}}), "like_": NULLABLE({"type": "string"})},
}
LEGACY_2X_FIELDS = {
    "DeploymentFilter": {"is_schedule_active": "DeploymentFilterIsScheduleActive"},
    "VariableFilter": {"value": "VariableFilterValue"},
}
for name, props in LEGACY_2X_FILTERS.items():
    schemas[name] = {"type": "object", "additionalProperties": False, "properties": props}
for owner, fields in LEGACY_2X_FIELDS.items():
    for field, target in fields.items():
        schemas[owner]["properties"][field] = NULLABLE({"$ref": f"#/components/schemas/{target}"})


def ident(name):
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def refs_of(s, acc):
    if isinstance(s, dict):
        if "$ref" in s:
            acc.add(s["$ref"].split("/")[-1])
        for k, v in s.items():
            if k in ("examples", "default"):
                continue
            refs_of(v, acc)
    elif isinstance(s, list):
        for v in s:
            refs_of(v, acc)
    return acc


deps = {n: refs_of(s, set()) for n, s in schemas.items()}

# Topological order; back edges (cycles) become z.lazy references.
order, state, lazy_edges = [], {}, set()


def visit(n):
    if state.get(n) == 2:
        return
    state[n] = 1
    for d in sorted(deps[n]):
        if state.get(d) == 1:
            lazy_edges.add((n, d))
            continue
        visit(d)
    state[n] = 2
    order.append(n)


for n in sorted(schemas):
    visit(n)
lazy_targets = {d for (_, d) in lazy_edges}


def lit(v):
    return json.dumps(v)


def is_null(s):
    return isinstance(s, dict) and s.get("type") == "null"


def conv(s, owner):
    if not isinstance(s, dict) or not s:
        return "z.any()"
    if "$ref" in s:
        name = s["$ref"].split("/")[-1]
        if (owner, name) in lazy_edges or name == owner:
            return f"z.lazy(() => {ident(name)})"
        return ident(name)
    for key in ("anyOf", "oneOf"):
        if key in s:
            opts = s[key]
            nullable = any(is_null(o) for o in opts)
            rest = [o for o in opts if not is_null(o)]
            if len(rest) == 1:
                base = conv(rest[0], owner)
            elif not rest:
                base = "z.null()"
            else:
                base = "z.union([" + ", ".join(conv(o, owner) for o in rest) + "])"
            return base + (".nullable()" if nullable and rest else "")
    if "allOf" in s:
        if len(s["allOf"]) == 1:
            return conv(s["allOf"][0], owner)
        return "z.intersection(" + ", ".join(conv(o, owner) for o in s["allOf"][:2]) + ")"
    if "const" in s:
        return f"z.literal({lit(s['const'])})"
    if "enum" in s:
        vals = s["enum"]
        if all(isinstance(v, str) for v in vals):
            return "z.enum([" + ", ".join(lit(v) for v in vals) + "])"
        return "z.union([" + ", ".join(f"z.literal({lit(v)})" for v in vals) + "])"
    t = s.get("type")
    if isinstance(t, list):
        return "z.union([" + ", ".join(conv({**s, "type": x}, owner) for x in t) + "])"
    if t == "string":
        fmt = s.get("format")
        if fmt == "uuid":
            return "Uuid"
        if fmt == "date-time":
            return "DateTime"
        out = "z.string()"
        if "minLength" in s:
            out += f".min({s['minLength']})"
        if "maxLength" in s:
            out += f".max({s['maxLength']})"
        if "pattern" in s and len(s["pattern"]) < 200:  # the timezone list is checked at runtime instead
            out += f".regex(new RegExp({lit(s['pattern'])}))"
        return out
    if t in ("integer", "number"):
        out = "Int" if t == "integer" else "z.number()"
        if "minimum" in s:
            out += f".gte({s['minimum']})"
        if "exclusiveMinimum" in s:
            out += f".gt({s['exclusiveMinimum']})"
        if "maximum" in s:
            out += f".lte({s['maximum']})"
        return out
    if t == "boolean":
        return "z.boolean()"
    if t == "null":
        return "z.null()"
    if t == "array":
        if "prefixItems" in s:
            return "z.tuple([" + ", ".join(conv(o, owner) for o in s["prefixItems"]) + "])"
        out = f"z.array({conv(s.get('items', {}), owner)})"
        if "minItems" in s:
            out += f".min({s['minItems']})"
        if "maxItems" in s:
            out += f".max({s['maxItems']})"
        return out
    if t == "object" or "properties" in s:
        props = s.get("properties")
        ap = s.get("additionalProperties", True)
        if not props:
            if isinstance(ap, dict):
                return f"z.record(z.string(), {conv(ap, owner)})"
            return "z.record(z.string(), z.any())"
        return obj(s, owner)
    return "z.any()"


def with_default(expr, p, required):
    if required:
        return expr
    if "default" in p:
        d = p["default"]
        if isinstance(d, (dict, list)) and d:
            return f"{expr}.prefault({lit(d)})"
        return f"{expr}.default({lit(d)})"
    t = p.get("type")
    if t == "array":
        return f"{expr}.default([])"
    if t == "object" and "properties" not in p:
        return f"{expr}.default({{}})"
    if "$ref" in p:
        target = schemas.get(p["$ref"].split("/")[-1], {})
        # Filters stay absent (None) when not sent: Prefect treats a present filter, even an empty
        # one, as "must have related rows".
        if target.get("type") == "object" and not target.get("required") and "Filter" not in p["$ref"]:
            return f"{expr}.prefault({{}})"
        return f"{expr}.nullable().optional()"
    return f"{expr}.optional()"


def obj(s, owner):
    required = set(s.get("required", []))
    lines = []
    for k, p in s["properties"].items():
        e = with_default(conv(p, owner), p, k in required)
        lines.append(f"  {lit(k)}: {e},")
    fn = "z.strictObject" if s.get("additionalProperties") is False else "z.object"
    return fn + "({\n" + "\n".join(lines) + "\n})"


out = [
    "// Generated by scripts/gen-schemas.py from Prefect 3's server OpenAPI document. Do not edit;",
    "// adjust the generator or override in a hand-written schema module instead.",
    "/* eslint-disable */",
    'import { z } from "@hono/zod-openapi";',
    'import { DateTime, Int, Uuid } from "./primitives";',
    "",
]
for n in order:
    s = schemas[n]
    body = conv({k: v for k, v in s.items() if k != "title"} if "$ref" not in s else s, n)
    i = ident(n)
    ann = ": z.ZodType<any>" if n in lazy_targets else ""
    out.append(f"export const {i}{ann} = {body}.openapi({lit(n)});")
    out.append(f"export type {i} = z.infer<typeof {i}>;")
    out.append("")

open(OUT, "w").write("\n".join(out))
print(f"wrote {len(order)} schemas ({len(lazy_targets)} lazy) to {os.path.relpath(OUT)}")


def body_kind(schema):
    """What FastAPI reads the body as: several `Body(...)` fields ("fields"), or one value."""
    ref = schema.get("$ref", "").split("/")[-1]
    if ref:
        return "fields" if ref.startswith("Body_") else "model"
    return {"array": "list", "object": "dict", "string": "string"}[schema["type"]]


bodies = []
for path, methods in doc["paths"].items():
    for method, op in methods.items():
        body = op.get("requestBody")
        if not body:
            continue
        kind = body_kind(body["content"]["application/json"]["schema"])
        bodies.append(f'  "{method.upper()} {path}": {{ kind: "{kind}", required: {str(body.get("required", False)).lower()} }},')
open(BODIES_OUT, "w").write("\n".join([
    "// Generated by scripts/gen-schemas.py from Prefect 3's server OpenAPI document. Do not edit.",
    "",
    "/**",
    " * How each operation takes its JSON body: as several named fields (FastAPI's `Body_…` schemas,",
    " * where a missing body means every field's default) or as one value — a model, list, dict or",
    " * string — that the body is as a whole.",
    " */",
    'export type RequestBodyKind = "fields" | "model" | "list" | "dict" | "string";',
    "",
    "export const REQUEST_BODIES: Record<string, { kind: RequestBodyKind; required: boolean }> = {",
    *sorted(bodies),
    "};",
    "",
]))
print(f"wrote {len(bodies)} request bodies to {os.path.relpath(BODIES_OUT)}")
