import { expect } from "vitest";
import { api, unique } from "../helpers";

/**
 * Every list a filter body accepts, on every operation of our OpenAPI document that takes a
 * filter (or a list of ids or names to act on): never a 500, and on a small seeded world the same
 * answer as the same list cut to its few meaningful values. Lists are padded so that the padding
 * cannot change the answer: with values matching nothing (for any_, not_any_, prefixes, names,
 * ids …) or with copies of the meaningful values (for all_, enums and other values that cannot be
 * made up). Every statement runs under the D1 limit checker (on for the whole suite), so a list
 * bound one parameter per element, or a pattern over 50 bytes, fails here as it would in
 * production.
 *
 * Each list of each filter component (FlowRunFilterId.any_, EventNameFilter.prefix …) is sent
 * 10 000 elements long on the first operation that takes it (the same builders serve the
 * others); every operation then gets, per top-level body field, one body with all of its lists
 * MEDIUM long at once — past D1's 100 bound parameters, so a list bound one parameter per element
 * fails the checker there too — and every long-text operator 49 000 characters long, with `%`
 * and `_` in it (LIKE's wildcards, live in Prefect's like_).
 */
export const SHARDS = 3;
const LONG = 10_000;
const MEDIUM = 150;
const LONG_TEXT = 49_000;
const T0 = "2026-01-01T00:00:00.000000Z";

type Schema = Record<string, any>;
type Step = string | { item: true } | { key: string };
/** A list somewhere in a body: where it sits and what its elements are. */
interface ListSpot {
  path: Step[];
  field: string;
  items: Schema;
  /** The filter component holding it and the path from there: the same in every operation. */
  key: string;
  /** Sent LONG elements long here (the first operation taking it). */
  long?: boolean;
}
/** A long string operator (like_, a text query): where it sits. */
interface TextSpot {
  path: Step[];
  key: string;
  /** The schema's maxLength, when it has one (a longer text is the client's mistake: a 422). */
  max?: number;
  long?: boolean;
}
interface Owner {
  name: string;
  from: number;
}

/** The seeded world: its ids and its strings (names, tags, keys, state names, resource ids …). */
export interface World {
  ids: string[];
  strings: string[];
  tags: string[];
  poolName: string;
  queueName: string;
  queueId: string;
  runId: string;
}

const types = (s: Schema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

/** String operators that become a LIKE/GLOB-like match: sent 49 000 characters long. */
const TEXT_FIELDS = new Set(["like_", "query", "prefix", "startswith_"]);

const label = (path: Step[]) => path.map((s) => (typeof s === "string" ? s : "item" in s ? "[]" : `{${s.key}}`)).join(".");

function walk(doc: Schema, schema: Schema, path: Step[], owner: Owner, seen: Set<string>, lists: ListSpot[], texts: TextSpot[]): void {
  if (schema.$ref) {
    const name = schema.$ref.split("/").pop();
    if (seen.has(name)) return;
    return walk(doc, doc.components.schemas[name], path, { name, from: path.length }, new Set([...seen, name]), lists, texts);
  }
  for (const alt of schema.anyOf ?? []) walk(doc, alt, path, owner, seen, lists, texts);
  const field = String(path.at(-1) ?? "");
  const key = `${owner.name}:${label(path.slice(owner.from))}`;
  if (types(schema).includes("array")) {
    const items = schema.items ?? {};
    lists.push({ path, field, items, key });
    const resolved = items.$ref ? doc.components.schemas[items.$ref.split("/").pop()] : items;
    if (types(resolved).includes("object") || resolved.properties) walk(doc, items, [...path, { item: true }], owner, seen, lists, texts);
  }
  if (types(schema).includes("string") && TEXT_FIELDS.has(field)) texts.push({ path, key, max: schema.maxLength });
  for (const [k, v] of Object.entries<Schema>(schema.properties ?? {})) walk(doc, v, [...path, k], owner, seen, lists, texts);
  if (schema.additionalProperties && typeof schema.additionalProperties === "object")
    walk(doc, schema.additionalProperties, [...path, { key: "prefect.resource.id" }], owner, seen, lists, texts);
}

function setAt(body: any, path: Step[], value: unknown): any {
  const root = structuredClone(body);
  let node = root;
  path.forEach((step, i) => {
    const last = i === path.length - 1;
    const key = typeof step === "string" ? step : "key" in step ? step.key : 0;
    if (typeof step === "object" && "item" in step) {
      // Into the one element of a list of objects.
      if (!Array.isArray(node)) throw new Error("not a list");
    }
    if (last) node[key] = value;
    else {
      const next = path[i + 1];
      const wantsList = typeof next === "object" && "item" in next;
      if (node[key] === undefined || node[key] === null || Array.isArray(node[key]) !== wantsList) node[key] = wantsList ? [{}] : {};
      node = node[key];
    }
  });
  return root;
}

const resolve = (doc: Schema, s: Schema): Schema => (s.$ref ? resolve(doc, doc.components.schemas[s.$ref.split("/").pop()]) : s);

/** The few values of a list that mean something in the world, and the padding that cannot change the answer. */
function valuesFor(doc: Schema, spot: ListSpot, world: World, serial: () => number): { meaningful: unknown[]; pad: (i: number) => unknown; copies?: boolean } {
  const items = resolve(doc, spot.items);
  const copies = (meaningful: unknown[]) => ({ meaningful, pad: (i: number) => meaningful[i % meaningful.length], copies: true });
  // A pool's scheduled runs are asked for by queue names that must exist (else a 404).
  if (spot.field === "work_queue_names") return copies([world.queueName]);
  // Filters (e.g. EventRelatedFilter) as list elements: empty ones, each its own object.
  if (types(items).includes("object") || items.properties || items.anyOf) return { meaningful: [{}], pad: () => ({}), copies: true };
  if (items.prefixItems) {
    const n = serial();
    return { meaningful: [[world.strings[0], world.strings[1]]], pad: (i) => [`no-such-${n}-${i}`, "no-such-role"] };
  }
  if (items.enum) return copies(items.enum.slice(0, 2));
  if (types(items).includes("integer") || types(items).includes("number")) return { meaningful: [0, 20], pad: (i) => 1_000_000 + i };
  if (items.format === "date-time") return copies([T0]);
  if (spot.field === "all_") return copies(world.tags.slice(0, 1));
  if (items.format === "uuid") return { meaningful: world.ids, pad: () => crypto.randomUUID() };
  const n = serial();
  return { meaningful: world.strings, pad: (i) => `no-such-${n}-${i}` };
}

/** Operations whose answer is a pure read of the world: compared in full. */
const READS = /\/(filter|count|paginate|history|lateness|counts|count-by\/\{countable\}|count-deployments|next-runs|count-task-runs)$/;
/** Writes that select by filter: the filter also asks for a name no row has, so nothing is written. */
const GUARDED = /\/(bulk_delete|bulk_set_state)$/;
/** Writes that act on listed ids or names: the lists hold nothing that exists. */
const ACTS_ON_LISTS = /\/(get_scheduled_flow_runs|increment|decrement|increment-with-lease)$/;

function baseBody(path: string, world: World): Record<string, unknown> {
  const history = { history_start: "2025-12-31T00:00:00Z", history_end: "2026-01-02T00:00:00Z", history_interval_seconds: 3600 };
  if (path.endsWith("/history")) return history;
  if (path === "/events/count-by/{countable}") return { filter: {} };
  if (path === "/flow_runs/{id}/input/filter") return { prefix: "k" };
  if (path === "/flow_runs/bulk_set_state") return { state: { type: "CANCELLED" } };
  if (path === "/deployments/get_scheduled_flow_runs") return { deployment_ids: [] };
  if (path.startsWith("/v2/concurrency_limits/")) return { slots: 1, names: [] };
  if (path.startsWith("/concurrency_limits/")) return { names: [], task_run_id: world.runId };
  if (path === "/ui/flows/count-deployments" || path === "/ui/flows/next-runs") return { flow_ids: [] };
  if (path === "/ui/flow_runs/count-task-runs") return { flow_run_ids: [] };
  if (path === "/ui/task_runs/dashboard/counts") return { task_runs: { start_time: { after_: "2025-12-31T00:00:00Z" } } };
  return {};
}

function pathOf(template: string, world: World): string {
  return template
    .replace("{countable}", "event")
    .replace(/\{(work_pool_name|name)\}/, world.poolName)
    .replace("/work_queues/{id}", `/work_queues/${world.queueId}`)
    .replace(/\{id\}/, world.runId);
}

export interface FilterOperation {
  template: string;
  kind: "read" | "guarded" | "lists";
  lists: ListSpot[];
  texts: TextSpot[];
  doc: Schema;
}

/** The filter operations of the document, with the lists and long-text operators of their bodies. */
export async function filterOperations(): Promise<FilterOperation[]> {
  const doc = (await api("GET", "/openapi.json")).body;
  const out: FilterOperation[] = [];
  const seen = new Set<string>();
  for (const [template, methods] of Object.entries<Record<string, any>>(doc.paths)) {
    const schema = methods.post?.requestBody?.content?.["application/json"]?.schema;
    if (!schema) continue;
    const kind = READS.test(template) ? "read" : GUARDED.test(template) ? "guarded" : ACTS_ON_LISTS.test(template) ? "lists" : null;
    if (!kind) continue;
    const lists: ListSpot[] = [];
    const texts: TextSpot[] = [];
    walk(doc, schema, [], { name: template, from: 0 }, new Set(), lists, texts);
    for (const spot of [...lists, ...texts]) {
      spot.long = !seen.has(spot.key);
      seen.add(spot.key);
    }
    if (lists.length || texts.length) out.push({ template, kind, lists, texts, doc });
  }
  return out;
}

/** A guard no row meets, on a field the generated list does not use. */
function guarded(template: string, body: any, path: Step[]): any {
  if (!template.endsWith("/bulk_delete") && !template.endsWith("/bulk_set_state")) return body;
  const resource = template.startsWith("/flows/") ? "flows" : template.startsWith("/deployments/") ? "deployments" : "flow_runs";
  const field = path[0] === resource && path[1] === "name" ? "id" : "name";
  const value = field === "id" ? [crypto.randomUUID()] : [unique("no-such-name")];
  return setAt(body, [resource, field, "any_"], value);
}

/** What must be equal: /flow_runs/lateness depends on the time of asking; answers per asked id only for the ids of the short list. */
function comparable(template: string, res: { body: any }, keys?: string[]): unknown {
  if (template.endsWith("/lateness")) return typeof res.body;
  if (keys && res.body && typeof res.body === "object" && !Array.isArray(res.body))
    return Object.fromEntries(keys.map((k) => [k, res.body[k]]));
  return res.body;
}

interface Case {
  label: string;
  short: any;
  long: any;
}

/** Checks one operation: its lists long, its long-text operators 49 000 characters. */
export async function checkOperation(op: FilterOperation, world: World): Promise<string[]> {
  let n = 0;
  const serial = () => (n += 1);
  const base = baseBody(op.template, world);
  const guard = (body: any, path: Step[]) => (op.kind === "guarded" ? guarded(op.template, body, path) : body);
  const lists = (spot: ListSpot, length: number) => {
    const { meaningful, pad, copies } = valuesFor(op.doc, spot, world, serial);
    const few = op.kind === "lists" && !copies ? [pad(0), pad(1)] : meaningful;
    return { few, many: [...few, ...Array.from({ length: length - few.length }, (_, i) => pad(i + 2))] };
  };
  // With LIKE's wildcards in it: a pattern past 50 bytes that SQLite may not run itself.
  const longText = (spot: TextSpot) => `no-such-${"te_t%".repeat(LONG_TEXT / 5)}`.slice(0, spot.max ?? LONG_TEXT);
  const cases: Case[] = [];
  for (const spot of op.lists.filter((l) => l.long)) {
    const { few, many } = lists(spot, LONG);
    cases.push({ label: `${label(spot.path)} (${LONG})`, short: guard(setAt(base, spot.path, few), spot.path), long: guard(setAt(base, spot.path, many), spot.path) });
  }
  for (const spot of op.texts.filter((t) => t.long)) {
    const long = longText(spot);
    cases.push({ label: `${label(spot.path)} (${long.length} characters)`, short: guard(setAt(base, spot.path, "no-such-text"), spot.path), long: guard(setAt(base, spot.path, long), spot.path) });
  }
  const groups = new Set([...op.lists, ...op.texts].map((s) => s.path[0]));
  for (const group of groups) {
    let short = base;
    let long = base;
    for (const spot of op.lists.filter((l) => l.path[0] === group)) {
      const { few, many } = lists(spot, MEDIUM);
      short = setAt(short, spot.path, few);
      long = setAt(long, spot.path, many);
    }
    for (const spot of op.texts.filter((t) => t.path[0] === group)) {
      short = setAt(short, spot.path, "no-such-text");
      long = setAt(long, spot.path, longText(spot));
    }
    cases.push({ label: `every list of ${String(group)} at once (${MEDIUM})`, short: guard(short, []), long: guard(long, []) });
  }
  const failures: string[] = [];
  const path = pathOf(op.template, world);
  for (const c of cases) {
    const short = await api("POST", path, c.short);
    const long = await api("POST", path, c.long);
    const where = `POST ${op.template} ${c.label}`;
    const keys = short.body && typeof short.body === "object" && !Array.isArray(short.body) ? Object.keys(short.body) : undefined;
    if (long.status >= 500) failures.push(`${where} → ${long.status} ${long.text.slice(0, 300)}`);
    else if (short.status !== long.status) failures.push(`${where} → ${long.status}, but ${short.status} for the short list: ${long.text.slice(0, 200)}`);
    else if (short.status >= 400) failures.push(`${where} → ${short.status} for the short list too (fix the generated body): ${short.text.slice(0, 200)}`);
    else if (op.kind !== "lists" && JSON.stringify(comparable(op.template, long, keys)) !== JSON.stringify(comparable(op.template, short, keys)))
      failures.push(`${where}: long ${long.text.slice(0, 200)} ≠ short ${short.text.slice(0, 200)}`);
  }
  return failures;
}

/** A small world every filter can find something in. */
export async function seedWorld(): Promise<World> {
  const u = unique("ll");
  const tags = [`${u}-ta`, `${u}-tb`];
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await api(method, path, body);
    expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
    return res.body;
  };
  const pool = await ok("POST", "/work_pools/", { name: `${u}-pool`, type: "process" });
  const queue = await ok("POST", `/work_pools/${pool.name}/queues`, { name: `${u}-queue` });
  const flow = await ok("POST", "/flows/", { name: `${u}-flow`, tags });
  const deployment = await ok("POST", "/deployments/", { name: `${u}-dep`, flow_id: flow.id, work_pool_name: pool.name, work_queue_name: queue.name, tags });
  const run = await ok("POST", "/flow_runs/", { flow_id: flow.id, deployment_id: deployment.id, name: `${u}-run`, tags, state: { type: "SCHEDULED", name: "Scheduled" } });
  const task = await ok("POST", "/task_runs/", { flow_run_id: run.id, task_key: `${u}-task`, dynamic_key: "0", name: `${u}-task`, tags, state: { type: "COMPLETED" } });
  await ok("POST", "/logs/", [{ name: `${u}-logger`, level: 20, message: `${u} message`, timestamp: T0, flow_run_id: run.id, task_run_id: task.id }]);
  const artifact = await ok("POST", "/artifacts/", { key: `${u}-key`, type: "markdown", data: "x", flow_run_id: run.id, task_run_id: task.id });
  const variable = await ok("POST", "/variables/", { name: `${u}-var`, value: 1, tags });
  const blockType = await ok("POST", "/block_types/", { name: `${u}-bt`, slug: `${u}-bt` });
  const blockSchema = await ok("POST", "/block_schemas/", { block_type_id: blockType.id, fields: { properties: {} }, capabilities: [`${u}-cap`] });
  const block = await ok("POST", "/block_documents/", { name: `${u}-block`, block_type_id: blockType.id, block_schema_id: blockSchema.id, data: {} });
  const automation = await ok("POST", "/automations/", { name: `${u}-auto`, tags, trigger: { type: "event", posture: "Reactive", threshold: 1, within: 0, expect: [`${u}.event`] }, actions: [{ type: "do-nothing" }] });
  await ok("POST", "/v2/concurrency_limits/", { name: `${u}-limit`, limit: 5 });
  await ok("POST", "/concurrency_limits/", { tag: tags[0], concurrency_limit: 5 });
  const resourceId = `prefect.flow-run.${run.id}`;
  await ok("POST", "/events", [
    {
      id: crypto.randomUUID(),
      occurred: new Date().toISOString(),
      event: `${u}.event`,
      resource: { "prefect.resource.id": resourceId, "prefect.resource.name": `${u}-run` },
      related: [{ "prefect.resource.id": `prefect.flow.${flow.id}`, "prefect.resource.role": "flow" }],
      payload: {},
    },
  ]);
  return {
    ids: [pool.id, queue.id, flow.id, deployment.id, run.id, task.id, artifact.id, variable.id, blockType.id, blockSchema.id, block.id, automation.id],
    strings: [resourceId, "flow", `prefect.flow.${flow.id}`, ...tags, pool.name, queue.name, flow.name, deployment.name, `${u}-run`, `${u}-task`, `${u}-key`, `${u}-var`, `${u}-bt`, `${u}-block`, `${u}-auto`, `${u}-limit`, `${u}-cap`, `${u}.event`, "Scheduled", "Completed", "process", "markdown", "prefect.flow-run"],
    tags,
    poolName: pool.name,
    queueName: queue.name,
    queueId: queue.id,
    runId: run.id,
  };
}
