import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { taskRun, taskRunState } from "../schema";
import { uuid4 } from "../../lib/ids";
import type { Statement } from "../batch";

export type TaskRunColumns = Partial<typeof taskRun.$inferInsert>;

export interface RecordedState {
  id: string;
  type: string;
  name: string;
  timestamp: string;
  message: string | null;
  data: unknown;
  state_details: Record<string, unknown>;
}

/** One task-run event's effect: the run's columns it carries and the state it adds. */
export interface RecordedTaskRun {
  columns: TaskRunColumns;
  state: RecordedState;
}

const existing = (col: string) => sql.raw(`"task_run"."${col}"`);
const excluded = (col: string) => sql.raw(`excluded."${col}"`);

/**
 * Two statements per event: the run's upsert, then its state.
 *
 * The upsert matches an existing run by id or by its natural key (flow run, task key, dynamic
 * key), updates only the columns the event carries, and only when the event's state is newer
 * than the stored one. A run matched by natural key keeps its id; the state (and the state
 * JSON's `task_run_id`) then follows that canonical id, which is why the state insert resolves it
 * in SQL rather than trusting the event's id.
 */
export function recordTaskRunStatements(db: Db, records: RecordedTaskRun[], now: string): Statement[] {
  const out: Statement[] = [];
  for (const { columns, state } of records) {
    const row = {
      ...columns,
      name: columns.name ?? `task-run-${uuid4().slice(0, 8)}`,
      state_id: state.id,
      state_type: state.type,
      state_name: state.name,
      state_timestamp: state.timestamp,
      state,
      created: now,
      updated: now,
    } as typeof taskRun.$inferInsert;
    const updated = [...Object.keys(columns), "state_id", "state_type", "state_name", "state_timestamp", "updated"];
    const set: Record<string, SQL> = {};
    for (const col of updated) if (col !== "id" && col !== "created") set[col] = excluded(col);
    set.state = sql`json_set(${excluded("state")}, '$.state_details.task_run_id', ${existing("id")})`;
    const newer = sql`${existing("state_timestamp")} < ${excluded("state_timestamp")}`;
    out.push(
      db
        .insert(taskRun)
        .values(row)
        .onConflictDoUpdate({ target: taskRun.id, set, setWhere: newer })
        .onConflictDoUpdate({ target: [taskRun.flow_run_id, taskRun.task_key, taskRun.dynamic_key], set, setWhere: newer }),
    );
    out.push(insertStateStatement(db, columns, state, now));
  }
  return out;
}

function insertStateStatement(db: Db, run: TaskRunColumns, s: RecordedState, now: string): Statement {
  const flowRunId = run.flow_run_id ?? null;
  const naturalKey = sql`tr.flow_run_id = ${flowRunId} AND tr.task_key = ${run.task_key} AND tr.dynamic_key = ${run.dynamic_key}`;
  // Columns in the table's order (drizzle's insert-select lists them all).
  return db
    .insert(taskRunState)
    .select(
      sql`SELECT ${s.id}, ${now}, ${now}, ${s.type}, ${s.timestamp}, ${s.name}, ${s.message},
        json_set(${JSON.stringify(s.state_details)}, '$.task_run_id', tr.id),
        ${s.data === null || s.data === undefined ? null : JSON.stringify(s.data)}, tr.id
      FROM task_run tr
      WHERE tr.id = ${run.id} OR (${naturalKey})
      ORDER BY (${naturalKey}) DESC
      LIMIT 1`,
    )
    .onConflictDoNothing();
}
