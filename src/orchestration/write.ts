import { and, desc, eq, gt, isNull, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { preparedWrite } from "../db/prepared";
import { flowRun, flowRunState, taskRun, taskRunState } from "../db/schema";
import type { Statement } from "../db/queries/events";
import type { FlowRunRow, TaskRunRow } from "../db/queries/runs-serialize";
import { toState } from "../schemas/serialize";
import type { RunState } from "./states";
import { ApiError } from "../lib/errors";

/**
 * How a transition is stored: the state row and the run's denormalized fields, in the same D1
 * batch (one transaction). The state insert is guarded by the run's current state id: if
 * another request changed the run's state since it was read, the guard yields NULL for the
 * NOT NULL run id, the batch fails as a whole, and the caller orchestrates again from the new
 * state — the optimistic equivalent of Prefect's row lock.
 */

export const STALE_RUN_MARKER = /NOT NULL constraint failed: (flow_run_state\.flow_run_id|task_run_state\.task_run_id)/;

/**
 * Answered when a run's state kept changing under every attempt: a retryable 503, as Prefect
 * answers database contention (its client retries 503s).
 */
export const contendedRun = () => new ApiError(503, "The run's state changed concurrently on every attempt; retry the request.");

export function isStaleRunError(err: unknown): boolean {
  for (let e: any = err; e; e = e.cause) if (STALE_RUN_MARKER.test(String(e.message ?? e))) return true;
  return false;
}

const stateRow = (s: RunState) => ({
  id: s.id,
  created: s.timestamp,
  updated: s.timestamp,
  type: s.type,
  timestamp: s.timestamp,
  name: s.name,
  message: s.message,
  state_details: s.state_details,
  data: s.data ?? null,
});

const runStateFields = (s: RunState, now: string) => ({
  state_id: s.id,
  state: toState(s),
  updated: now,
});

/**
 * The run fields orchestration owns (others — tags, parameters … — are left to concurrent
 * updates), only those that changed from `before` when given: SQLite then updates only the
 * indexes of those columns.
 */
function orchestratedFields(run: FlowRunRow | TaskRunRow, before?: FlowRunRow | TaskRunRow) {
  const all: Record<string, unknown> = {
    state_type: run.state_type,
    state_name: run.state_name,
    state_timestamp: run.state_timestamp,
    run_count: run.run_count,
    start_time: run.start_time,
    end_time: run.end_time,
    total_run_time: run.total_run_time,
    expected_start_time: run.expected_start_time,
    next_scheduled_start_time: run.next_scheduled_start_time,
    empirical_policy: run.empirical_policy,
  };
  if (!before) return all;
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    const was = (before as Record<string, unknown>)[key];
    if (key === "empirical_policy" ? JSON.stringify(was) !== JSON.stringify(value) : was !== value) changed[key] = value;
  }
  return changed;
}

export function runStateOf(row: { state: unknown }): RunState | null {
  return row.state ? (toState(row.state as any) as RunState) : null;
}

const placeholders = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, sql.placeholder(k)]));

/**
 * Statements storing a flow-run transition, the state insert guarded by the state id read
 * (`guard.stateId`). Their SQL is built once per shape (see preparedWrite): this is the hot path.
 */
export function flowRunTransitionStatements(
  db: Db,
  run: FlowRunRow,
  state: RunState,
  guard: { stateId: string | null },
  now: string,
  before?: FlowRunRow,
): D1PreparedStatement[] {
  const row = stateRow(state);
  const insert = preparedWrite(
    db,
    "flow_run_state:guarded",
    () =>
      db.insert(flowRunState).values({
        ...(placeholders(Object.keys(row)) as unknown as typeof row),
        flow_run_id: sql`(SELECT ${flowRun.id} FROM ${flowRun} WHERE ${flowRun.id} = ${sql.placeholder("run_id")} AND ${flowRun.state_id} IS ${sql.placeholder("guard")})` as unknown as string,
      }),
    { ...row, run_id: run.id, guard: guard.stateId },
  );
  const fields = { ...orchestratedFields(run, before), ...runStateFields(state, now) };
  const keys = Object.keys(fields);
  const update = preparedWrite(
    db,
    `flow_run:${keys.join(",")}`,
    () => db.update(flowRun).set(placeholders(keys)).where(eq(flowRun.id, sql.placeholder("run_id"))),
    { ...fields, run_id: run.id },
  );
  return [insert, update];
}

export function taskRunTransitionStatements(db: Db, run: TaskRunRow, state: RunState, guard: { stateId: string | null } | null, now: string): Statement[] {
  const runId = guard
    ? sql`(SELECT ${taskRun.id} FROM ${taskRun} WHERE ${taskRun.id} = ${run.id} AND ${taskRun.state_id} IS ${guard.stateId})`
    : run.id;
  return [
    db.insert(taskRunState).values({ ...stateRow(state), task_run_id: runId as string }),
    db
      .update(taskRun)
      .set({
        ...orchestratedFields(run),
        flow_run_run_count: run.flow_run_run_count,
        cache_key: run.cache_key,
        cache_expiration: run.cache_expiration,
        ...runStateFields(state, now),
      })
      .where(eq(taskRun.id, run.id)),
  ];
}

/** The newest unexpired COMPLETED state cached under `key` by a task run. */
export async function cachedTaskState(db: Db, key: string, now: string): Promise<RunState | null> {
  const row = await db
    .select({ state: taskRun.state })
    .from(taskRun)
    .where(and(eq(taskRun.cache_key, key), eq(taskRun.state_type, "COMPLETED"), or(isNull(taskRun.cache_expiration), gt(taskRun.cache_expiration, now))))
    .orderBy(desc(taskRun.state_timestamp))
    .limit(1)
    .get();
  return row ? runStateOf(row) : null;
}
