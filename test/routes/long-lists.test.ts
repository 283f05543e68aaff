import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";
import { poolWithQueue, scheduledRuns } from "../fixtures/pools";

/** D1 binds at most 100 parameters per statement; lists longer than that must still work. */
describe("lists longer than D1's parameter limit", () => {
  it("filters by 150 ids", async () => {
    const flow = (await api("POST", "/flows/", { name: unique("long") })).body;
    const run = (await api("POST", "/flow_runs/", { flow_id: flow.id })).body;
    const ids = Array.from({ length: 150 }, () => crypto.randomUUID());
    const res = await api("POST", "/flow_runs/filter", { flow_runs: { id: { any_: [...ids, run.id] } } });
    expect(res.status).toBe(200);
    expect(res.body.map((r: any) => r.id)).toEqual([run.id]);
    const not = await api("POST", "/flow_runs/count", { flow_runs: { id: { not_any_: [...ids, run.id] } }, flows: { id: { any_: [flow.id] } } });
    expect(not.body).toBe(0);
  });

  it("answers a 200-holder page of concurrency_status", async () => {
    const { pool, queue } = await poolWithQueue();
    await scheduledRuns(queue, pool.name, 120);
    await env.DB.prepare(`UPDATE flow_run SET state_type = 'RUNNING' WHERE work_queue_id = ?`).bind(queue.id).run();
    const res = await api("POST", `/work_queues/${queue.id}/concurrency_status`, { page: 1, limit: 200 });
    expect(res.status).toBe(200);
    expect(res.body.flow_runs).toHaveLength(120);
  });
});

/**
 * Substring filters never hand D1 a LIKE pattern over 50 bytes (production refuses it), whatever
 * the length of the text asked for, and keep Prefect's meaning: case-insensitive, `%` and `_` live.
 */
describe("49 000-character substring filters", () => {
  const body = Array.from({ length: 12_500 }, (_, i) => `w${i % 10}x${i % 7}`).join("").slice(0, 49_000);
  const middle = body.slice(1_000, 48_000);

  it("like_ finds a flow by a long part of its name, case-insensitively, wildcards live", async () => {
    const name = unique(`LONG-${body}-`);
    const flow = (await api("POST", "/flows/", { name })).body;
    const found = async (like_: string) => (await api("POST", "/flows/filter", { flows: { name: { like_ } } })).body.map((f: any) => f.id);
    expect(await found(middle)).toEqual([flow.id]);
    expect(await found(middle.toUpperCase())).toEqual([flow.id]);
    expect(await found(`${middle.slice(0, 20_000)}_${middle.slice(20_001)}`)).toEqual([flow.id]);
    expect(await found(`${middle.slice(0, 20_000)}%${middle.slice(30_000)}`)).toEqual([flow.id]);
    expect(await found(`${middle.slice(0, 20_000)}__${middle.slice(20_001)}`)).toEqual([]);
    expect(await found(`${middle}!`)).toEqual([]);
    expect(await found("%")).toContain(flow.id);
  });

  it("log text search with terms over 50 bytes (a query holds at most 200 characters)", async () => {
    const flow = (await api("POST", "/flows/", { name: unique("logs") })).body;
    const run = (await api("POST", "/flow_runs/", { flow_id: flow.id })).body;
    const message = `${body} end`;
    expect((await api("POST", "/logs/", [{ name: "long", level: 20, message, timestamp: new Date().toISOString(), flow_run_id: run.id }])).status).toBe(201);
    const messages = async (query: string) =>
      (await api("POST", "/logs/filter", { logs: { flow_run_id: { any_: [run.id] }, text: { query } } })).body.map((l: any) => l.message);
    expect(await messages(middle.slice(0, 190))).toEqual([message]);
    expect(await messages(`-${middle.slice(0, 190)}`)).toEqual([]);
    expect(await messages(`${middle.slice(0, 90)}_${middle.slice(91, 190)}`)).toEqual([message]);
    expect(await messages(`+${middle.slice(0, 90)} +${middle.slice(100, 190).toUpperCase()}`)).toEqual([message]);
    expect(await messages(`+${middle.slice(0, 90)} +${middle.slice(101, 190)}!`)).toEqual([]);
  });

  it("flow run input keys by a prefix over 50 bytes, wildcards live", async () => {
    const flow = (await api("POST", "/flows/", { name: unique("inputs") })).body;
    const run = (await api("POST", "/flow_runs/", { flow_id: flow.id })).body;
    const key = `${body.slice(0, 120)}-key`;
    expect((await api("POST", `/flow_runs/${run.id}/input`, { key, value: "1" })).status).toBe(201);
    const keys = async (prefix: string) => (await api("POST", `/flow_runs/${run.id}/input/filter`, { prefix })).body.map((i: any) => i.key);
    expect(await keys(body.slice(0, 100))).toEqual([key]);
    expect(await keys(`${body.slice(0, 50)}_${body.slice(51, 100)}`)).toEqual([key]);
    expect(await keys(body.slice(1, 100))).toEqual([]);
  });

  it("work queue startswith_ with long prefixes", async () => {
    const pool = (await api("POST", "/work_pools/", { name: unique("pool"), type: "process" })).body;
    const name = `${body.slice(0, 5_000)}-${unique("q")}`;
    const queue = (await api("POST", `/work_pools/${pool.name}/queues`, { name })).body;
    const names = async (startswith_: string[]) =>
      (await api("POST", `/work_pools/${pool.name}/queues/filter`, { work_queues: { name: { startswith_ } } })).body.map((q: any) => q.id);
    expect(await names([body.slice(0, 4_000).toUpperCase()])).toEqual([queue.id]);
    expect(await names(["nothing", `${body.slice(0, 100)}_${body.slice(101, 4_000)}`])).toEqual([queue.id]);
    expect(await names([body.slice(1, 4_000)])).toEqual([]);
  });

  it("event label patterns over 50 bytes, plain or with wildcards", async () => {
    const runId = crypto.randomUUID();
    const resourceId = `prefect.flow-run.${runId}`;
    const event = { id: crypto.randomUUID(), occurred: new Date().toISOString(), event: unique("long.label"), resource: { "prefect.resource.id": resourceId }, related: [], payload: {} };
    expect((await api("POST", "/events", [event])).status).toBeLessThan(300);
    const ids = async (labels: Record<string, string | string[]>) =>
      (await api("POST", "/events/filter", { filter: { event: { name: [event.event] }, resource: { labels } } })).body.events.map((e: any) => e.id);
    expect(await ids({ "prefect.resource.id": resourceId })).toEqual([event.id]);
    expect(await ids({ "prefect.resource.id": `prefect.flow-run.${runId.slice(0, 30)}*` })).toEqual([event.id]);
    expect(await ids({ "prefect.resource.id": `prefect.flow-run.${runId.slice(0, 30)}?${runId.slice(31)}` })).toEqual([event.id]);
    expect(await ids({ "prefect.resource.id": [`!prefect.flow-run.${runId.slice(0, 30)}*`] })).toEqual([]);
    expect(await ids({ "prefect.resource.id": `prefect.flow-run.${runId.toUpperCase()}` })).toEqual([]);
  });

  it("event label specs with 150 labels", async () => {
    const labels = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`label.${i}`, `value-${i}`]));
    const event = { id: crypto.randomUUID(), occurred: new Date().toISOString(), event: unique("many.labels"), resource: { "prefect.resource.id": `x.${crypto.randomUUID()}`, ...labels }, related: [], payload: {} };
    expect((await api("POST", "/events", [event])).status).toBeLessThan(300);
    const ids = async (spec: Record<string, string | string[]>) =>
      (await api("POST", "/events/filter", { filter: { event: { name: [event.event] }, resource: { labels: spec } } })).body.events.map((e: any) => e.id);
    expect(await ids(labels)).toEqual([event.id]);
    expect(await ids(Object.fromEntries(Object.keys(labels).map((k, i) => [k, [`nothing-${i}`, i % 2 ? "value-*" : "!nothing"]])))).toEqual([event.id]);
    expect(await ids({ ...labels, "label.7": "value-8" })).toEqual([]);
    expect(await ids({ ...labels, "label.missing": "!anything" })).toEqual([]);
  });
});

describe("bulk deletes by 10 000 ids", () => {
  it.each([
    ["flows", "/flows/bulk_delete"],
    ["flow_runs", "/flow_runs/bulk_delete"],
    ["deployments", "/deployments/bulk_delete"],
  ] as const)("%s: deletes exactly the existing one", async (key, path) => {
    const flow = (await api("POST", "/flows/", { name: unique("bulk") })).body;
    const other = (await api("POST", "/flows/", { name: unique("bulk") })).body;
    const target =
      key === "flows"
        ? flow
        : key === "flow_runs"
          ? (await api("POST", "/flow_runs/", { flow_id: flow.id })).body
          : (await api("POST", "/deployments/", { name: unique("dep"), flow_id: flow.id })).body;
    const ids = [...Array.from({ length: 9_999 }, () => crypto.randomUUID()), target.id];
    const res = await api("POST", path, { [key]: { id: { any_: ids } } });
    expect(res.status).toBe(200);
    expect(res.body.deleted).toEqual([target.id]);
    expect((await api("GET", `/flows/${other.id}`)).status).toBe(200);
  });
});
