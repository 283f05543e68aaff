import { and, asc, eq, getTableColumns, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { readPagedRows } from "../page";
import { pageInPool } from "./in-pool";
import { deployment, flowRun, workPool, workQueue } from "../schema";
import { whereOf, workQueueFilterSpec } from "../filters";
import { uuid4 } from "../../lib/ids";
import { isUniqueViolation, refusingViolations } from "../integrity";
import { integrityConflict } from "../../lib/errors";
import { addSeconds, isoNow, toIso } from "../../lib/time";
import { DEFAULT_AGENT_POOL_NAME, occupyingList, qualified, type PoolRow } from "./work-pools";
import type { WorkQueueCreate, WorkQueueFilter, WorkQueueResponse, WorkQueueUpdate } from "../../schemas/prefect.gen";

export type QueueRow = typeof workQueue.$inferSelect;
type Filter = WorkQueueFilter | null | undefined;

/** Prefect's foreman (and its unpause rule) treats a queue polled within the last minute as READY. */
const LAST_POLLED_TIMEOUT_SECONDS = 60;

/**
 * Which slot-occupying states `active_slots` counts: Prefect's /work_pools/{name}/queues routes
 * count PENDING and RUNNING, its legacy /work_queues/ routes CANCELLING too.
 */
export type SlotKind = "pool" | "queue";

/** READY falls back to NOT_READY once the last poll is a minute old, as Prefect's foreman does it. */
function queueStatusSql(now: string): SQL<string> {
  const threshold = addSeconds(now, -LAST_POLLED_TIMEOUT_SECONDS);
  return sql<string>`(CASE WHEN ${workQueue.status} = 'READY' AND (${workQueue.last_polled} IS NULL OR ${workQueue.last_polled} < ${threshold}) THEN 'NOT_READY' ELSE ${workQueue.status} END)`;
}

function queueActiveSlotsSql(kind: SlotKind): SQL<number | null> {
  return sql<number | null>`(CASE WHEN ${workQueue.concurrency_limit} IS NULL THEN NULL ELSE (SELECT count(*) FROM ${flowRun} WHERE ${flowRun.work_queue_id} = ${workQueue.id} AND ${flowRun.state_type} IN (${occupyingList(kind)})) END)`;
}

/**
 * Aliased so that every result column has its own name: a D1 batch answers rows as objects, where
 * the pool's `name` would overwrite the queue's.
 */
function queueSelection(kind: SlotKind) {
  return {
    ...getTableColumns(workQueue),
    work_pool_name: sql<string>`${workPool.name}`.as("work_pool_name"),
    status: queueStatusSql(isoNow()).as("derived_status"),
    active_slots: queueActiveSlotsSql(kind).as("active_slots"),
  };
}

type SelectedQueue = QueueRow & { work_pool_name: string; active_slots: number | null };

export function toQueueResponse(row: SelectedQueue): WorkQueueResponse {
  return {
    id: row.id,
    created: row.created,
    updated: row.updated,
    name: row.name,
    description: row.description,
    is_paused: row.is_paused,
    concurrency_limit: row.concurrency_limit,
    priority: row.priority,
    work_pool_id: row.work_pool_id,
    filter: row.filter ?? null,
    last_polled: row.last_polled,
    work_pool_name: row.work_pool_name,
    status: row.status as WorkQueueResponse["status"],
    active_slots: row.active_slots,
  };
}

function selectQueues(db: Db, kind: SlotKind) {
  return db.select(queueSelection(kind)).from(workQueue).innerJoin(workPool, eq(workPool.id, workQueue.work_pool_id)).$dynamic();
}

// ---- priorities ----

type Ranked = { id: string; priority: number };

/** The first priority not taken (filling gaps), else one past the last, as Prefect picks it. */
export function freePriority(taken: number[]): number {
  const sorted = [...taken].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) if (sorted[i] !== i + 1) return i + 1;
  return (sorted[sorted.length - 1] ?? 0) + 1;
}

/**
 * Prefect's priority rule: the queues in `wanted` take exactly their wanted priority; the others keep
 * their order and move down only as far as needed for priorities to stay unique. Answers every
 * queue's resulting priority.
 */
export function reprioritize(queues: Ranked[], wanted: Map<string, number>): Map<string, number> {
  const order: Ranked[] = queues.filter((q) => !wanted.has(q.id)).sort((a, b) => a.priority - b.priority).map((q) => ({ ...q }));
  const result = new Map<string, number>();
  const moved = [...wanted.entries()].sort((a, b) => a[1] - b[1]);
  for (const [id, priority] of moved) {
    result.set(id, priority);
    const at = order.findIndex((q) => q.priority >= priority);
    // Past every other queue, a wanted priority collides with nothing.
    if (at >= 0) order.splice(at, 0, { id, priority });
  }
  let last = 0;
  for (const q of order) {
    last = q.priority <= last ? last + 1 : q.priority;
    result.set(q.id, last);
  }
  return result;
}

/** The statements moving queues whose priority changed (all but `except`). */
function priorityUpdates(db: Db, queues: Ranked[], next: Map<string, number>, except: string, now: string) {
  return queues
    .filter((q) => q.id !== except && next.get(q.id) !== q.priority)
    .map((q) => db.update(workQueue).set({ priority: next.get(q.id)!, updated: now }).where(eq(workQueue.id, q.id)));
}

// ---- create ----

export type CreateQueueResult = { kind: "created"; queue: WorkQueueResponse } | { kind: "no_pool" } | { kind: "conflict" };

/** Creates a queue in the named pool: one read (pool and its priorities), one write batch. */
export async function createQueueInPool(db: Db, poolName: string, input: WorkQueueCreate): Promise<CreateQueueResult> {
  const [pools, queues] = await db.batch([
    db.select().from(workPool).where(eq(workPool.name, poolName)).limit(1),
    db
      .select({ id: workQueue.id, priority: workQueue.priority })
      .from(workQueue)
      .innerJoin(workPool, eq(workPool.id, workQueue.work_pool_id))
      .where(eq(workPool.name, poolName)),
  ]);
  const pool = pools[0];
  if (!pool) return { kind: "no_pool" };
  const now = isoNow();
  const id = uuid4();
  const priority = input.priority ?? freePriority(queues.map((q) => q.priority));
  const row: QueueRow = {
    id,
    created: now,
    updated: now,
    name: input.name,
    description: input.description,
    is_paused: input.is_paused,
    concurrency_limit: input.concurrency_limit ?? null,
    priority,
    last_polled: null,
    status: "NOT_READY",
    work_pool_id: pool.id,
    filter: input.filter ?? null,
  };
  const shifts = input.priority ? priorityUpdates(db, queues, reprioritize([...queues, { id, priority }], new Map([[id, priority]])), id, now) : [];
  try {
    await db.batch([db.insert(workQueue).values(row), ...shifts]);
  } catch (err) {
    if (isUniqueViolation(err)) return { kind: "conflict" };
    throw err;
  }
  const active_slots = row.concurrency_limit === null ? null : 0;
  return { kind: "created", queue: toQueueResponse({ ...row, work_pool_name: pool.name, active_slots }) };
}

// ---- reads ----

export async function readPoolQueue(db: Db, poolName: string, queueName: string): Promise<WorkQueueResponse | undefined> {
  const row = await selectQueues(db, "pool")
    .where(and(eq(workPool.name, poolName), eq(workQueue.name, queueName)))
    .get();
  return row && toQueueResponse(row);
}

/** The stored row of a pool's queue, for writes. */
export async function readPoolQueueRow(db: Db, poolName: string, queueName: string): Promise<{ queue: QueueRow; pool: PoolRow } | undefined> {
  const row = await db
    .select({ queue: workQueue, pool: workPool })
    .from(workQueue)
    .innerJoin(workPool, eq(workPool.id, workQueue.work_pool_id))
    .where(and(eq(workPool.name, poolName), eq(workQueue.name, queueName)))
    .get();
  return row ?? undefined;
}

export async function readQueueRow(db: Db, id: string): Promise<{ queue: QueueRow; pool: PoolRow } | undefined> {
  const row = await db
    .select({ queue: workQueue, pool: workPool })
    .from(workQueue)
    .innerJoin(workPool, eq(workPool.id, workQueue.work_pool_id))
    .where(eq(workQueue.id, id))
    .get();
  return row ?? undefined;
}

/** The stored rows of a pool's queues, by priority (then name). */
export function readPoolQueueRows(db: Db, poolId: string): Promise<QueueRow[]> {
  return db.select().from(workQueue).where(eq(workQueue.work_pool_id, poolId)).orderBy(asc(workQueue.priority), asc(workQueue.name));
}

/** A pool's queues by priority; null when the pool does not exist (one round trip). */
export async function filterPoolQueues(db: Db, poolName: string, filter: Filter, limit: number, offset: number): Promise<WorkQueueResponse[] | null> {
  const page = { where: whereOf(workQueueFilterSpec, filter), orderBy: [asc(workQueue.priority), asc(workQueue.name)], limit, offset };
  return (await pageInPool(db, poolName, selectQueues(db, "pool"), page))?.map(toQueueResponse) ?? null;
}

export async function readQueue(db: Db, id: string): Promise<WorkQueueResponse | undefined> {
  const row = await selectQueues(db, "queue").where(eq(workQueue.id, id)).get();
  return row && toQueueResponse(row);
}

/** By name in the default agent pool, or (before that pool exists) in any pool, as Prefect. */
export async function readLegacyQueueByName(db: Db, name: string): Promise<WorkQueueResponse | undefined> {
  const row = await selectQueues(db, "queue")
    .where(
      and(
        eq(workQueue.name, name),
        sql`(${workPool.name} = ${DEFAULT_AGENT_POOL_NAME} OR NOT EXISTS (SELECT 1 FROM ${workPool} WHERE ${workPool.name} = ${DEFAULT_AGENT_POOL_NAME}))`,
      ),
    )
    .orderBy(asc(workQueue.created))
    .get();
  return row && toQueueResponse(row);
}

export async function filterQueues(db: Db, filter: Filter, limit: number, offset: number): Promise<WorkQueueResponse[]> {
  const page = { where: whereOf(workQueueFilterSpec, filter), orderBy: [asc(workQueue.name), asc(workQueue.id)], limit, offset };
  return (await readPagedRows(db, selectQueues(db, "queue"), page)).map(toQueueResponse);
}

// ---- update / delete ----

/**
 * Applies the sent fields. Pausing marks the queue PAUSED; unpausing a PAUSED queue makes it
 * NOT_READY, or READY when polled within the last minute. A new priority shifts the other queues
 * of the pool as Prefect does. Renaming onto a taken name is Prefect's generic integrity 409.
 */
export async function updateQueue(db: Db, current: QueueRow, input: Partial<WorkQueueUpdate>): Promise<void> {
  const now = isoNow();
  const set: Partial<QueueRow> = { updated: now };
  if (input.name != null) set.name = input.name;
  if (input.description !== undefined) set.description = input.description;
  if (input.concurrency_limit !== undefined) set.concurrency_limit = input.concurrency_limit;
  if (input.filter !== undefined) set.filter = input.filter;
  if (input.last_polled !== undefined) set.last_polled = input.last_polled === null ? null : toIso(input.last_polled);
  if (input.is_paused != null) {
    set.is_paused = input.is_paused;
    if (input.is_paused && current.status !== "PAUSED") set.status = "PAUSED";
    if (!input.is_paused && current.status === "PAUSED") {
      const lastPolled = set.last_polled !== undefined ? set.last_polled : current.last_polled;
      const recent = !!lastPolled && lastPolled >= addSeconds(now, -LAST_POLLED_TIMEOUT_SECONDS);
      set.status = recent ? "READY" : "NOT_READY";
    }
  }
  if (input.priority == null) {
    await refusingViolations(db.update(workQueue).set(set).where(eq(workQueue.id, current.id)), integrityConflict);
    return;
  }
  set.priority = input.priority;
  const queues = await db
    .select({ id: workQueue.id, priority: workQueue.priority })
    .from(workQueue)
    .where(eq(workQueue.work_pool_id, current.work_pool_id));
  const next = reprioritize(queues, new Map([[current.id, input.priority]]));
  const writes = db.batch([db.update(workQueue).set(set).where(eq(workQueue.id, current.id)), ...priorityUpdates(db, queues, next, current.id, now)]);
  await refusingViolations(writes, integrityConflict);
}

/**
 * Deletes the queue; its runs and deployments lose their queue (Prefect's ON DELETE SET NULL).
 * Priorities are left as they are: removing a queue never makes two collide.
 */
export async function deleteQueue(db: Db, id: string): Promise<void> {
  await db.batch([
    db.update(flowRun).set({ work_queue_id: null, work_pool_id: null, work_pool_name: null }).where(eq(flowRun.work_queue_id, id)),
    db.update(deployment).set({ work_queue_id: null }).where(eq(deployment.work_queue_id, id)),
    db.delete(workQueue).where(eq(workQueue.id, id)),
  ]);
}

/** last_polled and the number of Late runs, for the queue's health status. */
export async function readQueueHealthInputs(db: Db, id: string): Promise<{ last_polled: string | null; late: number } | undefined> {
  const row = await db
    .select({
      last_polled: workQueue.last_polled,
      late: qualified(sql<number>`(SELECT count(*) FROM ${flowRun} WHERE ${flowRun.work_queue_id} = ${workQueue.id} AND ${flowRun.state_name} = 'Late')`),
    })
    .from(workQueue)
    .where(eq(workQueue.id, id))
    .get();
  return row ?? undefined;
}
