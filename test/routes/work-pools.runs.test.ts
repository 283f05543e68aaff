import { describe, expect, it } from "vitest";
import { api } from "../helpers";
import { poolWithQueue, scheduledRuns } from "../fixtures/pools";

describe("handing out scheduled runs through the slot ledger", () => {
  it("hands each of a queue's free slots to exactly one of 50 concurrent pollers", async () => {
    const { pool, queue } = await poolWithQueue({ queueLimit: 3 });
    await scheduledRuns(queue, pool.name, 20);
    const polls = await Promise.all(
      Array.from({ length: 50 }, () => api("POST", `/work_pools/${pool.name}/get_scheduled_flow_runs`, { work_queue_names: [queue.name] })),
    );
    expect(polls.every((p) => p.status === 200)).toBe(true);
    const handed = polls.flatMap((p) => p.body.map((r: any) => r.flow_run.id));
    expect(handed).toHaveLength(3);
    expect(new Set(handed).size).toBe(3);
    const first = polls.find((p) => p.body.length)!.body[0];
    expect(first).toMatchObject({ work_pool_id: pool.id, work_queue_id: queue.id });
    expect(first.flow_run).not.toHaveProperty("work_pool_name");
    // Handed out, still SCHEDULED: reserved for their pollers, not yet active slots.
    const status = await api("POST", `/work_queues/${queue.id}/concurrency_status`, {});
    expect(status.body).toMatchObject({ active_slots: 0, concurrency_limit: 3, count: 0, page: 1, pages: 0 });
  });

  it("respects the pool's limit across its queues and ignores paused pools", async () => {
    const { pool, queue } = await poolWithQueue({ poolLimit: 2 });
    await scheduledRuns(queue, pool.name, 5);
    const first = await api("POST", `/work_pools/${pool.name}/get_scheduled_flow_runs`, {});
    expect(first.body).toHaveLength(2);
    const second = await api("POST", `/work_pools/${pool.name}/get_scheduled_flow_runs`, {});
    expect(second.body).toHaveLength(0);
    const status = await api("POST", `/work_pools/${pool.name}/concurrency_status`, {});
    expect(status.body).toMatchObject({ active_slots: 0, concurrency_limit: 2, count: 1 });
    expect(status.body.queues[0]).toMatchObject({ queue_id: queue.id, active_slots: 0, flow_run_count: 0 });
  });

  it("pages concurrency_status so every holder appears exactly once, by flow run id", async () => {
    const { pool, queue } = await poolWithQueue({});
    await scheduledRuns(queue, pool.name, 7);
    const handed = await api("POST", `/work_queues/${queue.id}/get_runs`, { limit: 10 });
    expect(handed.body).toHaveLength(7);
    for (const r of handed.body) expect((await api("POST", `/flow_runs/${r.id}/set_state`, { state: { type: "PENDING" } })).body.status).toBe("ACCEPT");
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const res = await api("POST", `/work_queues/${queue.id}/concurrency_status`, { page, limit: 3 });
      expect(res.body).toMatchObject({ active_slots: 7, count: 7, pages: 3, page, limit: 3 });
      seen.push(...res.body.flow_runs.map((r: any) => r.id));
      for (const r of res.body.flow_runs) expect(typeof r.time_in_current_state).toBe("number");
    }
    expect(seen).toEqual(handed.body.map((r: any) => r.id).sort());
  });

  it("answers Prefect's 404s", async () => {
    expect((await api("POST", "/work_pools/nope/get_scheduled_flow_runs", {})).body).toEqual({ detail: 'Work pool "nope" not found.' });
    expect((await api("POST", "/work_queues/00000000-0000-4000-8000-000000000000/concurrency_status", {})).status).toBe(404);
  });
});
