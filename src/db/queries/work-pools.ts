import { asc, eq, getTableColumns, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { countWhere, readPaged } from "../page";
import { mapPieces, type Pieces } from "../../lib/pieces";
import { deployment, flowRun, workPool, workQueue, worker } from "../schema";
import { whereOf, workPoolFilterSpec } from "../filters";
import { OCCUPYING } from "../../schemas/states";
import { uuid4 } from "../../lib/ids";
import { isoNow } from "../../lib/time";
import { poolHasOnlineWorkerSql } from "./workers";
import type { WorkPoolCreate, WorkPoolFilter, WorkPoolResponse, WorkPoolUpdate } from "../../schemas/prefect.gen";
import { isUniqueViolation } from "../integrity";

export type PoolRow = typeof workPool.$inferSelect;

export const DEFAULT_QUEUE_NAME = "default";
export const DEFAULT_QUEUE_DESCRIPTION = "The work pool's default queue.";
/** The pool the legacy /work_queues/ routes put queues in when none is named. */
export const DEFAULT_AGENT_POOL_NAME = "default-agent-pool";
const AGENT_POOL_TYPE = "prefect-agent";

const STORAGE_DEFAULTS = { bundle_upload_step: null, bundle_execution_step: null, default_result_storage_block_id: null };

/** The slot-occupying states `active_slots` counts for a pool or a queue (the slot ledgers' lists). */
export const occupyingList = (kind: "queue" | "pool") => sql.join(OCCUPYING[kind].map((s) => sql`${s}`), sql`, `);

/**
 * The pool's status as Prefect's foreman would have left it: READY falls back to NOT_READY once no
 * worker is online (we derive this at read time instead of running a loop).
 */
function poolStatusSql(now: string): SQL<string> {
  return sql<string>`(CASE WHEN ${workPool.status} = 'READY' AND NOT ${poolHasOnlineWorkerSql(now)} THEN 'NOT_READY' ELSE ${workPool.status} END)`;
}

/** Runs holding a slot of the pool, counted only when the pool has a limit (else null), as Prefect. */
const poolActiveSlotsSql = sql<number | null>`(CASE WHEN ${workPool.concurrency_limit} IS NULL THEN NULL ELSE (SELECT count(*) FROM ${flowRun} JOIN ${workQueue} ON ${workQueue.id} = ${flowRun.work_queue_id} WHERE ${workQueue.work_pool_id} = ${workPool.id} AND ${flowRun.state_type} IN (${occupyingList("pool")})) END)`;

/**
 * Drizzle writes the columns of a single-table selection without their table name, which would
 * make correlated subqueries ambiguous; columns inside a nested SQL chunk keep it.
 */
export const qualified = <T>(expr: SQL<T>) => sql<T>`${expr}`;

function poolSelection(now: string) {
  return { ...getTableColumns(workPool), status: qualified(poolStatusSql(now)).as("status"), active_slots: qualified(poolActiveSlotsSql).as("active_slots") };
}

type SelectedPool = PoolRow & { active_slots: number | null };

export function toPoolResponse(row: SelectedPool): WorkPoolResponse {
  return {
    id: row.id,
    created: row.created,
    updated: row.updated,
    name: row.name,
    description: row.description,
    type: row.type,
    base_job_template: row.base_job_template,
    is_paused: row.is_paused,
    concurrency_limit: row.concurrency_limit,
    status: row.status as WorkPoolResponse["status"],
    default_queue_id: row.default_queue_id,
    storage_configuration: { ...STORAGE_DEFAULTS, ...(row.storage_configuration ?? {}) },
    active_slots: row.active_slots,
  };
}

/**
 * Creates the pool and its `default` queue in one batch. Null when the name is taken.
 * Answered from the values written; a new pool holds no slots (active_slots 0 under a limit).
 */
export async function createPool(db: Db, input: WorkPoolCreate): Promise<WorkPoolResponse | null> {
  const now = isoNow();
  const poolId = uuid4();
  const queueId = uuid4();
  const status = input.type !== AGENT_POOL_TYPE && input.is_paused ? "PAUSED" : "NOT_READY";
  const pool: PoolRow = {
    id: poolId,
    created: now,
    updated: now,
    name: input.name,
    description: input.description ?? null,
    type: input.type,
    base_job_template: input.base_job_template,
    is_paused: input.is_paused,
    concurrency_limit: input.concurrency_limit ?? null,
    status,
    default_queue_id: queueId,
    storage_configuration: { ...STORAGE_DEFAULTS, ...input.storage_configuration },
    last_transitioned_status_at: null,
  };
  try {
    await db.batch([
      db.insert(workPool).values(pool),
      db.insert(workQueue).values({
        id: queueId,
        created: now,
        updated: now,
        name: DEFAULT_QUEUE_NAME,
        description: DEFAULT_QUEUE_DESCRIPTION,
        priority: 1,
        work_pool_id: poolId,
      }),
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
  return toPoolResponse({ ...pool, active_slots: pool.concurrency_limit === null ? null : 0 });
}

export async function readPoolByName(db: Db, name: string): Promise<WorkPoolResponse | undefined> {
  const row = await db.select(poolSelection(isoNow())).from(workPool).where(eq(workPool.name, name)).get();
  return row && toPoolResponse(row);
}

/** The stored row, for routes that only need the pool's id / default queue. */
export async function readPoolRow(db: Db, name: string): Promise<PoolRow | undefined> {
  return db.select().from(workPool).where(eq(workPool.name, name)).get();
}

type Filter = WorkPoolFilter | null | undefined;

export async function filterPools(db: Db, filter: Filter, limit: number, offset: number): Promise<Pieces<WorkPoolResponse>> {
  const page = { where: whereOf(workPoolFilterSpec, filter), orderBy: [asc(workPool.name)], limit, offset };
  return mapPieces(await readPaged(db, db.select(poolSelection(isoNow())).from(workPool).$dynamic(), page), (piece) => piece.map(toPoolResponse));
}

export const countPools = (db: Db, filter: Filter): Promise<number> => countWhere(db, workPool, whereOf(workPoolFilterSpec, filter));

/**
 * Applies the sent fields in one statement. Pausing makes the pool PAUSED; unpausing makes it
 * READY when a worker is online, else NOT_READY (agent pools keep their status), as Prefect.
 */
export async function updatePool(db: Db, name: string, input: Partial<WorkPoolUpdate>): Promise<boolean> {
  const now = isoNow();
  const set: Record<string, unknown> = { updated: now };
  if (input.description !== undefined) set.description = input.description;
  if (input.concurrency_limit !== undefined) set.concurrency_limit = input.concurrency_limit;
  // Null for a non-nullable column means "leave as is".
  if (input.base_job_template != null) set.base_job_template = input.base_job_template;
  if (input.storage_configuration != null) set.storage_configuration = { ...STORAGE_DEFAULTS, ...input.storage_configuration };
  if (input.is_paused != null) {
    set.is_paused = input.is_paused;
    const next = input.is_paused ? sql`'PAUSED'` : sql`(CASE WHEN ${poolHasOnlineWorkerSql(now)} THEN 'READY' ELSE 'NOT_READY' END)`;
    set.status = sql`(CASE WHEN ${workPool.type} = ${AGENT_POOL_TYPE} THEN ${workPool.status} ELSE ${next} END)`;
    set.last_transitioned_status_at = now;
  }
  const res = await db.update(workPool).set(set).where(eq(workPool.name, name)).returning({ id: workPool.id });
  return res.length > 0;
}

/**
 * Deletes the pool with its queues and workers in one batch; runs and deployments of its queues
 * lose their queue (Prefect's ON DELETE SET NULL). False when there is no such pool.
 */
export async function deletePool(db: Db, name: string): Promise<boolean> {
  const poolId = db.select({ id: workPool.id }).from(workPool).where(eq(workPool.name, name));
  const queueIds = db.select({ id: workQueue.id }).from(workQueue).where(inArray(workQueue.work_pool_id, poolId));
  const results = await db.batch([
    db
      .update(flowRun)
      .set({ work_queue_id: null, work_pool_id: null, work_pool_name: null })
      .where(inArray(flowRun.work_queue_id, queueIds)),
    db.update(deployment).set({ work_queue_id: null }).where(inArray(deployment.work_queue_id, queueIds)),
    db.delete(worker).where(inArray(worker.work_pool_id, poolId)),
    db.delete(workQueue).where(inArray(workQueue.work_pool_id, poolId)),
    db.delete(workPool).where(eq(workPool.name, name)).returning({ id: workPool.id }),
  ]);
  return results[4].length > 0;
}
