import { isDict, pyDumps, type PyValue } from "../python";

/**
 * A block schema's checksum, as the SDK (`Block._calculate_schema_checksum`) and Prefect's server
 * compute it: the fields without any `secret_fields` key (at any depth), with `definitions` cut
 * down to those that are not blocks themselves and are reachable from a `$ref` (or dropped when
 * none are), printed by Python's `json.dumps(((fields,), {}), sort_keys=True)` and hashed with
 * SHA-256.
 */
export async function schemaChecksum(fields: Record<string, PyValue>): Promise<string> {
  const forChecksum = withoutKey(fields, "secret_fields") as Record<string, PyValue>;
  if (isDict(forChecksum.definitions) && Object.keys(forChecksum.definitions).length) {
    const nonBlock = nonBlockDefinitions(forChecksum, forChecksum.definitions);
    if (Object.keys(nonBlock).length) forChecksum.definitions = nonBlock;
    else delete forChecksum.definitions;
  }
  const text = pyDumps([[forChecksum], {}]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return `sha256:${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** A copy without `key` in any dict, however nested in dicts (lists are not entered, as Prefect's). */
export function withoutKey(value: PyValue, key: string): PyValue {
  if (!isDict(value)) return value;
  const out: Record<string, PyValue> = {};
  for (const [k, v] of Object.entries(value)) if (k !== key) out[k] = withoutKey(v, key);
  return out;
}

/** Every `$ref` value found in a JSON schema (in dicts and lists, at any depth). */
export function referenceStrings(value: unknown): unknown[] {
  const found: unknown[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isDict(v)) {
      if (v.$ref) found.push(v.$ref);
      Object.values(v).forEach(walk);
    }
  };
  walk(value);
  return found;
}

/** The definitions reachable from `object` through `$ref`s that do not describe blocks. */
export function nonBlockDefinitions(
  object: unknown,
  definitions: Record<string, any>,
  seen: Set<string> = new Set(),
): Record<string, any> {
  let out: Record<string, any> = {};
  for (const ref of referenceStrings(object)) {
    if (typeof ref !== "string") continue;
    const key = ref.replace("#/definitions/", "");
    const definition = definitions[key];
    // An empty definition is falsy in Python, and left out.
    if (isDict(definition) && Object.keys(definition).length && (definition.block_type_slug === undefined || definition.block_type_slug === null)) {
      // A definition that refers back to itself would recurse forever (Prefect's server fails there).
      const nested = seen.has(key) ? {} : nonBlockDefinitions(definition, definitions, new Set([...seen, key]));
      out = { ...out, [key]: definition, ...nested };
    }
  }
  return out;
}
