/** The schema check: the Draft 2020-12 metaschema, for the keywords clients send. */
import { isDict, pyRepr, pythonRegex } from "../python";

export const SIMPLE_TYPES = ["array", "boolean", "integer", "null", "number", "object", "string"];

export class SchemaError extends Error {}

const isNumber = (v: unknown) => typeof v === "number";
const isInteger = (v: unknown) => typeof v === "number" && Number.isInteger(v);


/** Throws SchemaError(`Invalid schema: …`) when the schema breaks the metaschema. */
export function checkSchema(schema: unknown): void {
  const problem = schemaProblem(schema);
  if (problem) throw new SchemaError(`Invalid schema: ${problem}`);
}

function schemaProblem(schema: unknown): string | null {
  if (typeof schema === "boolean") return null;
  if (!isDict(schema)) return `${pyRepr(schema)} is not of type 'object', 'boolean'`;
  for (const [key, v] of Object.entries(schema)) {
    let problem: string | null = null;
    switch (key) {
      case "type": {
        const ok =
          (typeof v === "string" && SIMPLE_TYPES.includes(v)) ||
          (Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === "string" && SIMPLE_TYPES.includes(t)) && new Set(v).size === v.length);
        if (!ok) problem = `${pyRepr(v)} is not valid under any of the given schemas`;
        break;
      }
      case "properties":
      case "patternProperties":
      case "$defs":
      case "definitions":
      case "dependentSchemas":
        if (!isDict(v)) problem = `${pyRepr(v)} is not of type 'object'`;
        else for (const sub of Object.values(v)) problem ??= schemaProblem(sub);
        break;
      case "items":
        // Draft 2020-12 wants a schema; preprocessing turns pydantic v1 tuples (lists) of properties into prefixItems.
        problem = schemaProblem(v);
        break;
      case "additionalProperties":
      case "not":
      case "if":
      case "then":
      case "else":
      case "contains":
      case "propertyNames":
      case "unevaluatedItems":
      case "unevaluatedProperties":
        problem = schemaProblem(v);
        break;
      case "allOf":
      case "anyOf":
      case "oneOf":
      case "prefixItems":
        if (!Array.isArray(v)) problem = `${pyRepr(v)} is not of type 'array'`;
        else if (!v.length) problem = `${pyRepr(v)} should be non-empty`;
        else for (const sub of v) problem ??= schemaProblem(sub);
        break;
      case "required":
        problem = stringArrayProblem(v);
        break;
      case "enum":
        if (!Array.isArray(v)) problem = `${pyRepr(v)} is not of type 'array'`;
        break;
      case "minimum":
      case "maximum":
      case "exclusiveMinimum":
      case "exclusiveMaximum":
        if (!isNumber(v)) problem = `${pyRepr(v)} is not of type 'number'`;
        break;
      case "multipleOf":
        if (!isNumber(v)) problem = `${pyRepr(v)} is not of type 'number'`;
        else if (v <= 0) problem = `${pyRepr(v)} is less than or equal to the minimum of 0`;
        break;
      case "minLength":
      case "maxLength":
      case "minItems":
      case "maxItems":
      case "minProperties":
      case "maxProperties":
      case "minContains":
      case "maxContains":
        if (!isInteger(v)) problem = `${pyRepr(v)} is not of type 'integer'`;
        else if ((v as number) < 0) problem = `${pyRepr(v)} is less than the minimum of 0`;
        break;
      case "pattern":
        if (typeof v !== "string") problem = `${pyRepr(v)} is not of type 'string'`;
        else if (!pythonRegex(v)) problem = `${pyRepr(v)} is not a 'regex'`;
        break;
      case "title":
      case "description":
      case "$ref":
      case "format":
        if (typeof v !== "string") problem = `${pyRepr(v)} is not of type 'string'`;
        break;
      case "uniqueItems":
        if (typeof v !== "boolean") problem = `${pyRepr(v)} is not of type 'boolean'`;
        break;
      case "dependentRequired":
        if (!isDict(v)) problem = `${pyRepr(v)} is not of type 'object'`;
        else for (const names of Object.values(v)) problem ??= stringArrayProblem(names);
        break;
    }
    if (problem) return problem;
  }
  return null;
}

/** The metaschema's `stringArray`: unique strings. */
function stringArrayProblem(v: unknown): string | null {
  if (!Array.isArray(v)) return `${pyRepr(v)} is not of type 'array'`;
  const notString = v.find((r) => typeof r !== "string");
  if (notString !== undefined) return `${pyRepr(notString)} is not of type 'string'`;
  if (new Set(v).size !== v.length) return `${pyRepr(v)} has non-unique elements`;
  return null;
}
