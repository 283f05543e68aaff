import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api, unique } from "../helpers";

const db = () => (env as any).DB as D1Database;

async function newPool(extra: Record<string, unknown> = {}) {
  const name = unique("pool");
  await api("POST", "/work_pools/", { name, type: "process", ...extra });
  return name;
}

/** Moves a worker's last heartbeat into the past. */
async function ageWorker(pool: string, worker: string, seconds: number) {
  const at = new Date(Date.now() - seconds * 1000).toISOString();
  await db()
    .prepare("UPDATE worker SET last_heartbeat_time = ? WHERE name = ? AND work_pool_id = (SELECT id FROM work_pool WHERE name = ?)")
    .bind(at, worker, pool)
    .run();
}

describe("workers", () => {
  it("records heartbeats (204), lists workers ONLINE and makes the pool READY (transcript 08)", async () => {
    const pool = await newPool();
    const before = (await api("GET", `/work_pools/${pool}`)).body;
    const worker = unique("worker");
    const hb = await api("POST", `/work_pools/${pool}/workers/heartbeat`, { name: worker, heartbeat_interval_seconds: 30, return_id: true });
    expect(hb.status).toBe(204);
    expect(hb.text).toBe("");
    const listed = await api("POST", `/work_pools/${pool}/workers/filter`, { workers: null, offset: null, limit: null });
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(1);
    expect(Object.keys(listed.body[0])).toEqual([
      "id", "created", "updated", "name", "work_pool_id", "last_heartbeat_time", "heartbeat_interval_seconds", "status",
    ]);
    expect(listed.body[0]).toMatchObject({ name: worker, work_pool_id: before.id, heartbeat_interval_seconds: 30, status: "ONLINE" });
    const after = (await api("GET", `/work_pools/${pool}`)).body;
    expect(after.status).toBe("READY");
    expect(after.updated > before.updated).toBe(true);
  });

  it("upserts on (pool, name): one row, fresh heartbeat, interval kept when not sent", async () => {
    const pool = await newPool();
    await api("POST", `/work_pools/${pool}/workers/heartbeat`, { name: "w", heartbeat_interval_seconds: 10 });
    const [first] = (await api("POST", `/work_pools/${pool}/workers/filter`, {})).body;
    await ageWorker(pool, "w", 5);
    await api("POST", `/work_pools/${pool}/workers/heartbeat`, { name: "w" });
    const listed = (await api("POST", `/work_pools/${pool}/workers/filter`, {})).body;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: first.id, heartbeat_interval_seconds: 10, status: "ONLINE" });
    expect(listed[0].last_heartbeat_time >= first.last_heartbeat_time).toBe(true);
    await api("POST", `/work_pools/${pool}/workers/heartbeat`, { name: "w", heartbeat_interval_seconds: 20 });
    expect((await api("POST", `/work_pools/${pool}/workers/filter`, {})).body[0].heartbeat_interval_seconds).toBe(20);
  });

  it("reads a worker OFFLINE after three missed heartbeats, and its pool NOT_READY", async () => {
    const pool = await newPool();
    await api("POST", `/work_pools/${pool}/workers/heartbeat`, { name: "slow", heartbeat_interval_seconds: 10 });
    await api("POST", `/work_pools/${pool}/workers/heartbeat`, { name: "fallback" });
    await ageWorker(pool, "slow", 25);
    await ageWorker(pool, "fallback", 85);
    const statuses = async () =>
      Object.fromEntries((await api("POST", `/work_pools/${pool}/workers/filter`, {})).body.map((w: any) => [w.name, w.status]));
    expect(await statuses()).toEqual({ slow: "ONLINE", fallback: "ONLINE" });
    await ageWorker(pool, "slow", 31);
    await ageWorker(pool, "fallback", 91);
    expect(await statuses()).toEqual({ slow: "OFFLINE", fallback: "OFFLINE" });
    expect((await api("GET", `/work_pools/${pool}`)).body.status).toBe("NOT_READY");
    const online = await api("POST", `/work_pools/${pool}/workers/filter`, { workers: { status: { any_: ["ONLINE"] } } });
    expect(online.body).toEqual([]);
    const offline = await api("POST", `/work_pools/${pool}/workers/filter`, { workers: { status: { not_any_: ["ONLINE"] } } });
    expect(offline.body).toHaveLength(2);
    await api("POST", `/work_pools/${pool}/workers/heartbeat`, { name: "slow" });
    expect((await api("GET", `/work_pools/${pool}`)).body.status).toBe("READY");
  });

  it("keeps a paused pool PAUSED on heartbeat", async () => {
    const pool = await newPool({ is_paused: true });
    await api("POST", `/work_pools/${pool}/workers/heartbeat`, { name: "w" });
    expect((await api("GET", `/work_pools/${pool}`)).body.status).toBe("PAUSED");
  });

  it("orders by last heartbeat (newest first), filters by heartbeat time, pages", async () => {
    const pool = await newPool();
    for (const w of ["old", "mid", "new"]) await api("POST", `/work_pools/${pool}/workers/heartbeat`, { name: w });
    await ageWorker(pool, "old", 20);
    await ageWorker(pool, "mid", 10);
    const names = (await api("POST", `/work_pools/${pool}/workers/filter`, {})).body.map((w: any) => w.name);
    expect(names).toEqual(["new", "mid", "old"]);
    const cutoff = new Date(Date.now() - 15_000).toISOString();
    const recent = await api("POST", `/work_pools/${pool}/workers/filter`, { workers: { last_heartbeat_time: { after_: cutoff } } });
    expect(recent.body.map((w: any) => w.name)).toEqual(["new", "mid"]);
    const page = await api("POST", `/work_pools/${pool}/workers/filter`, { limit: 1, offset: 1 });
    expect(page.body.map((w: any) => w.name)).toEqual(["mid"]);
  });

  it("deletes a worker (204), then 404; unknown pools are 404", async () => {
    const pool = await newPool();
    await api("POST", `/work_pools/${pool}/workers/heartbeat`, { name: "w" });
    expect((await api("DELETE", `/work_pools/${pool}/workers/w`)).status).toBe(204);
    expect(await api("DELETE", `/work_pools/${pool}/workers/w`)).toMatchObject({ status: 404, body: { detail: "Worker not found." } });
    const missing = unique("nope");
    const detail = `Work pool "${missing}" not found.`;
    expect(await api("POST", `/work_pools/${missing}/workers/heartbeat`, { name: "w" })).toMatchObject({ status: 404, body: { detail } });
    expect(await api("POST", `/work_pools/${missing}/workers/filter`, {})).toMatchObject({ status: 404, body: { detail } });
    expect(await api("DELETE", `/work_pools/${missing}/workers/w`)).toMatchObject({ status: 404, body: { detail } });
    const noName = await api("POST", `/work_pools/${pool}/workers/heartbeat`, {});
    expect(noName.status).toBe(422);
    expect(noName.body.exception_detail[0]).toMatchObject({ type: "missing", loc: ["body", "name"] });
  });
});
