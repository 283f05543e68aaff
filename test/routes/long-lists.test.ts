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
