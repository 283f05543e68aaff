import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { deleteWhere } from "../rows";
import { pageInPool } from "./in-pool";
import { workPool, worker } from "../schema";
import { scalar, whereOf, type FilterSpec } from "../filters/core";
import { uuid4 } from "../../lib/ids";
import { isoNow } from "../../lib/time";
import type { WorkerFilter, WorkerResponse } from "../../schemas/prefect.gen";

/** Prefect's foreman defaults: a worker is offline after 3 missed heartbeats (30 s when it gave no interval). */
const INACTIVITY_HEARTBEAT_MULTIPLE = 3;
const FALLBACK_HEARTBEAT_INTERVAL_SECONDS = 30;

/**
 * A worker's status as Prefect's foreman would have left it: we have no foreman loop, so a stale
 * ONLINE row reads as OFFLINE at the moment it would have been marked so.
 */
export function workerStatusSql(now: string): SQL<string> {
  return sql<string>`(CASE WHEN ${worker.status} = 'ONLINE' AND (julianday(${now}) - julianday(${worker.last_heartbeat_time})) * 86400.0 <= coalesce(${worker.heartbeat_interval_seconds}, ${FALLBACK_HEARTBEAT_INTERVAL_SECONDS}) * ${INACTIVITY_HEARTBEAT_MULTIPLE} THEN 'ONLINE' ELSE 'OFFLINE' END)`;
}

/** True when the pool (of the enclosing query's `work_pool` row) has an online worker. */
export function poolHasOnlineWorkerSql(now: string): SQL<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM ${worker} WHERE ${worker.work_pool_id} = ${workPool.id} AND ${workerStatusSql(now)} = 'ONLINE')`;
}

const workerFilterSpec = (now: string): FilterSpec => ({
  last_heartbeat_time: scalar(worker.last_heartbeat_time),
  status: scalar(workerStatusSql(now)),
});

/**
 * Records a heartbeat: upserts the worker on (pool, name) and moves a NOT_READY pool to READY,
 * in one batch. False when the pool does not exist.
 */
export async function recordHeartbeat(
  db: Db,
  poolName: string,
  name: string,
  heartbeatIntervalSeconds: number | null | undefined,
): Promise<boolean> {
  const now = isoNow();
  const interval = heartbeatIntervalSeconds ?? null;
  // Raw statements: drizzle's D1 batch cannot carry a parameterized raw query.
  const d1 = (db as Db & { $client: D1Database }).$client;
  const [upsert] = await d1.batch([
    d1
      .prepare(
        `INSERT INTO worker (id, created, updated, work_pool_id, name, last_heartbeat_time, heartbeat_interval_seconds, status)
         SELECT ?1, ?2, ?2, id, ?3, ?2, ?4, 'ONLINE' FROM work_pool WHERE name = ?5
         ON CONFLICT (work_pool_id, name) DO UPDATE SET last_heartbeat_time = excluded.last_heartbeat_time, status = 'ONLINE',
           heartbeat_interval_seconds = coalesce(excluded.heartbeat_interval_seconds, worker.heartbeat_interval_seconds)
         RETURNING id`,
      )
      .bind(uuid4(), now, name, interval, poolName),
    d1
      .prepare(`UPDATE work_pool SET status = 'READY', updated = ?1, last_transitioned_status_at = ?1 WHERE name = ?2 AND status = 'NOT_READY'`)
      .bind(now, poolName),
  ]);
  return (upsert.results?.length ?? 0) > 0;
}

/** A pool's workers, latest heartbeat first; null when the pool does not exist (one round trip). */
export async function filterWorkers(db: Db, poolName: string, filter: WorkerFilter | null | undefined, limit: number, offset: number): Promise<WorkerResponse[] | null> {
  const now = isoNow();
  const query = db
    .select({
      id: worker.id,
      created: worker.created,
      updated: worker.updated,
      name: worker.name,
      work_pool_id: worker.work_pool_id,
      last_heartbeat_time: worker.last_heartbeat_time,
      heartbeat_interval_seconds: worker.heartbeat_interval_seconds,
      status: workerStatusSql(now).as("status"),
    })
    .from(worker)
    .innerJoin(workPool, eq(workPool.id, worker.work_pool_id))
    .$dynamic();
  const page = { where: whereOf(workerFilterSpec(now), filter), orderBy: [desc(worker.last_heartbeat_time), worker.id], limit, offset };
  return (await pageInPool(db, poolName, query, page)) as WorkerResponse[] | null;
}

export const deleteWorker = (db: Db, poolId: string, name: string): Promise<boolean> =>
  deleteWhere(db, worker, and(eq(worker.work_pool_id, poolId), eq(worker.name, name)));
