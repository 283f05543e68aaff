/**
 * A Draft 2020-12 validator that reports every error with the messages of Python's `jsonschema`
 * (clients show them verbatim), as Prefect's validator runs it: hydration errors reported where
 * they stand, nothing ever fetched.
 */
import { isDict, pyRepr, pyStrRepr, pythonRegex } from "../python";
import { FORMAT_CHECKS } from "./formats";
import { HydrationError } from "./hydration";
import { SchemaError } from "./metaschema";
import { preprocessSchema, type Schema, withoutRequired } from "./preprocess";

/** Prefect's message for a schema it cannot validate: self-referencing, or deep enough to exhaust the stack. */
export const CIRCULAR_SCHEMA_MESSAGE = "Invalid schema: Unable to validate schema with circular references.";

export class CircularSchemaRefError extends Error {
  constructor() {
    super(CIRCULAR_SCHEMA_MESSAGE);
  }
}
export class UnresolvableRefError extends Error {}

const isSchemaLike = (v: unknown) => isDict(v) || typeof v === "boolean";

export interface ValueError {
  /** Where in the instance (jsonschema's relative_path). */
  path: (string | number)[];
  message: string;
  /** The keyword that failed (`_placeholders` for hydration errors, null for a false schema). */
  validator: string | null;
  instance: unknown;
  /** The (sub)schema holding that keyword. */
  schema?: unknown;
  /** For anyOf and oneOf: the errors of the branches tried. */
  context?: ValueError[];
}

export const PLACEHOLDERS = "_placeholders";

export function typeMatches(value: unknown, type: string): boolean {
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

/**
 * How deep validation may recurse (schemas within schemas, through $refs). Python stops
 * jsonschema sooner (its recursion limit), which Prefect reports as CircularSchemaRefError; so
 * does this, instead of exhausting the stack.
 */
const MAX_DEPTH = 512;

class Validator {
  private refStack = new Set<string>();
  private depth = 0;

  constructor(
    private readonly root: Schema | boolean,
    private readonly checkFormats: boolean,
  ) {}

  private resolve(ref: string): Schema | boolean {
    if (!ref.startsWith("#")) throw new UnresolvableRefError(`Unresolvable: ${ref}`);
    let target: any = this.root;
    const pointer = decodeURIComponent(ref.slice(1));
    if (pointer === "") return target;
    if (!pointer.startsWith("/")) throw new UnresolvableRefError(`Unresolvable: ${ref}`);
    // As the `referencing` library words it (jsonschema prefixes its class name).
    const nowhere = () => new UnresolvableRefError(`PointerToNowhere: ${pyStrRepr(pointer)} does not exist within ${pyRepr(this.root)}`);
    for (const raw of pointer.slice(1).split("/")) {
      const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
      if (Array.isArray(target) && /^\d+$/.test(part) && Number(part) < target.length) target = target[Number(part)];
      else if (isDict(target) && Object.hasOwn(target, part)) target = target[part];
      else throw nowhere();
    }
    if (!isSchemaLike(target)) throw new UnresolvableRefError(`Unresolvable: ${ref}`);
    return target;
  }

  isValid(instance: unknown, schema: unknown, path: (string | number)[]): boolean {
    const errors = this.errors(instance, schema, path);
    try {
      return errors.next().done === true;
    } finally {
      // Closing the generator runs its `finally` blocks (the $ref stack and depth are unwound).
      errors.return(undefined);
    }
  }

  /**
   * The errors of a value one step down (`step`). As jsonschema's `descend`, a false schema's error
   * there keeps the parent's path.
   */
  private *descend(instance: unknown, schema: unknown, path: (string | number)[], step: string | number): Generator<ValueError> {
    if (schema === false) yield* this.errors(instance, schema, path);
    else yield* this.errors(instance, schema, [...path, step]);
  }

  *errors(instance: unknown, schema: unknown, path: (string | number)[]): Generator<ValueError> {
    if (this.depth >= MAX_DEPTH) throw new CircularSchemaRefError();
    this.depth++;
    try {
      yield* this.schemaErrors(instance, schema, path);
    } finally {
      this.depth--;
    }
  }

  private *schemaErrors(instance: unknown, schema: unknown, path: (string | number)[]): Generator<ValueError> {
    if (schema === true) return;
    if (schema === false) {
      yield { path, message: `False schema does not allow ${pyRepr(instance)}`, validator: null, instance };
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
        for (const [prop, sub] of Object.entries(v)) if (Object.hasOwn(instance, prop)) yield* this.descend(instance[prop], sub, path, prop);
        return;
      case "patternProperties":
        if (!isObj || !isDict(v)) return;
        for (const [pattern, sub] of Object.entries(v)) {
          const re = pythonRegex(pattern);
          for (const [k, val] of Object.entries(instance)) if (re?.test(k)) yield* this.descend(val, sub, path, k);
        }
        return;
      case "additionalProperties": {
        if (!isObj) return;
        const props = isDict(schema.properties) ? schema.properties : {};
        const patterns = isDict(schema.patternProperties) ? Object.keys(schema.patternProperties).map(pythonRegex) : [];
        const extras = Object.keys(instance).filter((k) => !Object.hasOwn(props, k) && !patterns.some((re) => re?.test(k)));
        if (isDict(v)) {
          for (const extra of extras) yield* this.descend(instance[extra], v, path, extra);
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
          for (let i = prefix; i < instance.length; i++) yield* this.descend(instance[i], v, path, i);
        }
        return;
      }
      case "prefixItems":
        if (!isArr || !Array.isArray(v)) return;
        for (let i = 0; i < Math.min(instance.length, v.length); i++) yield* this.descend(instance[i], v[i], path, i);
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
        if (typeof instance === "string" && typeof v === "string" && !pythonRegex(v)?.test(instance)) yield err(`${pyRepr(instance)} does not match ${pyStrRepr(v)}`);
        return;
      case "format": {
        const check = this.checkFormats ? FORMAT_CHECKS[v] : undefined;
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
          // As Python: a float divisor fails unless the quotient is whole, an int one unless the remainder is 0.
          const failed = Number.isInteger(v) ? instance % v !== 0 : !Number.isInteger(instance / v);
          if (failed) yield err(`${pyRepr(instance)} is not a multiple of ${pyRepr(v)}`);
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
      case "oneOf": {
        if (!Array.isArray(v)) return;
        // The branches' errors until one is valid: `best_match` looks into them.
        const context: ValueError[] = [];
        const firstValid = v.findIndex((sub) => {
          const errors = [...this.errors(instance, sub, path)];
          context.push(...errors);
          return errors.length === 0;
        });
        if (firstValid < 0) yield { ...err(`${pyRepr(instance)} is not valid under any of the given schemas`), context };
        else if (key === "oneOf") {
          const more = v.slice(firstValid + 1).filter((sub) => this.isValid(instance, sub, path));
          if (more.length) yield err(`${pyRepr(instance)} is valid under each of ${[...more, v[firstValid]].map(pyRepr).join(", ")}`);
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
      case "unevaluatedItems": {
        if (!isArr) return;
        const evaluated = new Set(this.evaluatedIndexes(instance, schema, path));
        const rest = instance.filter((_, i) => !evaluated.has(i));
        if (rest.length) yield err(`Unevaluated items are not allowed (${rest.map(pyRepr).join(", ")} ${rest.length === 1 ? "was" : "were"} unexpected)`);
        return;
      }
      case "unevaluatedProperties": {
        if (!isObj) return;
        const evaluated = new Set(this.evaluatedKeys(instance, schema, path));
        // As jsonschema: a key counted once per error its value has.
        const rest = Object.keys(instance).flatMap((k) => (evaluated.has(k) ? [] : [...this.descend(instance[k], v, path, k)].map(() => k)));
        if (!rest.length) return;
        if (v === false) {
          const sorted = [...rest].sort();
          yield err(`Unevaluated properties are not allowed (${sorted.map(pyStrRepr).join(", ")} ${rest.length === 1 ? "was" : "were"} unexpected)`);
        } else {
          yield err(`Unevaluated properties are not valid under the given schema (${rest.map(pyStrRepr).join(", ")} ${rest.length === 1 ? "was" : "were"} unevaluated and invalid)`);
        }
        return;
      }
      default:
        return;
    }
  }

  /** The array items some keyword of `schema` evaluated (jsonschema's find_evaluated_item_indexes_by_schema). */
  private evaluatedIndexes(instance: unknown[], schema: unknown, path: (string | number)[]): number[] {
    if (!isDict(schema)) return [];
    if ("items" in schema) return instance.map((_, i) => i);
    const out: number[] = [];
    if (typeof schema.$ref === "string") out.push(...this.evaluatedIndexes(instance, this.resolve(schema.$ref), path));
    if (Array.isArray(schema.prefixItems)) out.push(...schema.prefixItems.map((_: unknown, i: number) => i));
    if ("if" in schema) {
      if (this.isValid(instance, schema.if, path)) {
        out.push(...this.evaluatedIndexes(instance, schema.if, path));
        if ("then" in schema) out.push(...this.evaluatedIndexes(instance, schema.then, path));
      } else if ("else" in schema) out.push(...this.evaluatedIndexes(instance, schema.else, path));
    }
    for (const keyword of ["contains", "unevaluatedItems"]) {
      if (keyword in schema) instance.forEach((item, i) => this.isValid(item, schema[keyword], [...path, i]) && out.push(i));
    }
    for (const keyword of ["allOf", "oneOf", "anyOf"]) {
      for (const sub of Array.isArray(schema[keyword]) ? schema[keyword] : []) {
        if (this.isValid(instance, sub, path)) out.push(...this.evaluatedIndexes(instance, sub, path));
      }
    }
    return out;
  }

  /** The object keys some keyword of `schema` evaluated (jsonschema's find_evaluated_property_keys_by_schema). */
  private evaluatedKeys(instance: Record<string, unknown>, schema: unknown, path: (string | number)[]): string[] {
    if (!isDict(schema)) return [];
    const out: string[] = [];
    const keys = Object.keys(instance);
    if (typeof schema.$ref === "string") out.push(...this.evaluatedKeys(instance, this.resolve(schema.$ref), path));
    if (isDict(schema.properties)) out.push(...keys.filter((k) => Object.hasOwn(schema.properties, k)));
    for (const keyword of ["additionalProperties", "unevaluatedProperties"]) {
      if (schema[keyword] !== undefined && schema[keyword] !== null) out.push(...keys.filter((k) => this.isValid(instance[k], schema[keyword], [...path, k])));
    }
    if (isDict(schema.patternProperties)) {
      const patterns = Object.keys(schema.patternProperties).map(pythonRegex);
      out.push(...keys.filter((k) => patterns.some((re) => re?.test(k))));
    }
    if (isDict(schema.dependentSchemas)) {
      for (const [prop, sub] of Object.entries(schema.dependentSchemas)) if (Object.hasOwn(instance, prop)) out.push(...this.evaluatedKeys(instance, sub, path));
    }
    for (const keyword of ["allOf", "oneOf", "anyOf"]) {
      for (const sub of Array.isArray(schema[keyword]) ? schema[keyword] : []) {
        if (this.isValid(instance, sub, path)) out.push(...this.evaluatedKeys(instance, sub, path));
      }
    }
    if ("if" in schema) {
      if (this.isValid(instance, schema.if, path)) {
        out.push(...this.evaluatedKeys(instance, schema.if, path));
        if ("then" in schema) out.push(...this.evaluatedKeys(instance, schema.then, path));
      } else if ("else" in schema) out.push(...this.evaluatedKeys(instance, schema.else, path));
    }
    return out;
  }
}

export interface ValidateOptions {
  preprocess?: boolean;
  ignoreRequired?: boolean;
  allowNoneWithDefault?: boolean;
}

/**
 * Every error of `instance` against `schema`, in jsonschema's order (formats checked, as Prefect's
 * validator does unless it raises). Throws
 * CircularSchemaRefError for self-referencing schemas (or ones too deep for the stack) and
 * UnresolvableRefError for refs that are not local (nothing is ever fetched).
 */
export function validate(
  instance: unknown,
  schema: Schema,
  opts: ValidateOptions & { checkFormats?: boolean } = {},
): ValueError[] {
  let s = opts.preprocess === false ? schema : preprocessSchema(schema, opts.allowNoneWithDefault ?? false);
  if (opts.ignoreRequired) s = withoutRequired(s) as Schema;
  try {
    return [...new Validator(s, opts.checkFormats ?? true).errors(instance, s, [])];
  } catch (err) {
    // As Prefect turns jsonschema's RecursionError into CircularSchemaRefError.
    if (err instanceof RangeError) throw new CircularSchemaRefError();
    throw err;
  }
}

