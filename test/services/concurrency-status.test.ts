import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";
import { poolWithQueue, scheduledRuns } from "../fixtures/pools";
import { seedFlowRun } from "../fixtures/runs";
import { ledgerFor } from "../../src/concurrency/ledgers";

/**
 * The concurrency_status reports of work queues and work pools count what Prefect's server counts:
 * runs D1 shows PENDING/RUNNING/CANCELLING (a queue) or PENDING/RUNNING (a pool), listed by flow
 * run id. A poller's reservation keeps gating other polls but is never an active slot.
 */

type Queue = Awaited<ReturnType<typeof poolWithQueue>>["queue"];
type Pool = Awaited<ReturnType<typeof poolWithQueue>>["pool"];

const setState = (id: string, type: string) => api("POST", `/flow_runs/${id}/set_state`, { state: { type }, force: false });
const queueStatus = (queueId: string, body: object = {}) => api("POST", `/work_queues/${queueId}/concurrency_status`, body);
const poolStatus = (poolName: string, body: object = {}) => api("POST", `/work_pools/${poolName}/concurrency_status`, body);
const ids = (runs: { id: string }[]) => runs.map((r) => r.id);

/** A run of the queue in `type`, written straight to D1. */
const runIn = (pool: Pool, queue: Queue, type: string) =>
  seedFlowRun({ work_queue_id: queue.id, work_queue_name: queue.name, work_pool_id: pool.id, work_pool_name: pool.name, state: { type: type as any } });

describe("concurrency_status reports", () => {
  it("a polled run (still SCHEDULED) is not an active slot, but its reservation still gates other polls", async () => {
    const { pool, queue } = await poolWithQueue({ queueLimit: 2, poolLimit: 5 });
    const [running, ...rest] = await scheduledRuns(queue, pool.name, 3);
    expect((await setState(running, "PENDING")).body.status).toBe("ACCEPT");
    expect((await setState(running, "RUNNING")).body.status).toBe("ACCEPT");

    const polled = await api("POST", `/work_pools/${pool.name}/get_scheduled_flow_runs`, { limit: 5 });
    expect(polled.body.map((r: any) => r.flow_run.id)).toEqual([rest[0]]);
    // The reservation keeps the queue full for the next poller: strictness stays.
    expect((await api("POST", `/work_pools/${pool.name}/get_scheduled_flow_runs`, { limit: 5 })).body).toEqual([]);
    expect(await ledgerFor(env as any, { kind: "queue", id: queue.id }).activeSlots()).toBe(2);

    const q = await queueStatus(queue.id);
    expect(q.body).toMatchObject({ active_slots: 1, concurrency_limit: 2, count: 1, pages: 1 });
    expect(ids(q.body.flow_runs)).toEqual([running]);
    const p = await poolStatus(pool.name);
    expect(p.body).toMatchObject({ active_slots: 1, concurrency_limit: 5, count: 1 });
    expect(p.body.queues[0]).toMatchObject({ queue_id: queue.id, active_slots: 1, flow_run_count: 1 });
    expect(ids(p.body.queues[0].flow_runs)).toEqual([running]);

    // Once the polled run proposes PENDING, it is reported.
    expect((await setState(rest[0], "PENDING")).body.status).toBe("ACCEPT");
    expect((await queueStatus(queue.id)).body.active_slots).toBe(2);
    expect((await poolStatus(pool.name)).body.active_slots).toBe(2);
  });

  it("counts CANCELLING for a queue (not for a pool) and never SCHEDULED or terminal runs", async () => {
    const { pool, queue } = await poolWithQueue({});
    const counted = [await runIn(pool, queue, "PENDING"), await runIn(pool, queue, "RUNNING"), await runIn(pool, queue, "CANCELLING")];
    for (const type of ["SCHEDULED", "COMPLETED", "CANCELLED", "PAUSED"]) await runIn(pool, queue, type);
    const q = await queueStatus(queue.id);
    expect(q.body).toMatchObject({ active_slots: 3, count: 3 });
    expect(ids(q.body.flow_runs)).toEqual(ids(counted).sort());
    expect(q.body.flow_runs.find((r: any) => r.id === counted[2].id)).toMatchObject({ state_type: "CANCELLING", state_name: "Cancelling" });

    const p = await poolStatus(pool.name);
    expect(p.body).toMatchObject({ active_slots: 2 });
    expect(p.body.queues[0]).toMatchObject({ active_slots: 2, flow_run_count: 2 });
    expect(ids(p.body.queues[0].flow_runs)).toEqual(ids(counted.slice(0, 2)).sort());
  });

  it("pages a queue's holders by flow run id, the same order on every read", async () => {
    const { pool, queue } = await poolWithQueue({});
    const runs = [];
    for (let i = 0; i < 7; i++) runs.push(await runIn(pool, queue, "RUNNING"));
    const expected = ids(runs).sort();
    for (let read = 0; read < 2; read++) {
      const seen: string[] = [];
      for (let page = 1; page <= 3; page++) {
        const res = await queueStatus(queue.id, { page, limit: 3 });
        expect(res.body).toMatchObject({ active_slots: 7, count: 7, pages: 3, page, limit: 3 });
        seen.push(...ids(res.body.flow_runs));
      }
      expect(seen).toEqual(expected);
    }
  });

  it("lists each queue's first flow_run_limit holders by id, its count being all of them", async () => {
    const { pool, queue } = await poolWithQueue({});
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await runIn(pool, queue, "RUNNING"));
    const res = await poolStatus(pool.name, { flow_run_limit: 2 });
    expect(res.body.queues[0]).toMatchObject({ active_slots: 5, flow_run_count: 5 });
    expect(ids(res.body.queues[0].flow_runs)).toEqual(ids(runs).sort().slice(0, 2));
    expect((await poolStatus(pool.name, { flow_run_limit: 0 })).body.queues[0]).toMatchObject({ flow_runs: [], flow_run_count: 5 });
  });

  it("pages a pool's queues by priority with their own holders; the pool counts all of its queues", async () => {
    const { pool, queue } = await poolWithQueue({ poolLimit: 10 });
    const second = await api("POST", `/work_pools/${pool.name}/queues/`, { name: unique("q"), priority: 5 });
    const third = await api("POST", `/work_pools/${pool.name}/queues/`, { name: unique("q"), priority: 9 });
    const other = { ...queue, id: second.body.id, name: second.body.name };
    const a = await runIn(pool, queue, "RUNNING");
    const b = await runIn(pool, other, "PENDING");
    await runIn(pool, { ...queue, id: third.body.id, name: third.body.name }, "RUNNING");

    const first = await poolStatus(pool.name, { page: 1, limit: 2 });
    expect(first.body).toMatchObject({ active_slots: 3, concurrency_limit: 10, count: 3, pages: 2, page: 1, limit: 2 });
    expect(first.body.queues.map((q: any) => [q.queue_id, q.active_slots, ids(q.flow_runs)])).toEqual([
      [queue.id, 1, [a.id]],
      [other.id, 1, [b.id]],
    ]);
    const last = await poolStatus(pool.name, { page: 2, limit: 2 });
    expect(last.body.queues.map((q: any) => q.queue_id)).toEqual([third.body.id]);
  });

  it("counts a queue's runs that lost its id but carry its name, as Prefect's queue scheduler does", async () => {
    const { pool, queue } = await poolWithQueue({});
    const orphan = await seedFlowRun({ work_queue_id: null, work_queue_name: queue.name, state: { type: "RUNNING" } });
    const res = await queueStatus(queue.id);
    expect(res.body).toMatchObject({ active_slots: 1, count: 1 });
    expect(ids(res.body.flow_runs)).toEqual([orphan.id]);
    expect((await poolStatus(pool.name)).body.active_slots).toBe(0);
  });

  it("answers Prefect's 404s", async () => {
    expect((await poolStatus("nope")).body).toEqual({ detail: "Work pool 'nope' not found." });
    expect((await poolStatus(encodeURIComponent("o'brien"))).body).toEqual({ detail: `Work pool "o'brien" not found.` });
    expect((await queueStatus("00000000-0000-4000-8000-000000000000")).body).toEqual({ detail: "Work queue not found." });
  });
});
