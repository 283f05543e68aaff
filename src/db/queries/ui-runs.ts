import { and, count, eq, isNotNull, sql, type SQL } from "drizzle-orm";
import { inList } from "../lists";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "../client";
import { pageOf, readPagedRows } from "../page";
import { deployment, flowRun, taskRun } from "../schema";
import { flowRunWhere, taskRunWhere, type ResourceFilters } from "../filters";
import { flowRunOrder } from "../sorts";
import { flowRunBranches, micros } from "./flow-runs";
import { isoToMicros } from "./run-history";
import { estimatedRunTime, estimatedStartTimeDelta, toTaskRun } from "./runs-serialize";
import { normalizeUuid } from "../../lib/ids";
import { isoNow } from "../../lib/time";
import type { CountByState, FlowRunSort, SimpleFlowRun, SimpleNextFlowRun, UITaskRun } from "../../schemas/prefect.gen";

// ---- flows ----

/**
 * The rows of `table` per id in `column`, every asked id present (0 when it has none), in the
 * order asked; `also` narrows the rows counted.
 */
async function countPerId(db: Db, table: SQLiteTable, column: SQLiteColumn, askedIds: string[], also?: SQL): Promise<Record<string, number>> {
  const ids = askedIds.map(normalizeUuid);
  const rows = ids.length
    ? await db
        .select({ id: column, n: count() })
        .from(table)
        .where(and(inList(column, [...new Set(ids)]), also))
        .groupBy(column)
    : [];
  const counts = new Map(rows.map((r) => [r.id as string, r.n]));
  return Object.fromEntries(ids.map((id) => [id, counts.get(id) ?? 0]));
}

/** Deployments per flow, every asked flow present (0 when it has none), in the order asked. */
export const countDeploymentsByFlow = (db: Db, flowIds: string[]): Promise<Record<string, number>> =>
  countPerId(db, deployment, deployment.flow_id, flowIds);

/** Each flow's SCHEDULED run due first (null when it has none). */
export async function nextRunsByFlow(db: Db, flowIds: string[]): Promise<Record<string, SimpleNextFlowRun | null>> {
  const ids = flowIds.map(normalizeUuid);
  const found = new Map<string, SimpleNextFlowRun>();
  if (ids.length) {
    const first = sql`(SELECT min(f2.next_scheduled_start_time) FROM ${flowRun} AS f2 WHERE f2.flow_id = ${flowRun.flow_id} AND f2.state_type = 'SCHEDULED')`;
    const rows = await db
      .select({
        id: flowRun.id,
        flow_id: flowRun.flow_id,
        name: flowRun.name,
        state_name: flowRun.state_name,
        state_type: flowRun.state_type,
        next_scheduled_start_time: flowRun.next_scheduled_start_time,
      })
      .from(flowRun)
      .where(and(inList(flowRun.flow_id, [...new Set(ids)]), eq(flowRun.state_type, "SCHEDULED"), sql`${flowRun.next_scheduled_start_time} = ${first}`))
      .orderBy(sql`${flowRun}.rowid`);
    for (const r of rows) found.set(r.flow_id, r as SimpleNextFlowRun);
  }
  return Object.fromEntries(ids.map((id) => [id, found.get(id) ?? null]));
}

// ---- flow runs ----

/** The UI's flow-run history: each matching run's state, start (or expected start), duration and lateness. */
export async function flowRunHistory(db: Db, filters: ResourceFilters, sort: FlowRunSort, limit: number, offset: number): Promise<SimpleFlowRun[]> {
  const query = () => db
    .select({
      id: flowRun.id,
      state_type: flowRun.state_type,
      state_timestamp: flowRun.state_timestamp,
      start_time: flowRun.start_time,
      expected_start_time: flowRun.expected_start_time,
      total_run_time: flowRun.total_run_time,
    })
    .from(flowRun)
    .$dynamic();
  const rows = await readPagedRows(db, query(), pageOf(query, flowRun, { where: flowRunWhere(filters), orderBy: flowRunOrder(sort), limit, offset }, flowRunBranches(filters, sort)));
  const now = isoNow();
  return rows.map((r) => ({
    id: r.id,
    state_type: r.state_type as SimpleFlowRun["state_type"],
    timestamp: (r.start_time ?? r.expected_start_time)!,
    duration: estimatedRunTime(r, now),
    lateness: estimatedStartTimeDelta(r, now),
  }));
}

/** Task runs per flow run, not counting the task runs that stand for subflow runs. */
export const countTaskRunsByFlowRun = (db: Db, flowRunIds: string[]): Promise<Record<string, number>> =>
  countPerId(db, taskRun, taskRun.flow_run_id, flowRunIds, sql`NOT EXISTS (SELECT 1 FROM ${flowRun} WHERE ${flowRun.parent_task_run_id} = ${taskRun.id})`);

// ---- task runs ----

const TERMINAL = ["COMPLETED", "CANCELLED", "FAILED", "CRASHED"];
const DASHBOARD_BUCKETS = 20;

/** The end of the minute holding `iso` (hh:mm:59.999999), in microseconds. */
function endOfMinute(iso: string): number {
  const us = isoToMicros(iso);
  return Math.floor(us / 60_000_000) * 60_000_000 + 59_999_999;
}

/**
 * The dashboard's terminal task runs in 20 equal buckets from the minute of
 * `task_runs.start_time.after_` to the end of the minute of `before_` (or now), each counting
 * the completed (COMPLETED, CANCELLED) and failed (FAILED, CRASHED) runs that started in it.
 */
export async function dashboardTaskRunCounts(db: Db, filters: ResourceFilters, after: string, before: string | null | undefined) {
  const start = Math.floor(isoToMicros(after) / 60_000_000) * 60_000_000;
  const end = endOfMinute(before ?? isoNow());
  const delta = (end - start) / DASHBOARD_BUCKETS;
  const buckets = Array.from({ length: DASHBOARD_BUCKETS }, () => ({ completed: 0, failed: 0 }));
  if (delta <= 0) return buckets;
  const taskRunFilter = { ...(filters.task_runs ?? {}), state: { type: { any_: TERMINAL } } };
  const bucket = sql<number>`CAST(floor((${micros(taskRun.start_time)} - ${sql.raw(String(start))}) / ${sql.raw(String(delta))}) AS INTEGER)`;
  const rows = await db
    .select({
      bucket,
      failed: sql<number>`sum(CASE WHEN ${taskRun.state_type} IN ('FAILED', 'CRASHED') THEN 1 ELSE 0 END)`,
      completed: sql<number>`sum(CASE WHEN ${taskRun.state_type} IN ('FAILED', 'CRASHED') THEN 0 ELSE 1 END)`,
    })
    .from(taskRun)
    .where(and(taskRunWhere({ ...filters, task_runs: taskRunFilter }), isNotNull(taskRun.start_time)))
    .groupBy(bucket);
  for (const r of rows) {
    if (r.bucket >= 0 && r.bucket < DASHBOARD_BUCKETS) buckets[r.bucket] = { completed: Number(r.completed), failed: Number(r.failed) };
  }
  return buckets;
}

const STATE_TYPES = ["COMPLETED", "PENDING", "RUNNING", "FAILED", "CANCELLED", "CRASHED", "PAUSED", "CANCELLING", "SCHEDULED"] as const;

/** Matching task runs per state type, every type present. */
export async function countTaskRunsByState(db: Db, filters: ResourceFilters): Promise<CountByState> {
  const rows = await db
    .select({ state_type: taskRun.state_type, n: count() })
    .from(taskRun)
    .where(and(taskRunWhere(filters), isNotNull(taskRun.state_type)))
    .groupBy(taskRun.state_type);
  const out = Object.fromEntries(STATE_TYPES.map((t) => [t, 0])) as CountByState;
  for (const r of rows) if (r.state_type && r.state_type in out) (out as Record<string, number>)[r.state_type] = r.n;
  return out;
}

/** A task run with the name of its flow run (null without one). */
export async function readTaskRunWithFlowRunName(db: Db, id: string): Promise<UITaskRun | undefined> {
  const row = await db
    .select({ run: taskRun, flow_run_name: flowRun.name })
    .from(taskRun)
    .leftJoin(flowRun, eq(flowRun.id, taskRun.flow_run_id))
    .where(eq(taskRun.id, id))
    .get();
  if (!row) return undefined;
  return { ...toTaskRun(row.run), flow_run_name: row.flow_run_name ?? null } as UITaskRun;
}
