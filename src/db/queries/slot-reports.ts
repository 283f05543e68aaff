import { and, asc, count, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteSelect } from "drizzle-orm/sqlite-core";
import type { Db } from "../client";
import { countOf } from "../page";
import { flowRun, workPool, workQueue } from "../schema";
import { OCCUPYING } from "../../schemas/states";
import type { FlowRunRow } from "./runs-serialize";
import type { QueueRow } from "./work-queues";

/**
 * What the concurrency_status routes report: the runs D1 shows in a slot-occupying state, counted
 * and listed as Prefect's server does (by flow run id). A slot ledger's reservation for a run a
 * poller was handed (still SCHEDULED) gates other polls but is never reported here.
 */

export type SlotHolderRow = Pick<FlowRunRow, "id" | "name" | "state_type" | "state_name" | "start_time" | "state_timestamp" | "work_queue_id">;

const holderColumns = {
  id: flowRun.id,
  name: flowRun.name,
  state_type: flowRun.state_type,
  state_name: flowRun.state_name,
  start_time: flowRun.start_time,
  state_timestamp: flowRun.state_timestamp,
  work_queue_id: flowRun.work_queue_id,
};

/**
 * Holders are searched in ix_flow_run_work_queue_id_state_type_id by queue and state. SQLite's
 * statistics (PRAGMA optimize) keep only an average per (queue, state) pair, which a queue's long
 * history of terminal runs inflates: `unlikely` says the occupying states are rare (what executes
 * now), or the planner would scan every run instead.
 */
const occupying = (kind: "queue" | "pool") => sql`unlikely(${inArray(flowRun.state_type, OCCUPYING[kind])})`;

/**
 * A queue's holders, as Prefect's work-queue scheduler counts them: its runs, and runs that lost
 * their queue id but still carry its name; PENDING, RUNNING and CANCELLING.
 */
function queueHolderWhere(queueId: string): SQL {
  const queueName = sql`(SELECT ${workQueue.name} FROM ${workQueue} WHERE ${workQueue.id} = ${queueId})`;
  // The state in each branch: each then is one search of (work_queue_id, state_type).
  return or(
    and(eq(flowRun.work_queue_id, queueId), occupying("queue")),
    and(isNull(flowRun.work_queue_id), occupying("queue"), eq(flowRun.work_queue_name, queueName)),
  )!;
}

export interface QueueSlotHolders {
  queue: QueueRow;
  count: number;
  runs: SlotHolderRow[];
}

/** The reads of a queue's report (exported so that a test can check their query plans). */
export function queueSlotHolderReads(db: Db, queueId: string, limit: number, offset: number) {
  const where = queueHolderWhere(queueId);
  return [
    db.select().from(workQueue).where(eq(workQueue.id, queueId)).limit(1),
    db.select({ n: count() }).from(flowRun).where(where),
    // The page's ids first: sorting only ids costs less than sorting whole rows to a deep offset.
    db
      .select(holderColumns)
      .from(flowRun)
      .where(inArray(flowRun.id, db.select({ id: flowRun.id }).from(flowRun).where(where).orderBy(asc(flowRun.id)).limit(limit).offset(offset)))
      .orderBy(asc(flowRun.id)),
  ] as const;
}

/** A work queue, its holders' count and one page of them (one round trip); undefined for an unknown queue. */
export async function readQueueSlotHolders(db: Db, queueId: string, limit: number, offset: number): Promise<QueueSlotHolders | undefined> {
  const [queues, counted, runs] = await db.batch(queueSlotHolderReads(db, queueId, limit, offset));
  return queues[0] && { queue: queues[0], count: countOf(counted), runs };
}

export interface PoolSlotHolders {
  pool: typeof workPool.$inferSelect;
  /** Holders in the whole pool. */
  active: number;
  queueCount: number;
  queues: QueueRow[];
  /** Per queue of the page: its holder count and its first `flowRunLimit` holders. */
  byQueue: Map<string, { count: number; runs: SlotHolderRow[] }>;
}

/** The reads of a pool's report (exported so that a test can check their query plans). */
export function poolSlotHolderReads(db: Db, poolName: string, queuePage: { limit: number; offset: number }, flowRunLimit: number) {
  const poolId = sql`(SELECT ${workPool.id} FROM ${workPool} WHERE ${workPool.name} = ${poolName})`;
  const inPool = eq(workQueue.work_pool_id, poolId);
  const queuesOnPage = <Q extends SQLiteSelect>(query: Q) =>
    query.where(inPool).orderBy(asc(workQueue.priority), asc(workQueue.name)).limit(queuePage.limit).offset(queuePage.offset);
  const inPageQueues = and(occupying("pool"), inArray(flowRun.work_queue_id, queuesOnPage(db.select({ id: workQueue.id }).from(workQueue).$dynamic())));
  const ranked = db
    .select({ ...holderColumns, rank: sql<number>`row_number() OVER (PARTITION BY ${flowRun.work_queue_id} ORDER BY ${flowRun.id})`.as("rank") })
    .from(flowRun)
    .where(inPageQueues)
    .as("ranked");
  const rankedHolder = {
    id: ranked.id,
    name: ranked.name,
    state_type: ranked.state_type,
    state_name: ranked.state_name,
    start_time: ranked.start_time,
    state_timestamp: ranked.state_timestamp,
    work_queue_id: ranked.work_queue_id,
  };
  return [
    db.select().from(workPool).where(eq(workPool.name, poolName)).limit(1),
    queuesOnPage(db.select().from(workQueue).$dynamic()),
    db.select({ n: count() }).from(workQueue).where(inPool),
    db.select({ n: count() }).from(flowRun).where(and(occupying("pool"), inArray(flowRun.work_queue_id, db.select({ id: workQueue.id }).from(workQueue).where(inPool)))),
    db.select({ queueId: flowRun.work_queue_id, n: count() }).from(flowRun).where(inPageQueues).groupBy(flowRun.work_queue_id),
    db.select(rankedHolder).from(ranked).where(sql`${ranked.rank} <= ${flowRunLimit}`).orderBy(asc(ranked.id)),
  ] as const;
}

/**
 * A work pool's holders (PENDING and RUNNING runs of its queues, as Prefect's pool scheduler
 * counts them), with one page of its queues (by priority) and, for each, its holder count and
 * first `flowRunLimit` holders; one round trip. Undefined for an unknown pool.
 */
export async function readPoolSlotHolders(
  db: Db,
  poolName: string,
  queuePage: { limit: number; offset: number },
  flowRunLimit: number,
): Promise<PoolSlotHolders | undefined> {
  const [pools, queues, queueCount, active, counts, runs] = await db.batch(poolSlotHolderReads(db, poolName, queuePage, flowRunLimit));
  if (!pools[0]) return undefined;
  const byQueue = new Map(queues.map((q) => [q.id, { count: 0, runs: [] as SlotHolderRow[] }]));
  // The same queue page in every statement: the batch is one transaction.
  for (const c of counts) if (c.queueId) byQueue.get(c.queueId)!.count = c.n;
  for (const r of runs) if (r.work_queue_id) byQueue.get(r.work_queue_id)!.runs.push(r);
  return { pool: pools[0], active: countOf(active), queueCount: countOf(queueCount), queues, byQueue };
}
