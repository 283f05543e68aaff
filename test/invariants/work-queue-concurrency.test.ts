import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api } from "../helpers";
import { poolWithQueue, scheduledRuns } from "../fixtures/pools";
import { ledgerFor } from "../../src/concurrency/ledgers";
import { acquireRunSlot } from "../../src/concurrency/work-queue-slots";

/**
 * The work-queue concurrency invariants of the work-pool issue, through HTTP with the real D1
 * and slot-ledger Durable Objects: many workers polling and proposing PENDING at once never put
 * more runs in slot-occupying states than the queue's limit.
 */

const occupyingInD1 = async (queueId: string) =>
  (
    await env.DB.prepare(`SELECT count(*) AS n FROM flow_run WHERE work_queue_id = ? AND state_type IN ('PENDING', 'RUNNING', 'CANCELLING')`)
      .bind(queueId)
      .first<{ n: number }>()
  )!.n;

const setState = (id: string, type: string) => api("POST", `/flow_runs/${id}/set_state`, { state: { type }, force: false });

describe("work-queue concurrency invariants", () => {
  it("(1)(2) limit 3, 20 runs, 50 concurrent poll-then-PENDING workers: never over 3, each run admitted once, ledger = D1", async () => {
    const LIMIT = 3;
    const { pool, queue } = await poolWithQueue({ queueLimit: LIMIT });
    const runIds = await scheduledRuns(queue, pool.name, 20);
    const admitted = new Map<string, number>();
    const completed = new Set<string>();
    const leftRunning: string[] = [];
    let maxSeen = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxSeen = Math.max(maxSeen, await occupyingInD1(queue.id));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();

    const worker = async () => {
      for (let round = 0; round < 60 && completed.size + leftRunning.length < runIds.length; round++) {
        const polled = await api("POST", `/work_pools/${pool.name}/get_scheduled_flow_runs`, { work_queue_names: [queue.name], limit: 2 });
        expect(polled.status).toBe(200);
        if (!polled.body.length) {
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        for (const { flow_run } of polled.body) {
          const pending = await setState(flow_run.id, "PENDING");
          if (pending.body.status !== "ACCEPT") continue;
          admitted.set(flow_run.id, (admitted.get(flow_run.id) ?? 0) + 1);
          expect((await setState(flow_run.id, "RUNNING")).body.status).toBe("ACCEPT");
          // Two runs stay RUNNING to the end, so the final check compares a non-empty ledger.
          if (leftRunning.length < 2) {
            leftRunning.push(flow_run.id);
            continue;
          }
          expect((await setState(flow_run.id, "COMPLETED")).body.status).toBe("ACCEPT");
          completed.add(flow_run.id);
        }
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    sampling = false;
    await sampler;

    expect(maxSeen).toBeLessThanOrEqual(LIMIT);
    expect(completed.size + leftRunning.length).toBe(runIds.length);
    expect([...admitted.values()].every((n) => n === 1)).toBe(true);
    expect(admitted.size).toBe(runIds.length);

    const status = await api("POST", `/work_queues/${queue.id}/concurrency_status`, {});
    expect(status.body.active_slots).toBe(await occupyingInD1(queue.id));
    expect(status.body.active_slots).toBe(2);
    expect(status.body.flow_runs.map((r: any) => r.id).sort()).toEqual([...leftRunning].sort());
  }, 60_000);

  it("(1) a PENDING proposal beyond the limit goes back to SCHEDULED as AwaitingConcurrencySlot", async () => {
    const { pool, queue } = await poolWithQueue({ queueLimit: 1 });
    const [a, b] = await scheduledRuns(queue, pool.name, 2);
    expect((await setState(a, "PENDING")).body.status).toBe("ACCEPT");
    const refused = await setState(b, "PENDING");
    expect(refused.body.status).toBe("REJECT");
    expect(refused.body.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingConcurrencySlot" });
    expect(refused.body.details.reason).toBe("Work queue concurrency limit reached.");
    // Leaving the slot-occupying states gives the slot back: b is admitted next.
    expect((await setState(a, "RUNNING")).body.status).toBe("ACCEPT");
    expect((await setState(a, "COMPLETED")).body.status).toBe("ACCEPT");
    const later = await api("POST", `/flow_runs/${b}/set_state`, { state: { type: "PENDING" }, force: false });
    expect(later.body.status).toBe("ACCEPT");
  });

  it("(5) a run's own slots are never given back by an acquisition that did not take them", async () => {
    const { pool, queue } = await poolWithQueue({ poolLimit: 1 });
    const [run, other] = await scheduledRuns(queue, pool.name, 2);
    const scope = { queueId: queue.id, queueLimit: null, poolId: pool.id, poolLimit: 1 };
    expect(await acquireRunSlot(env as any, scope, run)).toBe("taken");
    expect(await acquireRunSlot(env as any, scope, run)).toBe("held"); // e.g. a second request for the run
    // `other` holds its queue slot, and the pool is full: refused, and its queue slot stays.
    const queueLedger = ledgerFor(env as any, { kind: "queue", id: queue.id });
    await queueLedger.acquire({ kind: "queue", id: queue.id }, other, null);
    expect(await acquireRunSlot(env as any, scope, other)).toBe("refused");
    expect(await queueLedger.activeSlots()).toBe(2);
  });

  it("(4) a slot taken for a write that never reached D1 is not leaked once the ledger reconciles", async () => {
    const { pool, queue } = await poolWithQueue({ queueLimit: 2 });
    const [run] = await scheduledRuns(queue, pool.name, 1);
    const ledger = ledgerFor(env as any, { kind: "queue", id: queue.id });
    // Step 1 of the write order happened (slot taken), step 2 (the D1 write) did not.
    expect((await ledger.acquire({ kind: "queue", id: queue.id }, run, 2)).acquired).toBe(true);
    expect(await ledger.activeSlots()).toBe(1);
    const repaired = await ledger.reconcile(Date.now() + 10 * 60_000);
    expect(repaired.dropped).toEqual([run]);
    expect(await ledger.activeSlots()).toBe(await occupyingInD1(queue.id));
  });
});
