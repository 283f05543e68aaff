/** What Prefect makes of validation errors: `best_match`'s message and the UI's error tree. */
import { isDict, pyStrRepr } from "../python";
import { Placeholder } from "./hydration";
import { SIMPLE_TYPES } from "./metaschema";
import { PLACEHOLDERS, typeMatches, type ValueError } from "./validator";

/** The error jsonschema's `best_match` picks: the shallowest, then not anyOf/oneOf, then off-type. */
export function bestMatch(errors: ValueError[]): ValueError | null {
  const key = (e: ValueError): (number | string)[] => {
    const type = isDict(e.schema) ? e.schema.type : undefined;
    const types: unknown[] = type === undefined ? [] : Array.isArray(type) ? type : [type];
    const matchesType = types.some((t) => typeof t === "string" && SIMPLE_TYPES.includes(t) && typeMatches(e.instance, t));
    return [-e.path.length, e.path.map(String).join("\u0000"), e.validator !== "anyOf" && e.validator !== "oneOf" ? 1 : 0, matchesType ? 0 : 1];
  };
  let best: ValueError | null = null;
  let bestKey: (number | string)[] = [];
  for (const e of errors) {
    const k = key(e);
    if (!best || compareKeys(k, bestKey) > 0) {
      best = e;
      bestKey = k;
    }
  }
  return best;
}

function compareKeys(a: (number | string)[], b: (number | string)[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i] ? 1 : -1;
  return 0;
}

/** Prefect's `ValidationError` text (validate with raise_on_error=True), or null when valid. */
export function validationFailure(errors: ValueError[]): string | null {
  const first = bestMatch(errors);
  if (!first) return null;
  const where = first.path.length ? `Validation failed for field ${pyStrRepr(jsonPath(first.path))}.` : "Validation failed.";
  return `${where} Failure reason: ${first.message}`;
}

/** jsonschema's json_path without its `$.` (`a.b[0]`). */
function jsonPath(path: (string | number)[]): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out ? `.${part}` : part;
  return out;
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