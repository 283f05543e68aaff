import { inList } from "../lists";
import { and, asc, desc, eq, inArray, lte, sql, type Column, type SQL } from "drizzle-orm";
import type { Statement, Batch } from "../batch";
import type { Db } from "../client";
import { listing, readPaged, readPagedWith, type Page } from "../page";
import type { Pieces } from "../../lib/pieces";
import { deployment, deploymentSchedule, flowRun, flowRunInput, flowRunState, log, taskRun, taskRunState } from "../schema";
import { flowRunWhere, flowRunWhereByState, type ResourceFilters } from "../filters";
import { FLOW_RUN_SORTS_BY_STATE, flowRunOrder, logOrder } from "../sorts";
import { isoNow } from "../../lib/time";
import { integrityConflict } from "../../lib/errors";

import { allAtNow, toFlowRunResponse, type FlowRunRow } from "./runs-serialize";
import type { FlowRunSort, FlowRunUpdate } from "../../schemas/prefect.gen";

export { flowRunOrder };

export type { FlowRunRow };

export async function readFlowRun(db: Db, id: string): Promise<FlowRunRow | undefined> {
  return db.select().from(flowRun).where(eq(flowRun.id, id)).get();
}


/** The SCHEDULED runs of some deployments, soonest first (what their workers poll for). */
export function scheduledRunsOfDeployments(db: Db, deploymentIds: string[], scheduledBefore: string | undefined, limit: number): Promise<FlowRunRow[]> {
  const conds = [inList(flowRun.deployment_id, deploymentIds), eq(flowRun.state_type, "SCHEDULED")];
  if (scheduledBefore) conds.push(lte(flowRun.next_scheduled_start_time, scheduledBefore));
  return db
    .select()
    .from(flowRun)
    .where(and(...conds))
    .orderBy(asc(flowRun.next_scheduled_start_time), asc(flowRun.id))
    .limit(limit);
}

/** The ids of the runs a filter matches, newest id first (bulk_set_state's order). */
export async function matchingFlowRunIds(db: Db, filters: ResourceFilters, limit: number): Promise<string[]> {
  const rows = await db.select({ id: flowRun.id }).from(flowRun).where(flowRunWhere(filters)).orderBy(desc(flowRun.id)).limit(limit);
  return rows.map((r) => r.id);
}

/** A page's branches by state type, where an index serves the sort within each (page.ts, pageOf). */
export const flowRunBranches = (f: ResourceFilters, sort: FlowRunSort): SQL[] | undefined =>
  FLOW_RUN_SORTS_BY_STATE.has(sort) ? flowRunWhereByState(f) : undefined;

const flowRuns = listing(
  flowRun,
  (f: ResourceFilters) => flowRunWhere(f),
  (sort: FlowRunSort) => flowRunOrder(sort),
  allAtNow(toFlowRunResponse),
  flowRunBranches,
);
export const { filter: filterFlowRuns, count: countFlowRuns, paginate: paginateFlowRuns } = flowRuns;

/** The columns a PATCH may set, as Prefect's FlowRunUpdate maps onto the ORM (only those sent). */
export async function updateFlowRun(db: Db, id: string, input: Partial<FlowRunUpdate>): Promise<boolean> {
  const set: Partial<typeof flowRun.$inferInsert> = { updated: isoNow() };
  if (input.name !== undefined && input.name !== null) set.name = input.name;
  // A run's name is NOT NULL: Prefect's update of an existing run to a null name is its
  // integrity-conflict 409 (nothing changes); of a missing run, its 404.
  if (input.name === null) {
    if (await readFlowRun(db, id)) throw integrityConflict();
    return false;
  }
  if (input.flow_version !== undefined) set.flow_version = input.flow_version;
  if (input.parameters !== undefined) set.parameters = input.parameters;
  if (input.empirical_policy !== undefined) set.empirical_policy = input.empirical_policy;
  if (input.tags !== undefined) set.tags = input.tags;
  if (input.infrastructure_pid !== undefined) set.infrastructure_pid = input.infrastructure_pid;
  if (input.job_variables !== undefined) set.job_variables = input.job_variables;
  const res = await db.update(flowRun).set(set).where(eq(flowRun.id, id)).returning({ id: flowRun.id });
  return res.length > 0;
}

/** Merges labels into the run's labels (existing keys overwritten). False when no such run. */
export async function mergeFlowRunLabels(db: Db, id: string, labels: Record<string, string | number | boolean>): Promise<boolean> {
  // Label values are scalars, so json_patch is the shallow merge (no null deletes, no object merges).
  const current = sql`coalesce(${flowRun.labels}, '{}')`;
  const res = await db
    .update(flowRun)
    .set({ labels: sql`json_patch(${current}, ${JSON.stringify(labels)})`, updated: isoNow() })
    .where(and(eq(flowRun.id, id), sql`json_valid(${current})`))
    .returning({ id: flowRun.id });
  if (res.length > 0) return true;
  // Labels SQLite cannot read: a value nested deeper than its JSON functions go (1 000 levels),
  // stored before labels were held to KeyValueLabels. Merged here, keeping only their scalar
  // values (what KeyValueLabels holds), so the run is updatable again.
  const row = await db.select({ labels: flowRun.labels }).from(flowRun).where(eq(flowRun.id, id)).get();
  if (!row) return false;
  const stored: Record<string, unknown> = row.labels && typeof row.labels === "object" && !Array.isArray(row.labels) ? row.labels : {};
  const scalars = Object.entries(stored).filter(([, v]) => ["string", "number", "boolean"].includes(typeof v));
  await db
    .update(flowRun)
    .set({ labels: { ...Object.fromEntries(scalars), ...labels }, updated: isoNow() })
    .where(eq(flowRun.id, id));
  return true;
}

/**
 * The deletes Prefect's foreign keys cascade to when flow runs go (their states, task runs and
 * the task runs' states, inputs), plus the logs Prefect removes right after; subflow runs of the
 * deleted task runs survive with parent_task_run_id set to null. `runIds` is a list or a subquery.
 */
export function flowRunCascade(db: Db, runIds: string[] | SQL): Statement[] {
  const inRuns = (col: Column | SQL) => (Array.isArray(runIds) ? inList(col, runIds) : sql`${col} IN ${runIds}`);
  const taskIds = sql`(SELECT ${taskRun.id} FROM ${taskRun} WHERE ${inRuns(taskRun.flow_run_id)})`;
  return [
    db.update(flowRun).set({ parent_task_run_id: null }).where(sql`${flowRun.parent_task_run_id} IN ${taskIds}`),
    db.delete(taskRunState).where(sql`${taskRunState.task_run_id} IN ${taskIds}`),
    db.delete(log).where(sql`${log.task_run_id} IN ${taskIds}`),
    db.delete(taskRun).where(inRuns(taskRun.flow_run_id)),
    db.delete(flowRunState).where(inRuns(flowRunState.flow_run_id)),
    db.delete(flowRunInput).where(inRuns(flowRunInput.flow_run_id)),
    db.delete(log).where(inRuns(log.flow_run_id)),
  ];
}

export type DeletedRun = Pick<FlowRunRow, "id" | "work_queue_id" | "state_type">;

/** Deletes the runs and everything under them in one round trip; answers the runs that existed. */
export async function deleteFlowRuns(db: Db, ids: string[]): Promise<DeletedRun[]> {
  if (!ids.length) return [];
  const statements = [
    ...flowRunCascade(db, ids),
    db
      .delete(flowRun)
      .where(inList(flowRun.id, ids))
      .returning({ id: flowRun.id, work_queue_id: flowRun.work_queue_id, state_type: flowRun.state_type }),
  ];
  const results = await db.batch(statements as Batch);
  return results[results.length - 1] as DeletedRun[];
}

/**
 * Prefect's bulk delete: up to `limit` runs matching the flow-run filter (ID_DESC). The ids are
 * chosen first (deleting task runs and unparenting subflows could change what a filter matches
 * mid-batch), then deleted in one batch.
 */
export async function bulkDeleteFlowRuns(db: Db, filters: ResourceFilters, limit: number): Promise<DeletedRun[]> {
  const ids = await db
    .select({ id: flowRun.id })
    .from(flowRun)
    .where(flowRunWhere(filters))
    .orderBy(desc(flowRun.id))
    .limit(limit);
  const deleted = await deleteFlowRuns(
    db,
    ids.map((r) => r.id),
  );
  // Answer in the order the runs were selected.
  const order = new Map(ids.map((r, i) => [r.id, i]));
  return deleted.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/** A timestamp column as integer microseconds since the epoch (stored ISO text, `Z`). */
export function micros(col: SQL | Parameters<typeof inArray>[0]): SQL {
  return sql`(unixepoch(substr(${col}, 1, 19)) * 1000000 + CAST(substr(replace(substr(${col}, 21), 'Z', '') || '000000', 1, 6) AS INTEGER))`;
}

const TERMINAL = sql.raw(`('COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED')`);

/** Prefect's estimated_run_time of a run row, in seconds, evaluated at `nowMicros`. */
export function estimatedRunTimeSql(t: typeof flowRun | typeof taskRun, nowMicros: number): SQL {
  return sql`(CASE WHEN ${t.state_type} = 'RUNNING' AND ${t.state_timestamp} IS NOT NULL THEN ${t.total_run_time} + (${nowMicros} - ${micros(t.state_timestamp)}) / 1000000.0 ELSE ${t.total_run_time} END)`;
}

/** Prefect's estimated_start_time_delta (lateness) of a run row, in seconds, at `now`. */
export function estimatedLatenessSql(t: typeof flowRun | typeof taskRun, now: string, nowMicros: number): SQL {
  return sql`(CASE
    WHEN ${t.start_time} > ${t.expected_start_time} THEN (${micros(t.start_time)} - ${micros(t.expected_start_time)}) / 1000000.0
    WHEN ${t.start_time} IS NULL AND ${t.state_type} NOT IN ${TERMINAL} AND ${t.expected_start_time} < ${now}
      THEN (${nowMicros} - ${micros(t.expected_start_time)}) / 1000000.0
    ELSE 0 END)`;
}

/** Average lateness in seconds of the matching runs, null when none match. */
export async function averageLateness(db: Db, filters: ResourceFilters, now: string, nowMicros: number): Promise<number | null> {
  const row = await db
    .select({ avg: sql<number | null>`avg(${estimatedLatenessSql(flowRun, now, nowMicros)})` })
    .from(flowRun)
    .where(flowRunWhere(filters))
    .get();
  return row?.avg ?? null;
}

const runLogsSelect = (db: Db) =>
  db.select({ timestamp: log.timestamp, level: log.level, flow_run_id: log.flow_run_id, task_run_id: log.task_run_id, message: log.message }).from(log).$dynamic();

const runLogsPage = (flowRunId: string, limit: number, offset: number): Page => ({ where: eq(log.flow_run_id, flowRunId), orderBy: logOrder("TIMESTAMP_ASC"), limit, offset });

export type RunLog = Awaited<ReturnType<typeof runLogsSelect>>[number];

/** The run's name and the first page of its logs (oldest first, in pieces: page.ts), in one round trip. */
export async function runWithFirstLogs(db: Db, flowRunId: string, limit: number): Promise<{ name: string; logs: Pieces<RunLog> } | undefined> {
  const [logs, run] = await readPagedWith(db, runLogsSelect(db), runLogsPage(flowRunId, limit, 0), db.select({ name: flowRun.name }).from(flowRun).where(eq(flowRun.id, flowRunId)));
  return run[0] && { name: run[0].name, logs };
}

/** A page of a run's logs, oldest first, in pieces. */
export function runLogs(db: Db, flowRunId: string, limit: number, offset: number): Promise<Pieces<RunLog>> {
  return readPaged(db, runLogsSelect(db), runLogsPage(flowRunId, limit, offset));
}


/** Deletes of flows' deployments and their schedules (Prefect's flow_id / deployment_id cascades). */
export function deploymentsOfFlows(db: Db, flowIds: string[]): Statement[] {
  const deploymentIds = db.select({ id: deployment.id }).from(deployment).where(inList(deployment.flow_id, flowIds));
  return [
    db.delete(deploymentSchedule).where(inArray(deploymentSchedule.deployment_id, deploymentIds)),
    db.delete(deployment).where(inList(deployment.flow_id, flowIds)),
  ];
}
