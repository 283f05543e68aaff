/**
 * A small JSON Schema check (type, enum, const, required, properties, items, anyOf/oneOf/allOf,
 * $ref to definitions, additionalProperties false) for run inputs, parameters and job variables.
 * Messages read as Python's jsonschema writes them, since Prefect passes those on to clients.
 */
type Schema = Record<string, any>;

export interface SchemaError {
  /** Dotted path of the failing value ('' for the whole document), as jsonschema's json_path without `$.`. */
  path: string;
  message: string;
}

export interface SchemaOptions {
  /** Skip `required` (Prefect validates partial job variables this way). */
  ignoreRequired?: boolean;
  /** A null value passes for a property that declares a default. */
  allowNoneWithDefault?: boolean;
}

/** Python's repr of a JSON value: 'text', True, None, [1, 'a'], {'k': 1}. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(", ")}}`;
  return String(value);
}

const typeMatches = (value: unknown, type: string): boolean => {
  switch (type) {
    case "object":
      return !!value && typeof value === "object" && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "null":
      return value === null;
    default:
      return typeof value === type;
  }
};

const join = (path: string, key: string | number) => (typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key);

export function firstSchemaError(value: unknown, schema: Schema, opts: SchemaOptions = {}, defs: Schema = schema.definitions ?? schema.$defs ?? {}, path = ""): SchemaError | null {
  const fail = (message: string): SchemaError => ({ path, message });
  if (schema.$ref && typeof schema.$ref === "string") {
    const target = defs[schema.$ref.split("/").pop()!];
    return target ? firstSchemaError(value, target, opts, defs, path) : null;
  }
  if (schema.type) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(value, t))) return fail(`${pyRepr(value)} is not of type ${types.map((t) => `'${t}'`).join(", ")}`);
  }
  if (Array.isArray(schema.allOf))
    for (const s of schema.allOf) {
      const err = firstSchemaError(value, s, opts, defs, path);
      if (err) return err;
    }
  for (const key of ["anyOf", "oneOf"] as const)
    if (Array.isArray(schema[key]) && !schema[key].some((s: Schema) => firstSchemaError(value, s, opts, defs, path) === null))
      return fail(`${pyRepr(value)} is not valid under any of the given schemas`);
  if (Array.isArray(schema.enum) && !schema.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(value)))
    return fail(`${pyRepr(value)} is not one of ${pyRepr(schema.enum)}`);
  if ("const" in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) return fail(`${pyRepr(schema.const)} was expected`);
  if (typeMatches(value, "object")) {
    const obj = value as Record<string, unknown>;
    if (!opts.ignoreRequired) for (const key of schema.required ?? []) if (!(key in obj)) return fail(`${pyRepr(key)} is a required property`);
    for (const [key, sub] of Object.entries<Schema>(schema.properties ?? {})) {
      if (!(key in obj)) continue;
      if (obj[key] === null && opts.allowNoneWithDefault && "default" in sub) continue;
      const err = firstSchemaError(obj[key], sub, opts, defs, join(path, key));
      if (err) return err;
    }
    if (schema.additionalProperties === false) {
      const extra = Object.keys(obj).filter((k) => !(k in (schema.properties ?? {})));
      if (extra.length) return fail(`Additional properties are not allowed (${extra.map(pyRepr).join(", ")} ${extra.length === 1 ? "was" : "were"} unexpected)`);
    }
  }
  if (Array.isArray(value) && schema.items && typeof schema.items === "object") {
    for (let i = 0; i < value.length; i++) {
      const err = firstSchemaError(value[i], schema.items, opts, defs, join(path, i));
      if (err) return err;
    }
  }
  return null;
}

/** Prefect's wording of a validation failure: "Validation failed for field 'x'. Failure reason: …". */
export function describeSchemaError(err: SchemaError): string {
  return `${err.path ? `Validation failed for field ${pyRepr(err.path)}.` : "Validation failed."} Failure reason: ${err.message}`;
}

/** The first violation of `schema` by `value`, in Prefect's wording, or null. */
export function schemaViolation(value: unknown, schema: Schema, opts: SchemaOptions = {}): string | null {
  const err = firstSchemaError(value, schema, opts);
  return err ? describeSchemaError(err) : null;
}
