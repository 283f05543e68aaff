import { ZERO_ID, type Fixtures } from "./no-500.fixtures";

/**
 * Hostile requests generated from an operation's request schema in our OpenAPI document: a
 * plausible body (required fields filled, ids of existing things), then that body with one field
 * at a time made hostile — an oversize string, a 10 000-element array, JSON nested to just within
 * the body limit — plus the body nested far beyond it, the body without a Content-Type, and
 * oversize query and path parameters.
 */
type Schema = Record<string, any>;

export interface HostileCase {
  name: string;
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, without a Content-Type header unless `contentType` says one. */
  rawBody?: string;
  contentType?: string;
}

export interface Operation {
  method: string;
  template: string;
  spec: Schema;
}

/** Above D1's 2 MB row (and local workerd's 2.2 MB). */
export const OVERSIZE = 2_300_000;
export const LONG_ARRAY = 10_000;
/** Deeper than a request body may nest (500). */
export const TOO_DEEP = 10_000;
type Path = (string | number)[];
/** How deep a value at `path` may nest for the body to stay within its 500 levels. */
const deepWithin = (path: Path) => 495 - path.length;
interface Field {
  at: Path;
  kind: "string" | "array" | "deep";
  schema: Schema;
  key: string;
}
const FORMATTED = new Set(["uuid", "date-time"]);
/** Fields that name a thing uniquely: each generated body gets its own value. */
const UNIQUE_FIELDS = new Set(["name", "slug", "key", "tag", "dynamic_key", "idempotency_key"]);
type Kind = "string" | "array" | "object";

export class CaseGenerator {
  private serial = 0;

  constructor(
    private readonly components: Record<string, Schema>,
    private readonly fixtures: Fixtures,
    private readonly pathParam: (template: string, name: string) => string,
  ) {}

  /** The request body's schema, or null. */
  bodySchema(op: Operation): Schema | null {
    return op.spec.requestBody?.content?.["application/json"]?.schema ?? null;
  }

  /**
   * The hostile requests for `op`; its fields' cases only where `owns(field.key)` — a field of a
   * shared component (a filter's `tags.any_`) is tried on the first operation that takes it, since
   * they share the code that handles it. `longListsElsewhere`: the operation's lists get no
   * 10 000-element case here, as test/routes/long-lists sends every list of it that long (and
   * compares the answer with the short list's).
   */
  cases(op: Operation, owns: (key: string) => boolean = () => true, { longListsElsewhere = false } = {}): HostileCase[] {
    const path = this.fillPath(op.template);
    const out: HostileCase[] = [];
    const query = (op.spec.parameters ?? []).filter((p: Schema) => p.in === "query");
    for (const q of query) out.push({ name: `query ${q.name} oversize`, path: `${path}?${q.name}=${"q".repeat(8_000)}` });
    for (const p of (op.spec.parameters ?? []).filter((p: Schema) => p.in === "path"))
      out.push({ name: `path ${p.name} oversize`, path: this.fillPath(op.template, { [p.name]: "p".repeat(8_000) }), body: this.bodySchema(op) ? {} : undefined });
    const schema = this.bodySchema(op);
    if (!schema) return [{ name: "no body", path }, ...out];
    // A fresh body for each case: names differ, so that creations do not collide.
    const plausible = this.fixtures.bodies[`${op.method} ${op.template}`];
    const base = () => (plausible ? plausible() : this.base(schema, []));
    out.push({ name: "plausible body", path, body: base() });
    out.push({ name: "no Content-Type", path, rawBody: JSON.stringify(base()) });
    out.push({ name: "no Content-Type, no body", path, rawBody: "" });
    out.push({ name: `nested ${TOO_DEEP} deep`, path, rawBody: withDeepList(base()), contentType: "application/json" });
    for (const { at, kind, schema: field, key } of this.fields(op)) {
      if (!owns(key)) continue;
      const label = at.join(".") || "(body)";
      if (kind === "string") out.push({ name: `${label}: oversize string`, path, body: setAt(base(), at, "s".repeat(OVERSIZE)) });
      if (kind === "array" && !longListsElsewhere) out.push({ name: `${label}: ${LONG_ARRAY} items`, path, body: setAt(base(), at, this.longArray(field, at)) });
      if (kind === "deep") out.push({ name: `${label}: nested deep`, path, body: setAt(base(), at, nested(deepWithin(at), {})) });
    }
    return out;
  }

  /**
   * Where `op`'s body can take a hostile value: strings (not a uuid or date-time, which their
   * format refuses whatever their length), arrays, and free-form objects or lists (the only places
   * deep values are taken), down to depth 4. Each keyed by the innermost named component holding
   * it, the path within, and the kind.
   */
  fields(op: Operation): Field[] {
    const schema = this.bodySchema(op);
    return schema ? this.walk(schema, [], 0, { name: `${op.method} ${op.template}`, base: 0 }) : [];
  }

  private walk(schema: Schema, at: Path, depth: number, owner: { name: string; base: number }): Field[] {
    if (depth > 4) return [];
    if (typeof schema.$ref === "string") owner = { name: schema.$ref, base: at.length };
    const key = (kind: string) => `${owner.name}:${at.slice(owner.base).join(".")}:${kind}`;
    const out: Field[] = [];
    const seen = new Set<string>();
    for (const branch of this.branches(schema)) {
      const kind = this.kindOf(branch);
      if (!kind || seen.has(kind)) continue;
      seen.add(kind);
      if (kind === "string" && !FORMATTED.has(branch.format)) out.push({ at, kind, schema: branch, key: key(kind) });
      if (kind === "array") out.push({ at, kind, schema: branch, key: key(kind) });
      if (kind === "object" && !branch.properties) out.push({ at, kind: "deep", schema: branch, key: key("deep") });
      if (kind === "object") for (const [name, sub] of Object.entries<Schema>(branch.properties ?? {})) out.push(...this.walk(sub, [...at, name], depth + 1, owner));
      if (kind === "array") out.push(...this.walk(branch.items ?? {}, [...at, 0], depth + 1, owner));
    }
    return out;
  }

  private fillPath(template: string, overrides: Record<string, string> = {}): string {
    return template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(overrides[name] ?? this.pathParam(template, name)));
  }

  private resolve(schema: Schema | undefined): Schema {
    let s = schema ?? {};
    for (let i = 0; i < 20 && typeof s.$ref === "string"; i++) s = this.components[s.$ref.split("/").pop()!] ?? {};
    return s;
  }

  /** The members of a union (or the schema itself), nulls left out; `type: [t, "null"]` read as t. */
  private branches(schema: Schema | undefined): Schema[] {
    const s = this.resolve(schema);
    const members = s.anyOf ?? s.oneOf;
    if (members) return members.flatMap((m: Schema) => this.branches(m)).filter((m: Schema) => m.type !== "null");
    if (Array.isArray(s.type)) return s.type.filter((t: string) => t !== "null").map((type: string) => ({ ...s, type }));
    return [s];
  }

  private kindOf(s: Schema): Kind | null {
    if (s.enum || s.const !== undefined) return null;
    if (s.type === "string") return "string";
    if (s.type === "array") return "array";
    if (s.type === "object" || s.properties || s.additionalProperties || s.type === undefined) return "object";
    return null;
  }

  /** A value the schema accepts, as far as a schema says: required fields filled, ids of fixtures. */
  base(schema: Schema | undefined, at: Path): unknown {
    const [s] = this.branches(schema);
    if (!s) return null;
    if (s.const !== undefined) return s.const;
    if (s.enum) return s.enum[0];
    if (s.default !== undefined && at.length > 0) return s.default;
    const name = String(at[at.length - 1] ?? "");
    switch (s.type) {
      case "string":
        if (s.format === "uuid") return this.idFor(name);
        if (s.format === "date-time") return new Date().toISOString();
        if (UNIQUE_FIELDS.has(name)) return `x${++this.serial}`;
        return "x".repeat(Math.max(1, s.minLength ?? 1));
      case "integer":
      case "number":
        return Math.max(1, s.minimum ?? 1, (s.exclusiveMinimum ?? 0) + 1);
      case "boolean":
        return false;
      case "array":
        // A body that is a list (logs, events, bulk creates) gets one item, for its fields to reach storage.
        return Array.from({ length: Math.max(s.minItems ?? 0, at.length ? 0 : 1) }, (_, i) => this.base(s.items, [...at, i]));
      default: {
        const out: Record<string, unknown> = {};
        for (const key of s.required ?? []) out[key] = this.base(s.properties?.[key], [...at, key]);
        return out;
      }
    }
  }

  private idFor(field: string): string {
    return this.fixtures.ids[field.replace(/_ids?$/, "")] ?? ZERO_ID;
  }

  private longArray(schema: Schema, at: Path): unknown[] {
    const item = this.base(schema.items, [...at, 0]);
    return Array.from({ length: LONG_ARRAY }, (_, i) => {
      if (typeof item !== "string") return item;
      if (/^[0-9a-f-]{36}$/.test(item)) return `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
      return `${item}${i}`;
    });
  }
}

/**
 * `body` as JSON text with a list nested TOO_DEEP levels in it (as text: JSON.stringify itself runs
 * out of stack this deep).
 */
function withDeepList(body: unknown): string {
  const deep = `${"[".repeat(TOO_DEEP)}${"]".repeat(TOO_DEEP)}`;
  const text = JSON.stringify(body);
  if (Array.isArray(body)) return `[${deep}${body.length ? `,${text.slice(1)}` : "]"}`;
  if (body && typeof body === "object") return `{"deep":${deep}${Object.keys(body).length ? `,${text.slice(1)}` : "}"}`;
  return deep;
}

/** `value` nested `depth` levels deep in single-key objects. */
function nested(depth: number, value: unknown): unknown {
  let v = value;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** A copy of `base` with `value` at `at` (containers made on the way). */
function setAt(base: unknown, at: Path, value: unknown): unknown {
  if (!at.length) return value;
  const [head, ...rest] = at;
  const container: any = Array.isArray(base) ? [...base] : base && typeof base === "object" ? { ...base } : typeof head === "number" ? [] : {};
  container[head!] = setAt(container[head!], rest, value);
  return container;
}
