import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api, unique } from "../helpers";

const db = () => (env as any).DB as D1Database;

async function newPool(extra: Record<string, unknown> = {}) {
  const name = unique("pool");
  const { body } = await api("POST", "/work_pools/", { name, type: "process", ...extra });
  return body;
}

async function priorities(pool: string): Promise<Record<string, number>> {
  const { body } = await api("POST", `/work_pools/${pool}/queues/filter`, {});
  return Object.fromEntries(body.map((q: any) => [q.name, q.priority]));
}

async function addRun(queueId: string, state: string, stateName = state) {
  await db()
    .prepare("INSERT INTO flow_run (id, created, updated, name, flow_id, work_queue_id, state_type, state_name) VALUES (?, 'x', 'x', 'r', 'f', ?, ?, ?)")
    .bind(crypto.randomUUID(), queueId, state, stateName)
    .run();
}

describe("work pool queues", () => {
  it("creates, reads and updates a queue as in transcript 08", async () => {
    const pool = await newPool();
    const q = unique("queue");
    const created = await api("POST", `/work_pools/${pool.name}/queues`, {
      name: q,
      description: "q",
      is_paused: false,
      concurrency_limit: 3,
      priority: 2,
      filter: null,
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual([
      "id", "created", "updated", "name", "description", "is_paused", "concurrency_limit", "priority",
      "work_pool_id", "filter", "last_polled", "work_pool_name", "status", "active_slots",
    ]);
    expect(created.body).toMatchObject({
      name: q,
      description: "q",
      is_paused: false,
      concurrency_limit: 3,
      priority: 2,
      work_pool_id: pool.id,
      filter: null,
      last_polled: null,
      work_pool_name: pool.name,
      status: "NOT_READY",
      active_slots: 0,
    });
    expect((await api("GET", `/work_pools/${pool.name}/queues/${q}`)).body).toEqual(created.body);

    expect((await api("PATCH", `/work_queues/${created.body.id}`, { description: "q2", is_paused: true, concurrency_limit: 4 })).status).toBe(204);
    const paused = (await api("GET", `/work_queues/${created.body.id}`)).body;
    expect(paused).toMatchObject({ description: "q2", is_paused: true, concurrency_limit: 4, priority: 2, status: "PAUSED", active_slots: 0 });
    expect((await api("PATCH", `/work_queues/${created.body.id}`, { is_paused: false })).status).toBe(204);
    expect((await api("GET", `/work_queues/${created.body.id}`)).body).toMatchObject({ description: "q2", is_paused: false, status: "NOT_READY" });

    await api("PATCH", `/work_pools/${pool.name}/queues/${q}`, { description: "via pool" });
    expect((await api("GET", `/work_pools/${pool.name}/queues/${q}`)).body).toMatchObject({ description: "via pool", concurrency_limit: 4 });
  });

  it("unpauses to READY when polled within the last minute", async () => {
    const pool = await newPool();
    const { body: q } = await api("POST", `/work_pools/${pool.name}/queues`, { name: "q", is_paused: true });
    expect(q.status).toBe("NOT_READY");
    await api("PATCH", `/work_queues/${q.id}`, { is_paused: true });
    expect((await api("GET", `/work_queues/${q.id}`)).body.status).toBe("PAUSED");
    await api("PATCH", `/work_queues/${q.id}`, { is_paused: false, last_polled: new Date().toISOString() });
    expect((await api("GET", `/work_queues/${q.id}`)).body.status).toBe("READY");
    // A READY queue whose last poll is over a minute old reads NOT_READY, as Prefect's foreman leaves it.
    await db().prepare("UPDATE work_queue SET last_polled = '2020-01-01T00:00:00.000000Z' WHERE id = ?").bind(q.id).run();
    expect((await api("GET", `/work_queues/${q.id}`)).body.status).toBe("NOT_READY");
  });

  it("assigns the first free priority and shifts others on collisions, as Prefect", async () => {
    const pool = await newPool();
    const p = pool.name;
    await api("POST", `/work_pools/${p}/queues`, { name: "a" });
    await api("POST", `/work_pools/${p}/queues`, { name: "c", priority: 5 });
    await api("POST", `/work_pools/${p}/queues`, { name: "b" });
    expect(await priorities(p)).toEqual({ default: 1, a: 2, b: 3, c: 5 });
    await api("POST", `/work_pools/${p}/queues`, { name: "top", priority: 1 });
    expect(await priorities(p)).toEqual({ top: 1, default: 2, a: 3, b: 4, c: 5 });
    await api("PATCH", `/work_pools/${p}/queues/c`, { priority: 2 });
    expect(await priorities(p)).toEqual({ top: 1, c: 2, default: 3, a: 4, b: 5 });
    await api("PATCH", `/work_pools/${p}/queues/top`, { priority: 9 });
    expect(await priorities(p)).toEqual({ c: 2, default: 3, a: 4, b: 5, top: 9 });
    const listed = (await api("POST", `/work_pools/${p}/queues/filter`, {})).body.map((q: any) => q.name);
    expect(listed).toEqual(["c", "default", "a", "b", "top"]);
  });

  it("filters a pool's queues by name and pages them", async () => {
    const pool = await newPool();
    for (const n of ["alpha-1", "alpha-2", "beta"]) await api("POST", `/work_pools/${pool.name}/queues`, { name: n });
    const starts = await api("POST", `/work_pools/${pool.name}/queues/filter`, { work_queues: { name: { startswith_: ["ALPHA", "bet"] } } });
    expect(starts.body.map((q: any) => q.name)).toEqual(["alpha-1", "alpha-2", "beta"]);
    const any = await api("POST", `/work_pools/${pool.name}/queues/filter`, { work_queues: { name: { any_: ["beta", "default"] } } });
    expect(any.body.map((q: any) => q.name)).toEqual(["default", "beta"]);
    const page = await api("POST", `/work_pools/${pool.name}/queues/filter`, { limit: 2, offset: 1 });
    expect(page.body.map((q: any) => q.name)).toEqual(["alpha-1", "alpha-2"]);
  });

  it("answers Prefect's 404/409 and refuses to delete the default queue", async () => {
    const pool = await newPool();
    const missingPool = unique("nope");
    expect(await api("POST", `/work_pools/${missingPool}/queues`, { name: "x" })).toMatchObject({
      status: 404,
      body: { detail: `Work pool "${missingPool}" not found.` },
    });
    expect(await api("GET", `/work_pools/${pool.name}/queues/nope`)).toMatchObject({
      status: 404,
      body: { detail: `Work pool queue '${pool.name}/nope' not found.` },
    });
    expect((await api("POST", `/work_pools/${missingPool}/queues/filter`, {})).status).toBe(404);
    expect(await api("PATCH", `/work_pools/${missingPool}/queues/default`, {})).toMatchObject({
      status: 404,
      body: { detail: `Work pool "${missingPool}" not found.` },
    });
    expect(await api("DELETE", `/work_pools/${pool.name}/queues/nope`)).toMatchObject({ status: 404 });
    await api("POST", `/work_pools/${pool.name}/queues`, { name: "dup" });
    expect(await api("POST", `/work_pools/${pool.name}/queues`, { name: "dup" })).toMatchObject({
      status: 409,
      body: { detail: "A work queue with this name already exists in work pool {work_pool_name!r}." },
    });
    expect((await api("PATCH", `/work_pools/${pool.name}/queues/dup`, { name: "default" })).status).toBe(409);
    expect(await api("DELETE", `/work_pools/${pool.name}/queues/default`)).toMatchObject({
      status: 409,
      body: { detail: "Can't delete a pool's default queue." },
    });
    expect((await api("DELETE", `/work_pools/${pool.name}/queues/dup`)).status).toBe(204);
    expect((await api("GET", `/work_pools/${pool.name}/queues/dup`)).status).toBe(404);
  });

  it("counts active slots per route family: PENDING/RUNNING for pool routes, CANCELLING too for /work_queues", async () => {
    const pool = await newPool();
    const { body: q } = await api("POST", `/work_pools/${pool.name}/queues`, { name: "slots", concurrency_limit: 5 });
    for (const s of ["PENDING", "RUNNING", "CANCELLING", "SCHEDULED", "COMPLETED"]) await addRun(q.id, s);
    expect((await api("GET", `/work_pools/${pool.name}/queues/slots`)).body.active_slots).toBe(2);
    expect((await api("GET", `/work_queues/${q.id}`)).body.active_slots).toBe(3);
    const [listed] = (await api("POST", `/work_pools/${pool.name}/queues/filter`, { work_queues: { id: { any_: [q.id] } } })).body;
    expect(listed.active_slots).toBe(2);
  });
});

