import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api } from "../helpers";
import { getDb } from "../../src/db/client";
import { createLogs } from "../../src/db/queries/logs";
import type { LogCreate } from "../../src/schemas/prefect.gen";
import { freshIds } from "../events/support";
import exchanges from "../events/logs-transcript.json";

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const withoutServerFields = ({ id, created, updated, ...rest }: any) => rest;

function log(flowRunId: string, overrides: Record<string, unknown> = {}) {
  return {
    name: "prefect.flow_runs",
    level: 20,
    message: "hello",
    timestamp: "2026-03-01T00:00:00.000000Z",
    flow_run_id: flowRunId,
    task_run_id: null,
    ...overrides,
  };
}

const byFlowRun = (flowRunId: string, extra: Record<string, unknown> = {}, body: Record<string, unknown> = {}) =>
  api("POST", "/logs/filter", { logs: { flow_run_id: { any_: [flowRunId] }, ...extra }, ...body });

describe("logs: transcript 04 replayed", () => {
  it("answers every /logs exchange as Prefect did", async () => {
    // Fresh ids so that the transcript's flow run is ours alone in this database.
    for (const x of freshIds(exchanges as any[])) {
      const res = await api(x.method, x.path, x.request_body);
      expect(res.status, `seq ${x.seq}`).toBe(x.status);
      if (x.path === "/logs/") {
        expect(res.text).toBe("null");
        continue;
      }
      // Before the SDK's batched POST /logs/ the filter answers []; after it, the same logs in order.
      expect(res.body.map(withoutServerFields), `seq ${x.seq}`).toEqual(x.response_body.map(withoutServerFields));
      for (const l of res.body) {
        expect(l.id).toMatch(UUID);
        expect(l.created).toMatch(ISO);
        expect(l.updated).toMatch(ISO);
        expect(Object.keys(l)).toEqual(Object.keys(x.response_body[0]));
      }
    }
  });
});

describe("logs: filters", () => {
  it("filters by level, timestamp, task run and null task run", async () => {
    const fr = crypto.randomUUID();
    const tr = crypto.randomUUID();
    await api("POST", "/logs/", [
      log(fr, { level: 10, message: "a", timestamp: "2026-03-01T00:00:01.000000Z" }),
      log(fr, { level: 30, message: "b", timestamp: "2026-03-01T00:00:02.000000Z", task_run_id: tr }),
      log(fr, { level: 50, message: "c", timestamp: "2026-03-01T00:00:03.000000Z" }),
    ]);
    const messages = async (extra: Record<string, unknown>, body: Record<string, unknown> = {}) =>
      (await byFlowRun(fr, extra, body)).body.map((l: any) => l.message);
    expect(await messages({ level: { ge_: 20, le_: 40 } })).toEqual(["b"]);
    expect(await messages({ timestamp: { after_: "2026-03-01T00:00:02Z" } })).toEqual(["b", "c"]);
    expect(await messages({ timestamp: { before_: "2026-03-01T00:00:02Z" } })).toEqual(["a", "b"]);
    expect(await messages({ task_run_id: { any_: [tr.toUpperCase()] } })).toEqual(["b"]);
    expect(await messages({ task_run_id: { is_null_: true } })).toEqual(["a", "c"]);
    expect(await messages({ task_run_id: { is_null_: false } })).toEqual(["b"]);
    const at = { after_: "2026-03-01T00:00:03Z", before_: "2026-03-01T00:00:03Z" };
    const either = await api("POST", "/logs/filter", { logs: { operator: "or_", task_run_id: { any_: [tr] }, timestamp: at } });
    expect(either.body.filter((l: any) => l.flow_run_id === fr).map((l: any) => l.message)).toEqual(["b", "c"]);
    expect(either.body.every((l: any) => l.task_run_id === tr || l.timestamp === "2026-03-01T00:00:03.000000Z")).toBe(true);
    expect(await messages({}, { sort: "TIMESTAMP_DESC" })).toEqual(["c", "b", "a"]);
    expect(await messages({}, { limit: 1, offset: 1 })).toEqual(["b"]);
    expect(await messages({}, { limit: null, offset: null, sort: null })).toEqual(["a", "b", "c"]);
  });

  it("searches text in message and logger name with include, exclude and required terms", async () => {
    const fr = crypto.randomUUID();
    await api("POST", "/logs/", [
      log(fr, { message: "Connection timeout while polling", timestamp: "2026-03-01T00:00:01.000000Z" }),
      log(fr, { message: "debug: retrying request", timestamp: "2026-03-01T00:00:02.000000Z" }),
      log(fr, { message: "ERROR fatal", name: "worker.error", timestamp: "2026-03-01T00:00:03.000000Z" }),
      log(fr, { message: "all good", name: "prefect.task_runs", timestamp: "2026-03-01T00:00:04.000000Z" }),
    ]);
    const search = async (query: string) => (await byFlowRun(fr, { text: { query } })).body.map((l: any) => l.message);
    expect(await search("error")).toEqual(["ERROR fatal"]);
    expect(await search("timeout retrying")).toEqual(["Connection timeout while polling", "debug: retrying request"]);
    expect(await search('"connection timeout"')).toEqual(["Connection timeout while polling"]);
    expect(await search("-debug -error")).toEqual(["Connection timeout while polling", "all good"]);
    expect(await search("!debug +good")).toEqual(["all good"]);
    expect(await search("task_runs")).toEqual(["all good"]);
    expect(await search("   ")).toHaveLength(4);
    expect(await search("100%")).toEqual([]);
  });

  it("keeps the order of logs sharing a timestamp", async () => {
    const fr = crypto.randomUUID();
    const same = "2026-03-01T00:00:00.000000Z";
    await api("POST", "/logs/", ["1", "2", "3", "4", "5"].map((m) => log(fr, { message: m, timestamp: same })));
    expect((await byFlowRun(fr)).body.map((l: any) => l.message)).toEqual(["1", "2", "3", "4", "5"]);
    expect((await byFlowRun(fr, {}, { sort: "TIMESTAMP_DESC" })).body.map((l: any) => l.message)).toEqual(["5", "4", "3", "2", "1"]);
  });

  it("stores many logs in one request, across multi-row inserts", async () => {
    const fr = crypto.randomUUID();
    const many = Array.from({ length: 250 }, (_, i) =>
      log(fr, { message: `m${i}`, timestamp: `2026-03-01T00:00:00.${String(i).padStart(6, "0")}Z` }),
    );
    const res = await api("POST", "/logs/", many);
    expect(res.status).toBe(201);
    expect((await byFlowRun(fr)).body).toHaveLength(200);
    const rest = await byFlowRun(fr, {}, { offset: 200 });
    expect(rest.body.map((l: any) => l.message)).toEqual(many.slice(200).map((l) => l.message));
  });

  it("stores a post larger than one D1 batch batch by batch: each built when its turn comes, told once committed", async () => {
    const flowRunId = crypto.randomUUID();
    const logs = Array.from({ length: 5000 }, (_, i) => log(flowRunId, { message: `m${i}` })) as LogCreate[];
    const told: number[] = [];
    const lookups: Promise<unknown>[] = [];
    await createLogs(getDb(env.DB), logs, (rows) => {
      told.push(rows.length);
      // Read as soon as told: the batch is already stored.
      lookups.push(env.DB.prepare("SELECT id FROM log WHERE id = ?").bind(rows[rows.length - 1]!.id).first());
    });
    expect(await Promise.all(lookups)).not.toContain(null);
    expect(told.length).toBeGreaterThan(1);
    expect(Math.max(...told)).toBeLessThan(logs.length);
    expect(told.reduce((a, b) => a + b, 0)).toBe(logs.length);
    const count = await env.DB.prepare("SELECT count(*) AS n FROM log WHERE flow_run_id = ?").bind(flowRunId).first<{ n: number }>();
    expect(count?.n).toBe(logs.length);
  });

  it("normalizes timestamps and ids, and strips NUL characters", async () => {
    const fr = crypto.randomUUID();
    await api("POST", "/logs/", [log(fr.toUpperCase(), { message: "a\u0000b", timestamp: "2026-03-01T00:00:00+00:00" })]);
    const [l] = (await byFlowRun(fr)).body;
    expect(l).toMatchObject({ message: "ab", timestamp: "2026-03-01T00:00:00.000000Z", flow_run_id: fr });
  });

  it("answers an empty list with 201 null", async () => {
    const res = await api("POST", "/logs/", []);
    expect(res).toMatchObject({ status: 201, text: "null" });
  });
});

describe("logs: validation", () => {
  it("rejects invalid logs with Prefect's 422", async () => {
    const res = await api("POST", "/logs/", [{ name: "x", level: "high", message: "m", timestamp: "2026-03-01T00:00:00Z" }]);
    expect(res.status).toBe(422);
    expect(res.body.exception_message).toBe("Invalid request received.");
    expect(res.body.exception_detail[0]).toMatchObject({ type: "int_parsing", loc: ["body", 0, "level"] });
    const extra = await api("POST", "/logs/", [{ ...log(crypto.randomUUID()), worker: 1 }]);
    expect(extra.body.exception_detail[0]).toMatchObject({ type: "extra_forbidden", loc: ["body", 0, "worker"] });
  });

  it("rejects bad filters and limits", async () => {
    const bad = await api("POST", "/logs/filter", { logs: { flow_run_id: { any_: ["nope"] } } });
    expect(bad.status).toBe(422);
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "uuid_parsing", loc: ["body", "logs", "flow_run_id", "any_", 0] });
    const long = await api("POST", "/logs/filter", { logs: { text: { query: "x".repeat(201) } } });
    expect(long.body.exception_detail[0]).toMatchObject({ type: "string_too_long" });
    const limit = await api("POST", "/logs/filter", { limit: 201 });
    expect(limit).toMatchObject({ status: 422, body: { detail: "Invalid limit: must be less than or equal to 200." } });
    const offset = await api("POST", "/logs/filter", { offset: -1 });
    expect(offset.body.exception_detail[0]).toMatchObject({ type: "greater_than_equal", loc: ["body", "offset"] });
  });
});
