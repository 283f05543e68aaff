/**
 * Secret fields of block documents, as Prefect's server treats them.
 *
 * A block schema lists its secret fields in `fields.secret_fields` as dotted paths into the
 * document's data (`"password"`, `"child.token"`), where `*` stands for every key below a point
 * (`"headers.*"`). Unless secrets are asked for, each such value is answered as `********`.
 * Paths are matched against the data flattened the way Prefect flattens it: nested non-empty
 * objects are walked, anything else (lists, empty objects, scalars) is a leaf.
 *
 * One deliberate difference: when a plain secret path (no `*`) holds an object (e.g. a Secret
 * block whose value is JSON), Prefect's server finds no leaf at that path and answers the object
 * in the clear; here every leaf below it is obfuscated, as for `path.*`, and the update below
 * restores those leaves the same way.
 */

export const OBFUSCATED = "********";

type Path = string[];
type Flat = Map<string, { path: Path; value: unknown }>;

const keyOf = (path: Path) => JSON.stringify(path);
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

export function flatten(data: Record<string, unknown>): Flat {
  const out: Flat = new Map();
  const walk = (obj: Record<string, unknown>, parent: Path) => {
    for (const [k, v] of Object.entries(obj)) {
      const path = [...parent, k];
      if (isObject(v) && Object.keys(v).length) walk(v, path);
      else out.set(keyOf(path), { path, value: v });
    }
  };
  walk(data, []);
  return out;
}

export function unflatten(flat: Flat): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { path, value } of flat.values()) {
    let current: Record<string, unknown> = out;
    for (const k of path.slice(0, -1)) {
      if (!isObject(current[k])) current[k] = {};
      current = current[k] as Record<string, unknown>;
    }
    current[path[path.length - 1]] = value;
  }
  return out;
}

const startsWith = (path: Path, prefix: Path) => prefix.every((k, i) => path[i] === k);

/** The flat entries a secret path covers that are not the path's own leaf (wildcards, objects). */
function coveredBelow(flat: Flat, secret: Path): { key: string; path: Path }[] {
  const star = secret.indexOf("*");
  const prefix = star >= 0 ? secret.slice(0, star) : secret;
  const out: { key: string; path: Path }[] = [];
  for (const [key, { path }] of flat) {
    // A wildcard compares the first `star` keys only (Prefect compares tuple slices).
    if (star >= 0 ? path.length >= prefix.length && startsWith(path, prefix) : path.length > prefix.length && startsWith(path, prefix))
      out.push({ key, path });
  }
  return out;
}

const secretPaths = (secretFields: unknown): Path[] =>
  Array.isArray(secretFields) ? secretFields.filter((s): s is string => typeof s === "string").map((s) => s.split(".")) : [];

/** The data as answered without secrets: every secret value replaced by `********`. */
export function obfuscateSecrets(data: Record<string, unknown>, secretFields: unknown): Record<string, unknown> {
  const paths = secretPaths(secretFields);
  if (!paths.length) return data;
  const flat = flatten(data);
  for (const secret of paths) {
    const own = flat.get(keyOf(secret));
    if (own && own.value !== null && own.value !== undefined) own.value = OBFUSCATED;
    else if (!own || secret.includes("*")) for (const { key } of coveredBelow(flat, secret)) flat.get(key)!.value = OBFUSCATED;
  }
  return unflatten(flat);
}

/**
 * Update data in which a secret is still `********` (a client posting back what it read) keeps
 * the stored secret instead of overwriting it with the mask.
 */
export function restoreObfuscated(
  update: Record<string, unknown>,
  current: Record<string, unknown>,
  secretFields: unknown,
): Record<string, unknown> {
  const paths = secretPaths(secretFields);
  if (!paths.length) return update;
  const flatUpdate = flatten(update);
  const flatCurrent = flatten(current);
  for (const secret of paths) {
    const currentSecret = flatCurrent.get(keyOf(secret));
    if (currentSecret && currentSecret.value !== null && currentSecret.value !== undefined) {
      const sent = flatUpdate.get(keyOf(secret));
      if (sent && sent.value === OBFUSCATED) sent.value = currentSecret.value;
    } else if (secret.includes("*") || !currentSecret) {
      for (const { key } of coveredBelow(flatUpdate, secret)) {
        const sent = flatUpdate.get(key)!;
        const stored = flatCurrent.get(key);
        if (sent.value === OBFUSCATED && stored) sent.value = stored.value;
      }
    }
  }
  return unflatten(flatUpdate);
}
