import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api, unique } from "../helpers";

const db = () => (env as any).DB as D1Database;

async function newPool(extra: Record<string, unknown> = {}) {
  const name = unique("pool");
  const { body } = await api("POST", "/work_pools/", { name, type: "process", ...extra });
  return body;
}

async function addRun(queueId: string, state: string, stateName = state) {
  await db()
    .prepare("INSERT INTO flow_run (id, created, updated, name, flow_id, work_queue_id, state_type, state_name) VALUES (?, 'x', 'x', 'r', 'f', ?, ?, ?)")
    .bind(crypto.randomUUID(), queueId, state, stateName)
    .run();
}

describe("legacy work queues", () => {
  it("creates queues in the default agent pool, reads them by id and by name", async () => {
    const name = unique("legacy");
    const created = await api("POST", "/work_queues/", { name, description: "d" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, description: "d", work_pool_name: "default-agent-pool", status: "NOT_READY", active_slots: null });
    const agentPool = (await api("GET", "/work_pools/default-agent-pool")).body;
    expect(agentPool).toMatchObject({ type: "prefect-agent", status: "NOT_READY" });
    expect(created.body.work_pool_id).toBe(agentPool.id);
    expect((await api("GET", `/work_queues/${created.body.id}`)).body).toEqual(created.body);
    expect((await api("GET", `/work_queues/${created.body.id.toUpperCase()}`)).body.id).toBe(created.body.id);
    expect((await api("GET", `/work_queues/name/${name}`)).body).toEqual(created.body);
    expect(await api("POST", "/work_queues/", { name })).toMatchObject({ status: 409, body: { detail: "A work queue with this name already exists." } });
    // The agent pool's own default queue.
    const dflt = await api("POST", "/work_queues/", { name: "default" });
    expect(dflt.status).toBe(409);
    expect((await api("GET", "/work_queues/name/default")).body.id).toBe(agentPool.default_queue_id);
  });

  it("filters by name (any_, startswith_) ordered by name", async () => {
    const prefix = unique("lq");
    for (const n of ["b", "a", "c"]) await api("POST", "/work_queues/", { name: `${prefix}-${n}` });
    const res = await api("POST", "/work_queues/filter", { work_queues: { name: { startswith_: [prefix] } }, limit: null, offset: null });
    expect(res.body.map((q: any) => q.name)).toEqual(["a", "b", "c"].map((n) => `${prefix}-${n}`));
    const any = await api("POST", "/work_queues/filter", { work_queues: { name: { any_: [`${prefix}-c`] } } });
    expect(any.body.map((q: any) => q.name)).toEqual([`${prefix}-c`]);
    // Prefect drops an empty OR: an empty startswith_ list constrains nothing.
    const all = await api("POST", "/work_queues/filter", { work_queues: { name: { startswith_: [] } }, limit: 200 });
    expect(all.body.map((q: any) => q.name)).toEqual(expect.arrayContaining([`${prefix}-a`, `${prefix}-b`]));
  });

  it("answers 404s with Prefect's messages; deletes; refuses the default queue", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    expect(await api("GET", `/work_queues/${missing}`)).toMatchObject({ status: 404, body: { detail: "work queue not found" } });
    expect(await api("GET", "/work_queues/name/nope-nope")).toMatchObject({ status: 404, body: { detail: "work queue not found" } });
    expect(await api("PATCH", `/work_queues/${missing}`, {})).toMatchObject({ status: 404, body: { detail: `Work Queue ${missing} not found` } });
    expect(await api("DELETE", `/work_queues/${missing}`)).toMatchObject({ status: 404, body: { detail: "work queue not found" } });
    expect(await api("GET", `/work_queues/${missing}/status`)).toMatchObject({
      status: 404,
      body: { exception_message: `Work queue with id ${missing} not found` },
    });
    const { body: q } = await api("POST", "/work_queues/", { name: unique("gone") });
    expect((await api("DELETE", `/work_queues/${q.id}`)).status).toBe(204);
    expect(await api("GET", `/work_queues/${q.id}`)).toMatchObject({ status: 404, body: { detail: "work queue not found" } });
    const pool = await newPool();
    expect((await api("DELETE", `/work_queues/${pool.default_queue_id}`)).status).toBe(409);
  });

  it("reports status: healthy when polled recently with no late runs", async () => {
    const pool = await newPool();
    const { body: q } = await api("POST", `/work_pools/${pool.name}/queues`, { name: "health" });
    const never = (await api("GET", `/work_queues/${q.id}/status`)).body;
    expect(never).toEqual({
      healthy: false,
      late_runs_count: 0,
      last_polled: null,
      health_check_policy: { maximum_late_runs: 0, maximum_seconds_since_last_polled: 60 },
    });
    const polled = new Date().toISOString().replace("Z", "000Z");
    await api("PATCH", `/work_queues/${q.id}`, { last_polled: polled });
    expect((await api("GET", `/work_queues/${q.id}/status`)).body).toMatchObject({ healthy: true, late_runs_count: 0, last_polled: polled });
    await addRun(q.id, "SCHEDULED", "Late");
    expect((await api("GET", `/work_queues/${q.id}/status`)).body).toMatchObject({ healthy: false, late_runs_count: 1 });
  });
});
