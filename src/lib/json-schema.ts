/**
 * A small JSON Schema check (type, enum, const, required, properties, items, additionalProperties
 * false) for run inputs; answers the first violation found, or null.
 */
type Schema = Record<string, any>;

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

export function schemaViolation(value: unknown, schema: Schema, defs: Schema = schema.definitions ?? schema.$defs ?? {}, path = ""): string | null {
  if (schema.$ref && typeof schema.$ref === "string") {
    const target = defs[schema.$ref.split("/").pop()!];
    return target ? schemaViolation(value, target, defs, path) : null;
  }
  const where = path ? ` at '${path}'` : "";
  if (schema.type) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(value, t))) return `${JSON.stringify(value)} is not of type ${types.map((t) => `'${t}'`).join(", ")}${where}`;
  }
  for (const key of ["anyOf", "oneOf"] as const)
    if (Array.isArray(schema[key]) && !schema[key].some((s: Schema) => schemaViolation(value, s, defs, path) === null))
      return `${JSON.stringify(value)} is not valid under any of the given schemas${where}`;
  if (Array.isArray(schema.enum) && !schema.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(value)))
    return `${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}${where}`;
  if ("const" in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) return `${JSON.stringify(schema.const)} was expected${where}`;
  if (typeMatches(value, "object")) {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in obj)) return `'${key}' is a required property${where}`;
    for (const [key, sub] of Object.entries<Schema>(schema.properties ?? {})) {
      if (!(key in obj)) continue;
      const err = schemaViolation(obj[key], sub, defs, path ? `${path}.${key}` : key);
      if (err) return err;
    }
    if (schema.additionalProperties === false) {
      const extra = Object.keys(obj).filter((k) => !(k in (schema.properties ?? {})));
      if (extra.length) return `Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(", ")} were unexpected)${where}`;
    }
  }
  if (Array.isArray(value) && schema.items && typeof schema.items === "object") {
    for (let i = 0; i < value.length; i++) {
      const err = schemaViolation(value[i], schema.items, defs, `${path}[${i}]`);
      if (err) return err;
    }
  }
  return null;
}
