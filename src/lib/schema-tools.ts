/**
 * Prefect's JSON-schema tooling (prefect.utilities.schema_tools) as the server uses it for
 * /ui/schemas/validate and for job variables: value hydration (`__prefect_kind` placeholders),
 * schema preprocessing, a Draft 2020-12 validator that reports every error with the messages of
 * Python's `jsonschema` (clients show them verbatim), and the UI's nested error object.
 */
import { pyStrRepr } from "./py-repr";
import { templateError } from "./jinja";

// ---------------------------------------------------------------------------------------------
// Python reprs, as the messages quote instances and schema values with them.

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  const s = String(n);
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return pyNumber(value);
  if (typeof value === "string") return pyStrRepr(value);
  if (value instanceof Placeholder) return `<${value.constructor.name} object>`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${pyStrRepr(k)}: ${pyRepr(v)}`).join(", ")}}`;
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Hydration of `__prefect_kind` values.

export class Placeholder {
  get isError(): boolean {
    return false;
  }
}
class RemoveValue extends Placeholder {}
export class ValidJinja extends Placeholder {
  constructor(readonly template: string) {
    super();
  }
}
export class WorkspaceVariable extends Placeholder {
  constructor(readonly variableName: unknown) {
    super();
  }
}
export class HydrationError extends Placeholder {
  constructor(readonly message: string) {
    super();
  }
  override get isError(): boolean {
    return true;
  }
}

const missingKey = (key: string) => new HydrationError(`Missing '${key}' key in __prefect object`);

export interface HydrationContext {
  /** Workspace variables by name; used when renderWorkspaceVariables. */
  workspaceVariables?: Record<string, unknown>;
  renderWorkspaceVariables?: boolean;
}

const isDict = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Placeholder);

function hydrateKind(kind: unknown, obj: Record<string, unknown>, ctx: HydrationContext): unknown {
  switch (kind) {
    case "none":
      return "value" in obj ? hydrateValue(obj.value, ctx) : missingKey("value");
    case "json": {
      if (!("value" in obj)) return new RemoveValue();
      const value = isDict(obj.value) ? hydrateValue(obj.value, ctx) : obj.value;
      if (value instanceof Placeholder || typeof value !== "string") return value;
      try {
        return parsePythonJson(value);
      } catch (err) {
        return new HydrationError(`Invalid JSON: ${(err as Error).message}`);
      }
    }
    case "jinja": {
      if (!("template" in obj)) return missingKey("template");
      const template = isDict(obj.template) ? hydrateValue(obj.template, ctx) : obj.template;
      if (template instanceof Placeholder) return template;
      if (typeof template !== "string") return new HydrationError("Invalid jinja");
      const error = templateError(template);
      return error ? new HydrationError(`Invalid jinja: ${error.message}`) : new ValidJinja(template);
    }
    case "workspace_variable": {
      if (!("variable_name" in obj)) return new RemoveValue();
      const name = isDict(obj.variable_name) ? hydrateValue(obj.variable_name, ctx) : obj.variable_name;
      if (name instanceof Placeholder) return name;
      if (!ctx.renderWorkspaceVariables) return new WorkspaceVariable(name);
      const vars = ctx.workspaceVariables ?? {};
      if (typeof name === "string" && Object.hasOwn(vars, name)) return vars[name];
      return new HydrationError(`Variable '${String(name)}' not found in workspace.`);
    }
    default:
      return obj.value ?? null;
  }
}

function hydrateValue(obj: unknown, ctx: HydrationContext): unknown {
  if (isDict(obj) && "__prefect_kind" in obj) return hydrateKind(obj.__prefect_kind, obj, ctx);
  if (isDict(obj)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      const hydrated = hydrateValue(value, ctx);
      if (!(hydrated instanceof RemoveValue)) out[key] = hydrated;
    }
    return out;
  }
  if (Array.isArray(obj)) return obj.map((v) => hydrateValue(v, ctx)).filter((v) => !(v instanceof RemoveValue));
  return obj;
}

/** Prefect's `hydrate`: placeholders resolved, removed or left as Placeholder values. */
export function hydrate(obj: Record<string, unknown>, ctx: HydrationContext = {}): Record<string, unknown> {
  const out = hydrateValue(obj, ctx);
  return out instanceof RemoveValue ? {} : (out as Record<string, unknown>);
}

/** Every HydrationError within hydrated values, keyed by a dotted path (RunDeployment's check). */
export function collectHydrationErrors(hydrated: unknown, prefix = ""): [string, HydrationError][] {
  if (hydrated instanceof HydrationError) return [[prefix, hydrated]];
  if (hydrated instanceof Placeholder || !isDict(hydrated)) return [];
  const out: [string, HydrationError][] = [];
  for (const [key, value] of Object.entries(hydrated)) {
    if (isDict(value)) out.push(...collectHydrationErrors(value, `${prefix}${key}.`));
    else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        if (isDict(item)) out.push(...collectHydrationErrors(item, `${prefix}${key}[${index}].`));
        else if (item instanceof HydrationError) out.push([`${prefix}${key}[${index}]`, item]);
      });
    } else if (value instanceof HydrationError) out.push([`${prefix}${key}`, value]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Python's json.loads, with its error messages (`Expecting value: line 1 column 1 (char 0)`).

export function parsePythonJson(doc: string): unknown {
  let pos = 0;
  const fail = (msg: string, at: number): never => {
    const lineno = doc.slice(0, at).split("\n").length;
    const colno = at - doc.lastIndexOf("\n", at - 1);
    throw new Error(`${msg}: line ${lineno} column ${colno} (char ${at})`);
  };
  const ws = () => {
    while (pos < doc.length && " \t\n\r".includes(doc[pos])) pos++;
  };
  const value = (): unknown => {
    const ch = doc[pos];
    if (ch === '"') return string();
    if (ch === "{") return object();
    if (ch === "[") return array();
    for (const [lit, v] of [
      ["null", null],
      ["true", true],
      ["false", false],
      ["NaN", NaN],
      ["Infinity", Infinity],
      ["-Infinity", -Infinity],
    ] as const) {
      if (doc.startsWith(lit, pos)) {
        pos += lit.length;
        return v;
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(doc.slice(pos));
    if (m) {
      pos += m[0].length;
      return Number(m[0]);
    }
    return fail("Expecting value", pos);
  };
  const string = (): string => {
    const start = pos;
    pos++;
    let out = "";
    for (;;) {
      if (pos >= doc.length) fail("Unterminated string starting at", start);
      const ch = doc[pos];
      if (ch === '"') {
        pos++;
        return out;
      }
      if (ch === "\\") {
        const esc = doc[pos + 1];
        const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (esc === undefined) fail("Unterminated string starting at", start);
        if (esc in simple) {
          out += simple[esc];
          pos += 2;
        } else if (esc === "u") {
          const hex = doc.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("Invalid \\uXXXX escape", pos + 1);
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else fail("Invalid \\escape", pos);
        continue;
      }
      if (ch.charCodeAt(0) < 0x20) fail("Invalid control character at", pos);
      out += ch;
      pos++;
    }
  };
  const object = (): Record<string, unknown> => {
    pos++;
    const out: Record<string, unknown> = {};
    ws();
    if (doc[pos] === "}") {
      pos++;
      return out;
    }
    for (;;) {
      ws();
      if (doc[pos] !== '"') fail("Expecting property name enclosed in double quotes", pos);
      const key = string();
      ws();
      if (doc[pos] !== ":") fail("Expecting ':' delimiter", pos);
      pos++;
      ws();
      out[key] = value();
      ws();
      if (doc[pos] === "}") {
        pos++;
        return out;
      }
      if (doc[pos] !== ",") fail("Expecting ',' delimiter", pos);
      pos++;
    }
  };
  const array = (): unknown[] => {
    pos++;
    const out: unknown[] = [];
    ws();
    if (doc[pos] === "]") {
      pos++;
      return out;
    }
    for (;;) {
      ws();
      out.push(value());
      ws();
      if (doc[pos] === "]") {
        pos++;
        return out;
      }
      if (doc[pos] !== ",") fail("Expecting ',' delimiter", pos);
      pos++;
    }
  };
  ws();
  const result = value();
  ws();
  if (pos !== doc.length) fail("Extra data", pos);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Schema preprocessing, as Prefect's preprocess_schema (pydantic v1 schemas made Draft 2020-12).

type Schema = Record<string, any>;

function fixNullTyping(key: string, schema: Schema, required: unknown, allowNoneWithDefault: boolean): void {
  const requiredFields = Array.isArray(required) ? required : [];
  if (!requiredFields.includes(key) && "type" in schema && schema.type !== "null" && (!("default" in schema) || allowNoneWithDefault)) {
    schema.anyOf = [{ type: schema.type }, { type: "null" }];
    delete schema.type;
  }
}

function fixTupleItems(schema: Schema): void {
  if (Array.isArray(schema.items) && schema.items.length && !schema.prefixItems) {
    schema.prefixItems = structuredClone(schema.items);
    delete schema.items;
  }
}

function processProperties(properties: Schema, required: unknown, allowNoneWithDefault: boolean): void {
  let requiredFields = required;
  for (const [key, schema] of Object.entries(properties)) {
    if (!isDict(schema)) continue;
    fixNullTyping(key, schema, requiredFields, allowNoneWithDefault);
    fixTupleItems(schema);
    // As Prefect's: the nested object's required list also applies to the later siblings.
    if (isDict(schema.properties)) {
      requiredFields = schema.required ?? [];
      processProperties(schema.properties, requiredFields, false);
    }
  }
}

export function preprocessSchema(input: Schema, allowNoneWithDefault = false): Schema {
  const schema = structuredClone(input);
  if (isDict(schema.properties)) processProperties(schema.properties, schema.required ?? [], allowNoneWithDefault);
  if (isDict(schema.definitions)) {
    for (const definition of Object.values<any>(schema.definitions)) {
      if (!isDict(definition)) continue;
      if (isDict(definition.properties)) processProperties(definition.properties, definition.required ?? [], allowNoneWithDefault);
      // Block documents may be referenced by id.
      if ("block_type_slug" in definition) {
        schema.definitions[String(definition.title)] = {
          oneOf: [
            definition,
            {
              type: "object",
              properties: {
                $ref: {
                  oneOf: [
                    { type: "string", format: "uuid" },
                    { type: "object", additionalProperties: { type: "string" }, minProperties: 1 },
                  ],
                },
              },
              required: ["$ref"],
            },
          ],
        };
      }
    }
  }
  return schema;
}

/** Every `required` key removed, at any depth of nested objects (Prefect's remove_nested_keys). */
export function withoutRequired(obj: unknown): unknown {
  if (!isDict(obj)) return obj;
  return Object.fromEntries(Object.entries(obj).filter(([k]) => k !== "required").map(([k, v]) => [k, withoutRequired(v)]));
}

// ---------------------------------------------------------------------------------------------
// Schema check (the Draft 2020-12 metaschema, for the keywords clients send).

const SIMPLE_TYPES = ["array", "boolean", "integer", "null", "number", "object", "string"];

export class SchemaError extends Error {}
export class CircularSchemaRefError extends Error {}
export class UnresolvableRefError extends Error {}

const isNumber = (v: unknown) => typeof v === "number";
const isInteger = (v: unknown) => typeof v === "number" && Number.isInteger(v);
const isSchemaLike = (v: unknown) => isDict(v) || typeof v === "boolean";

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
        // Draft 2020-12 wants a schema; pydantic v1 tuples (lists) were turned into prefixItems.
        problem = Array.isArray(v) ? v.map(schemaProblem).find((p) => p) ?? null : schemaProblem(v);
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
        if (!Array.isArray(v)) problem = `${pyRepr(v)} is not of type 'array'`;
        else if (v.some((r) => typeof r !== "string")) problem = `${pyRepr(v.find((r) => typeof r !== "string"))} is not of type 'string'`;
        else if (new Set(v).size !== v.length) problem = `${pyRepr(v)} has non-unique elements`;
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
        else if (!compiles(v)) problem = `${pyRepr(v)} is not a 'regex'`;
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
        break;
    }
    if (problem) return problem;
  }
  return null;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    try {
      new RegExp(pattern);
      return true;
    } catch {
      return false;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Validation.

export interface ValueError {
  /** Where in the instance (jsonschema's relative_path). */
  path: (string | number)[];
  message: string;
  /** The keyword that failed (`_placeholders` for hydration errors). */
  validator: string;
  instance: unknown;
  /** The (sub)schema holding that keyword. */
  schema?: unknown;
}

const PLACEHOLDERS = "_placeholders";

function typeMatches(value: unknown, type: string): boolean {
  switch (type) {
    case "array":
      return Array.isArray(value);
    case "boolean":
      return typeof value === "boolean";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "null":
      return value === null;
    case "number":
      return typeof value === "number";
    case "object":
      return isDict(value);
    case "string":
      return typeof value === "string";
    default:
      throw new SchemaError(`Invalid schema: ${pyStrRepr(type)} is not valid under any of the given schemas`);
  }
}

/** jsonschema's `equal`: deep, and True is not 1. */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "string" || typeof b === "string") return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
  }
  return false;
}

/** String lengths count code points, as Python's len(). */
const strLen = (s: string) => [...s].length;

const FORMAT_CHECKS: Record<string, (v: string) => boolean> = {
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && validDate(v),
  "date-time": (v) => isDateTime(v.toUpperCase()),
  time: (v) => isDateTime(`1970-01-01T${v}`.toUpperCase()),
  uuid: (v) => /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(v),
  email: (v) => v.includes("@"),
  "idn-email": (v) => v.includes("@"),
  ipv4: (v) => /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(v),
  regex: (v) => compiles(v),
};

function validDate(v: string): boolean {
  const [y, m, d] = v.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return m >= 1 && m <= 12 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function isDateTime(v: string): boolean {
  const m = /^(\d{4})-(0[1-9]|1[0-2])-(\d{2})T(?:[01]\d|2[0123]):(?:[0-5]\d):(?:[0-5]\d)(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0123]):[0-5]\d)$/.exec(v);
  return !!m && validDate(`${m[1]}-${m[2]}-${m[3]}`);
}

class Validator {
  private refStack = new Set<string>();

  constructor(private readonly root: Schema | boolean) {}

  private resolve(ref: string): Schema | boolean {
    if (!ref.startsWith("#")) throw new UnresolvableRefError(`Unresolvable: ${ref}`);
    let target: any = this.root;
    const pointer = decodeURIComponent(ref.slice(1));
    if (pointer === "") return target;
    if (!pointer.startsWith("/")) throw new UnresolvableRefError(`Unresolvable: ${ref}`);
    for (const raw of pointer.slice(1).split("/")) {
      const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
      if (Array.isArray(target) && /^\d+$/.test(part)) target = target[Number(part)];
      else if (isDict(target) && Object.hasOwn(target, part)) target = target[part];
      else throw new UnresolvableRefError(`Unresolvable: ${ref}`);
    }
    if (!isSchemaLike(target)) throw new UnresolvableRefError(`Unresolvable: ${ref}`);
    return target;
  }

  isValid(instance: unknown, schema: unknown, path: (string | number)[]): boolean {
    return this.errors(instance, schema, path).next().done === true;
  }

  *errors(instance: unknown, schema: unknown, path: (string | number)[]): Generator<ValueError> {
    if (schema === true) return;
    if (schema === false) {
      yield { path, message: `False schema does not allow ${pyRepr(instance)}`, validator: "false", instance };
      return;
    }
    if (!isDict(schema)) return;
    const s = schema as Schema;
    for (const [key, v] of Object.entries(s)) yield* this.keyword(key, v, instance, s, path);
    if (instance instanceof HydrationError) yield { path, message: instance.message, validator: PLACEHOLDERS, instance };
  }

  private *keyword(key: string, v: any, instance: unknown, schema: Schema, path: (string | number)[]): Generator<ValueError> {
    const err = (message: string): ValueError => ({ path, message, validator: key, instance, schema });
    const isObj = isDict(instance);
    const isArr = Array.isArray(instance);
    switch (key) {
      case "$ref": {
        if (typeof v !== "string") return;
        const id = `${v}@${JSON.stringify(path)}`;
        if (this.refStack.has(id) || this.refStack.size > 256) throw new CircularSchemaRefError();
        this.refStack.add(id);
        try {
          yield* this.errors(instance, this.resolve(v), path);
        } finally {
          this.refStack.delete(id);
        }
        return;
      }
      case "type": {
        const types: string[] = Array.isArray(v) ? v : [v];
        if (!types.some((t) => typeMatches(instance, t))) yield err(`${pyRepr(instance)} is not of type ${types.map(pyStrRepr).join(", ")}`);
        return;
      }
      case "properties":
        if (!isObj || !isDict(v)) return;
        for (const [prop, sub] of Object.entries(v)) if (Object.hasOwn(instance, prop)) yield* this.errors(instance[prop], sub, [...path, prop]);
        return;
      case "patternProperties":
        if (!isObj || !isDict(v)) return;
        for (const [pattern, sub] of Object.entries(v)) {
          const re = safeRegex(pattern);
          for (const [k, val] of Object.entries(instance)) if (re?.test(k)) yield* this.errors(val, sub, [...path, k]);
        }
        return;
      case "additionalProperties": {
        if (!isObj) return;
        const props = isDict(schema.properties) ? schema.properties : {};
        const patterns = isDict(schema.patternProperties) ? Object.keys(schema.patternProperties).map(safeRegex) : [];
        const extras = Object.keys(instance).filter((k) => !Object.hasOwn(props, k) && !patterns.some((re) => re?.test(k)));
        if (isDict(v)) {
          for (const extra of extras) yield* this.errors(instance[extra], v, [...path, extra]);
        } else if (v === false && extras.length) {
          const sorted = [...extras].sort();
          if ("patternProperties" in schema) {
            const pats = Object.keys(schema.patternProperties ?? {}).sort().map(pyStrRepr).join(", ");
            yield err(`${sorted.map(pyStrRepr).join(", ")} ${extras.length === 1 ? "does" : "do"} not match any of the regexes: ${pats}`);
          } else {
            yield err(`Additional properties are not allowed (${sorted.map(pyStrRepr).join(", ")} ${extras.length === 1 ? "was" : "were"} unexpected)`);
          }
        }
        return;
      }
      case "propertyNames":
        if (!isObj) return;
        for (const prop of Object.keys(instance)) yield* this.errors(prop, v, path);
        return;
      case "required":
        if (!isObj || !Array.isArray(v)) return;
        for (const prop of v) if (!Object.hasOwn(instance, prop)) yield err(`${pyRepr(prop)} is a required property`);
        return;
      case "dependentRequired":
        if (!isObj || !isDict(v)) return;
        for (const [prop, deps] of Object.entries<any>(v)) {
          if (!Object.hasOwn(instance, prop) || !Array.isArray(deps)) continue;
          for (const each of deps) if (!Object.hasOwn(instance, each)) yield err(`${pyRepr(each)} is a dependency of ${pyRepr(prop)}`);
        }
        return;
      case "dependentSchemas":
        if (!isObj || !isDict(v)) return;
        for (const [prop, sub] of Object.entries(v)) if (Object.hasOwn(instance, prop)) yield* this.errors(instance, sub, path);
        return;
      case "minProperties":
        if (isObj && Object.keys(instance).length < v) yield err(`${pyRepr(instance)} ${v === 1 ? "should be non-empty" : "does not have enough properties"}`);
        return;
      case "maxProperties":
        if (isObj && Object.keys(instance).length > v) yield err(`${pyRepr(instance)} ${v === 0 ? "is expected to be empty" : "has too many properties"}`);
        return;
      case "items": {
        if (!isArr) return;
        const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems.length : 0;
        const extra = instance.length - prefix;
        if (extra <= 0) return;
        if (v === false) {
          const rest = extra !== 1 ? instance.slice(prefix) : instance[prefix];
          yield err(`Expected at most ${prefix} ${prefix !== 1 ? "items" : "item"} but found ${extra} extra: ${pyRepr(rest)}`);
        } else {
          for (let i = prefix; i < instance.length; i++) yield* this.errors(instance[i], v, [...path, i]);
        }
        return;
      }
      case "prefixItems":
        if (!isArr || !Array.isArray(v)) return;
        for (let i = 0; i < Math.min(instance.length, v.length); i++) yield* this.errors(instance[i], v[i], [...path, i]);
        return;
      case "contains": {
        if (!isArr) return;
        const min = schema.minContains ?? 1;
        const max = schema.maxContains ?? instance.length;
        let matches = 0;
        for (const each of instance) {
          if (this.isValid(each, v, path)) {
            matches += 1;
            if (matches > max) {
              yield { ...err(`Too many items match the given schema (expected at most ${max})`), validator: "maxContains" };
              return;
            }
          }
        }
        if (matches < min) {
          if (!matches) yield err(`${pyRepr(instance)} does not contain items matching the given schema`);
          else yield { ...err(`Too few items match the given schema (expected at least ${min} but only ${matches} matched)`), validator: "minContains" };
        }
        return;
      }
      case "minItems":
        if (isArr && instance.length < v) yield err(`${pyRepr(instance)} ${v === 1 ? "should be non-empty" : "is too short"}`);
        return;
      case "maxItems":
        if (isArr && instance.length > v) yield err(`${pyRepr(instance)} ${v === 0 ? "is expected to be empty" : "is too long"}`);
        return;
      case "uniqueItems":
        if (v && isArr && instance.some((x, i) => instance.some((y, j) => j > i && equal(x, y)))) yield err(`${pyRepr(instance)} has non-unique elements`);
        return;
      case "minLength":
        if (typeof instance === "string" && strLen(instance) < v) yield err(`${pyRepr(instance)} ${v === 1 ? "should be non-empty" : "is too short"}`);
        return;
      case "maxLength":
        if (typeof instance === "string" && strLen(instance) > v) yield err(`${pyRepr(instance)} ${v === 0 ? "is expected to be empty" : "is too long"}`);
        return;
      case "pattern":
        if (typeof instance === "string" && typeof v === "string" && !safeRegex(v)?.test(instance)) yield err(`${pyRepr(instance)} does not match ${pyStrRepr(v)}`);
        return;
      case "format": {
        const check = FORMAT_CHECKS[v];
        if (check && typeof instance === "string" && !check(instance)) yield err(`${pyRepr(instance)} is not a ${pyStrRepr(v)}`);
        return;
      }
      case "minimum":
        if (typeof instance === "number" && instance < v) yield err(`${pyRepr(instance)} is less than the minimum of ${pyRepr(v)}`);
        return;
      case "maximum":
        if (typeof instance === "number" && instance > v) yield err(`${pyRepr(instance)} is greater than the maximum of ${pyRepr(v)}`);
        return;
      case "exclusiveMinimum":
        if (typeof instance === "number" && instance <= v) yield err(`${pyRepr(instance)} is less than or equal to the minimum of ${pyRepr(v)}`);
        return;
      case "exclusiveMaximum":
        if (typeof instance === "number" && instance >= v) yield err(`${pyRepr(instance)} is greater than or equal to the maximum of ${pyRepr(v)}`);
        return;
      case "multipleOf":
        if (typeof instance === "number" && typeof v === "number" && v > 0) {
          const q = instance / v;
          if (!Number.isInteger(q) && Math.abs(q - Math.round(q)) > 1e-9) yield err(`${pyRepr(instance)} is not a multiple of ${pyNumber(v)}`);
        }
        return;
      case "enum":
        if (Array.isArray(v) && !v.some((e) => equal(e, instance))) yield err(`${pyRepr(instance)} is not one of ${pyRepr(v)}`);
        return;
      case "const":
        if (!equal(instance, v)) yield err(`${pyRepr(v)} was expected`);
        return;
      case "allOf":
        if (!Array.isArray(v)) return;
        for (const sub of v) yield* this.errors(instance, sub, path);
        return;
      case "anyOf":
        if (!Array.isArray(v)) return;
        if (!v.some((sub) => this.isValid(instance, sub, path))) yield err(`${pyRepr(instance)} is not valid under any of the given schemas`);
        return;
      case "oneOf": {
        if (!Array.isArray(v)) return;
        const valid = v.filter((sub) => this.isValid(instance, sub, path));
        if (!valid.length) yield err(`${pyRepr(instance)} is not valid under any of the given schemas`);
        else if (valid.length > 1) {
          const [first, ...more] = valid;
          yield err(`${pyRepr(instance)} is valid under each of ${[...more, first].map(pyRepr).join(", ")}`);
        }
        return;
      }
      case "not":
        if (this.isValid(instance, v, path)) yield err(`${pyRepr(instance)} should not be valid under ${pyRepr(v)}`);
        return;
      case "if":
        if (this.isValid(instance, v, path)) {
          if ("then" in schema) yield* this.errors(instance, schema.then, path);
        } else if ("else" in schema) yield* this.errors(instance, schema.else, path);
        return;
      default:
        return;
    }
  }
}

function safeRegex(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern, "u");
  } catch {
    try {
      return new RegExp(pattern);
    } catch {
      return null;
    }
  }
}

/**
 * Every error of `instance` against `schema`, in jsonschema's order. Throws
 * CircularSchemaRefError for self-referencing schemas and UnresolvableRefError for refs that
 * are not local (nothing is ever fetched).
 */
export function validate(
  instance: unknown,
  schema: Schema,
  opts: { preprocess?: boolean; ignoreRequired?: boolean; allowNoneWithDefault?: boolean } = {},
): ValueError[] {
  let s = opts.preprocess === false ? schema : preprocessSchema(schema, opts.allowNoneWithDefault ?? false);
  if (opts.ignoreRequired) s = withoutRequired(s) as Schema;
  return [...new Validator(s).errors(instance, s, [])];
}

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
