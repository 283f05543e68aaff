import { and, desc, eq, gt, isNull, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { preparedStatement } from "../db/prepared";
import { flowRun, flowRunState, taskRun, taskRunState } from "../db/schema";
import type { StoredEvent } from "../db/queries/events";
import type { Statement } from "../db/batch";
import { unchangedSnapshotRunId } from "../db/queries/flow-run-snapshot";
import { flowRunStateStored } from "../db/queries/run-states";
import { eventOutboxStatement } from "../db/queries/event-outbox";
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
 * What a flow-run transition's writes are conditioned on:
 * - `stateId`: the state id the decision read; if the run's state changed since, the batch fails
 *   as a whole (isStaleRunError) — for batches holding other writes (a subflow's task run …);
 * - `snapshot`: the whole snapshot the decision read (flow-run-snapshot.ts); if anything in it
 *   changed, the transition's statements write nothing and the rest of the batch still runs.
 */
export type FlowRunGuard = { stateId: string | null } | { snapshot: string };

/**
 * Statements storing a flow-run transition: the state row, the run's fields (only if that state
 * row was stored) and, given, the state-change event (likewise). Their SQL is built once per shape
 * (see preparedStatement): this is the hot path.
 */
export function flowRunTransitionStatements(
  db: Db,
  run: FlowRunRow,
  state: RunState,
  guard: FlowRunGuard,
  now: string,
  opts: { before?: FlowRunRow; events?: StoredEvent[] } = {},
): D1PreparedStatement[] {
  const row = stateRow(state);
  const values = placeholders(Object.keys(row)) as unknown as typeof row;
  const insert =
    "snapshot" in guard
      ? preparedStatement(
          db,
          "flow_run_state:unchanged-snapshot",
          () => orIgnore(db.insert(flowRunState).values({ ...values, flow_run_id: unchangedSnapshotRunId(db) as unknown as string })),
          { ...row, run_id: run.id, snapshot: guard.snapshot },
        )
      : preparedStatement(
          db,
          "flow_run_state:guarded",
          () =>
            db.insert(flowRunState).values({
              ...values,
              flow_run_id: sql`(SELECT ${flowRun.id} FROM ${flowRun} WHERE ${flowRun.id} = ${sql.placeholder("run_id")} AND ${flowRun.state_id} IS ${sql.placeholder("guard")})` as unknown as string,
            }),
          { ...row, run_id: run.id, guard: guard.stateId },
        );
  const fields = { ...orchestratedFields(run, opts.before), ...runStateFields(state, now) };
  const keys = Object.keys(fields);
  const update = preparedStatement(
    db,
    `flow_run:${keys.join(",")}`,
    () => db.update(flowRun).set(placeholders(keys)).where(and(eq(flowRun.id, sql.placeholder("run_id")), flowRunStateStored())),
    { ...fields, run_id: run.id },
  );
  const statements = [insert, update];
  if (opts.events?.length) statements.push(eventOutboxStatement(db, opts.events, { ifStateStored: state.id }));
  return statements;
}

/**
 * A new run's row, without its state (the transition statements after it store that, guarded by
 * the run having none yet); nothing if a run with its id or idempotency key exists.
 */
export function newFlowRunStatement(db: Db, run: FlowRunRow): D1PreparedStatement {
  const row = { ...run, state_type: null, state_name: null, state_timestamp: null };
  const keys = Object.keys(row);
  return preparedStatement(
    db,
    `flow_run:insert:${keys.join(",")}`,
    () => db.insert(flowRun).values(placeholders(keys) as unknown as typeof row).onConflictDoNothing(),
    row,
  );
}

/** An INSERT that skips, instead of failing, a row violating NOT NULL (SQLite's OR IGNORE). */
function orIgnore(insert: { toSQL(): { sql: string; params: unknown[] } }) {
  return {
    toSQL() {
      const query = insert.toSQL();
      return { ...query, sql: query.sql.replace(/^insert into/, "insert or ignore into") };
    },
  };
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
