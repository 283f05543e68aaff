/** What Prefect makes of validation errors: `best_match`'s message and the UI's error tree. */
import { isDict, pyStrRepr } from "../python";
import { Placeholder } from "./hydration";
import { SIMPLE_TYPES } from "./metaschema";
import { PLACEHOLDERS, typeMatches, UnresolvableRefError, validate, type ValidateOptions, type ValueError } from "./validator";

type Path = (string | number)[];

/**
 * jsonschema's `relevance`: deeper errors first (by path length), then the later path, then not
 * anyOf/oneOf, then one whose schema's type the instance does not match. Positive when `a` ranks above `b`.
 */
function compareRelevance(a: ValueError, b: ValueError): number {
  if (a.path.length !== b.path.length) return b.path.length - a.path.length;
  const byPath = comparePaths(a.path, b.path);
  if (byPath) return byPath;
  const weak = (e: ValueError) => (e.validator === "anyOf" || e.validator === "oneOf" ? 0 : 1);
  if (weak(a) !== weak(b)) return weak(a) - weak(b);
  return (matchesType(a) ? 0 : 1) - (matchesType(b) ? 0 : 1);
}

/** Python's ordering of two paths: item by item, numbers by value, strings by code point. */
function comparePaths(a: Path, b: Path): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    const [p, q] = [String(x), String(y)].map((s) => Array.from(s, (c) => c.codePointAt(0)!));
    for (let k = 0; k < Math.min(p.length, q.length); k++) if (p[k] !== q[k]) return p[k] - q[k];
    return p.length - q.length;
  }
  return a.length - b.length;
}

function matchesType(e: ValueError): boolean {
  const type = isDict(e.schema) ? e.schema.type : undefined;
  const types: unknown[] = type === undefined ? [] : Array.isArray(type) ? type : [type];
  return types.some((t) => typeof t === "string" && SIMPLE_TYPES.includes(t) && typeMatches(e.instance, t));
}

/**
 * The error jsonschema's `best_match` picks: the most relevant, then, for anyOf/oneOf, down into
 * the branches' errors to the least relevant one (the deepest, of the matching type) while one
 * stands out.
 */
export function bestMatch(errors: ValueError[]): ValueError | null {
  let best: ValueError | null = null;
  for (const e of errors) if (!best || compareRelevance(e, best) > 0) best = e;
  while (best?.context?.length) {
    const sorted = [...best.context].sort(compareRelevance);
    if (sorted.length > 1 && compareRelevance(sorted[0], sorted[1]) === 0) return best;
    best = sorted[0];
  }
  return best;
}

/**
 * Prefect's `ValidationError` text, or null when valid: its validate(raise_on_error=True), which
 * leaves to `jsonschema.validate` (best match, formats not checked); an unresolvable $ref is a
 * failure too. Throws CircularSchemaRefError as Prefect's does.
 */
export function validationFailure(instance: unknown, schema: Record<string, any>, opts: ValidateOptions = {}): string | null {
  let errors: ValueError[];
  try {
    errors = validate(instance, schema, { ...opts, checkFormats: false });
  } catch (err) {
    if (err instanceof UnresolvableRefError) return `Validation failed. Failure reason: ${err.message}`;
    throw err;
  }
  const first = bestMatch(errors);
  if (!first) return null;
  const path = jsonPath(first.path);
  const where = path === "$" ? "Validation failed." : `Validation failed for field ${pyStrRepr(path)}.`;
  return `${where} Failure reason: ${first.message}`;
}

/** jsonschema's json_path (`$.a['b-c'][0]`) as Prefect shows it: every `$.` taken out. */
function jsonPath(path: Path): string {
  let out = "$";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[a-zA-Z][a-zA-Z0-9_]*$/.test(part)) out += `.${part}`;
    else out += `['${part.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}']`;
  }
  return out.replaceAll("$.", "");
}

// ---------------------------------------------------------------------------------------------
// The UI's error object: errors nested by property and index.

type ErrorEntry = string | { property: string; errors: ErrorEntry[] } | { index: number; errors: ErrorEntry[] };

export function buildErrorObj(errors: ValueError[]): { errors: ErrorEntry[]; valid: boolean } {
  // Where a path has a hydration error, only those are reported for it.
  const byPath = new Map<string, ValueError[]>();
  for (const e of errors) {
    const key = e.path.map(String).join("->");
    byPath.set(key, [...(byPath.get(key) ?? []), e]);
  }
  const kept: ValueError[] = [];
  for (const group of byPath.values()) {
    const placeholders = group.filter((e) => e.validator === PLACEHOLDERS);
    kept.push(...(placeholders.length ? placeholders : group));
  }

  const root: ErrorEntry[] = [];
  for (const error of kept) {
    if (error.instance instanceof Placeholder && !error.instance.isError) continue;
    const path = [...error.path];
    if (error.validator === "required") path.push(error.message.split(" ")[0].replace(/^'+|'+$/g, ""));
    let current = root;
    if (!path.length) current.push(error.message);
    while (path.length) {
      const part = path.shift()!;
      const last = path.length === 0;
      if (typeof part === "number") {
        if (last) current.push({ index: part, errors: [error.message] });
        else {
          let entry = current.find((e): e is { index: number; errors: ErrorEntry[] } => typeof e === "object" && "index" in e && e.index === part);
          if (!entry) current.push((entry = { index: part, errors: [] }));
          current = entry.errors;
        }
      } else if (last) current.push({ property: part, errors: [error.message] });
      else {
        let entry = current.find((e): e is { property: string; errors: ErrorEntry[] } => typeof e === "object" && "property" in e && e.property === part);
        if (!entry) current.push((entry = { property: part, errors: [] }));
        current = entry.errors;
      }
    }
  }
  return { errors: root, valid: root.length === 0 };
}