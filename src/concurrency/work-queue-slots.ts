import { and, asc, eq, sql } from "drizzle-orm";
import { inList } from "../db/lists";
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { flowRun, workPool, workQueue } from "../db/schema";
import { ledgerFor } from "./ledgers";
import { isOccupying } from "../schemas/states";
import { toIso } from "../lib/time";
import type { SlotAcquisition } from "../orchestration/context";

/**
 * Work-queue and work-pool concurrency, enforced by the slot ledgers (src/concurrency/slot-ledger.ts).
 * Every flow run of a work queue takes a slot in its queue's ledger and in its pool's ledger
 * when it enters a slot-occupying state, and gives both back when it leaves; pollers get
 * reservations, so a scheduled run is handed to one worker at a time and never beyond the limit.
 */

export interface SlotScope {
  queueId: string;
  queueLimit: number | null;
  poolId: string;
  poolLimit: number | null;
}

/** The queue and pool limits that apply to a run, or null when it has no work queue. */
export async function slotScopeOf(db: Db, workQueueId: string | null | undefined): Promise<SlotScope | null> {
  if (!workQueueId) return null;
  const row = await db
    .select({
      queueId: workQueue.id,
      queueLimit: workQueue.concurrency_limit,
      poolId: workPool.id,
      poolLimit: workPool.concurrency_limit,
    })
    .from(workQueue)
    .innerJoin(workPool, eq(workPool.id, workQueue.work_pool_id))
    .where(eq(workQueue.id, workQueueId))
    .get();
  return row ?? null;
}

/** Takes the run's queue slot, then its pool slot; gives the queue slot back if the pool is full. */
export async function acquireRunSlot(env: Bindings, scope: SlotScope, runId: string): Promise<SlotAcquisition> {
  const queue = ledgerFor(env, { kind: "queue", id: scope.queueId });
  const q = await queue.acquire({ kind: "queue", id: scope.queueId }, runId, scope.queueLimit);
  if (!q.acquired) return "refused";
  const p = await ledgerFor(env, { kind: "pool", id: scope.poolId }).acquire({ kind: "pool", id: scope.poolId }, runId, scope.poolLimit);
  if (!p.acquired) {
    if (!q.alreadyHeld) await queue.release(runId);
    return "refused";
  }
  return q.alreadyHeld && p.alreadyHeld ? "held" : "taken";
}

/** Gives back whatever the run holds in the ledgers it may occupy after a move to `stateType`. */
export async function releaseRunSlot(env: Bindings, scope: SlotScope, runId: string, stateType: string | null): Promise<void> {
  const releases: Promise<unknown>[] = [];
  if (!isOccupying("queue", stateType)) releases.push(ledgerFor(env, { kind: "queue", id: scope.queueId }).release(runId));
  if (!isOccupying("pool", stateType)) releases.push(ledgerFor(env, { kind: "pool", id: scope.poolId }).release(runId));
  await Promise.all(releases);
}

type QueueRow = typeof workQueue.$inferSelect;
type PoolRow = typeof workPool.$inferSelect;
type FlowRunRow = typeof flowRun.$inferSelect;

export interface PollOptions {
  scheduledBefore?: string;
  scheduledAfter?: string;
  limit: number;
}

/**
 * Scheduled runs for a poller, as Prefect's get_scheduled_flow_runs chooses them (unpaused pool
 * and queues, queue priority then scheduled time, not runs retrying in process), except that
 * each run handed out is reserved in its queue's and pool's ledgers first: at most the free
 * slots, and never a run another poller holds a reservation for.
 */
export async function pollScheduledRuns(
  env: Bindings,
  db: Db,
  pool: PoolRow,
  queues: QueueRow[],
  opts: PollOptions,
): Promise<{ queue: QueueRow; run: FlowRunRow }[]> {
  if (pool.is_paused) return [];
  const active = queues.filter((q) => !q.is_paused).sort((a, b) => a.priority - b.priority);
  if (!active.length || opts.limit <= 0) return [];
  const conds = [
    inList(
      flowRun.work_queue_id,
      active.map((q) => q.id),
    ),
    eq(flowRun.state_type, "SCHEDULED"),
    sql`coalesce(json_extract(${flowRun.empirical_policy}, '$.retry_type'), '') != 'in_process'`,
  ];
  if (opts.scheduledBefore) conds.push(sql`${flowRun.next_scheduled_start_time} <= ${toIso(opts.scheduledBefore)}`);
  if (opts.scheduledAfter) conds.push(sql`${flowRun.next_scheduled_start_time} >= ${toIso(opts.scheduledAfter)}`);
  // Enough candidates to fill `limit` even when some are reserved by other pollers.
  const candidates = await db
    .select()
    .from(flowRun)
    .where(and(...conds))
    .orderBy(asc(flowRun.next_scheduled_start_time), asc(flowRun.id))
    .limit(Math.min(1000, opts.limit * 4 + 50));
  const poolLedger = ledgerFor(env, { kind: "pool", id: pool.id });
  const out: { queue: QueueRow; run: FlowRunRow }[] = [];
  for (const queue of active) {
    const remaining = opts.limit - out.length;
    if (remaining <= 0) break;
    const mine = candidates.filter((r) => r.work_queue_id === queue.id);
    if (!mine.length) continue;
    const queueLedger = ledgerFor(env, { kind: "queue", id: queue.id });
    const reserved = await queueLedger.reserve(
      { kind: "queue", id: queue.id },
      mine.map((r) => r.id),
      queue.concurrency_limit,
      undefined,
      remaining,
    );
    if (!reserved.length) continue;
    const inPool = await poolLedger.reserve({ kind: "pool", id: pool.id }, reserved, pool.concurrency_limit);
    const refused = reserved.filter((id) => !inPool.includes(id));
    await Promise.all(refused.map((id) => queueLedger.release(id)));
    const byId = new Map(mine.map((r) => [r.id, r]));
    for (const id of inPool) out.push({ queue, run: byId.get(id)! });
  }
  return out;
}

/** Polled queues become READY with a fresh last_polled, as Prefect marks them. */
export async function markQueuesPolled(db: Db, queueIds: string[], now: string): Promise<void> {
  if (!queueIds.length) return;
  await db.update(workQueue).set({ last_polled: now, status: sql`CASE WHEN ${workQueue.is_paused} THEN 'PAUSED' ELSE 'READY' END` as any }).where(inList(workQueue.id, queueIds));
}
