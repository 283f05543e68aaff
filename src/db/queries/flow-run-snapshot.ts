import { and, Column, eq, getTableColumns, sql, type InferModelFromColumns, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { preparedStatement } from "../prepared";
import { concurrencyLimitV2, deployment, flow, flowRun, taskRun, workPool, workQueue } from "../schema";

/**
 * A flow run with everything a state change reads — its rules, its event, its slot and limit
 * gates — as one row, read in one D1 query.
 *
 * The row travels as SQLite's `json_array(...)` of its columns (the snapshot's `text`). The same
 * expression, evaluated inside a write, tells whether the database still holds exactly this
 * snapshot: a decision taken on a remembered snapshot commits only if nothing it read has changed
 * (see src/orchestration/flow-run-snapshots.ts).
 */

function pick<C extends Record<string, Column>, K extends keyof C>(columns: C, keys: K[]): Pick<C, K> {
  return Object.fromEntries(keys.map((k) => [k, columns[k]])) as Pick<C, K>;
}

const parts = {
  run: getTableColumns(flowRun),
  flow: pick(getTableColumns(flow), ["id", "name", "tags", "labels"]),
  deployment: pick(getTableColumns(deployment), ["id", "name", "tags", "concurrency_options"]),
  workQueue: pick(getTableColumns(workQueue), ["id", "name", "concurrency_limit"]),
  workPool: pick(getTableColumns(workPool), ["id", "name", "type", "concurrency_limit"]),
  parentTaskRun: getTableColumns(taskRun),
  deploymentLimit: getTableColumns(concurrencyLimitV2),
};
type Parts = typeof parts;

export type FlowRunSnapshotRows = { run: InferModelFromColumns<Parts["run"]> } & {
  [P in Exclude<keyof Parts, "run">]: InferModelFromColumns<Parts[P]> | null;
};

export interface FlowRunSnapshot {
  /** The row as the database renders it: compared, in SQL, with what it holds at write time. */
  text: string;
  rows: FlowRunSnapshotRows;
}

const identity = Column.prototype.mapFromDriverValue;
const layout = Object.entries(parts).map(([part, columns]) => ({
  part,
  columns: Object.entries(columns as Record<string, Column>).map(([key, column]) => ({
    key,
    column,
    // Most columns are stored as they are read; only JSON, booleans … need decoding.
    decode: column.mapFromDriverValue === identity ? null : (value: unknown) => column.mapFromDriverValue(value),
  })),
}));

/** D1 takes at most 32 arguments per SQL function: the columns go in arrays of at most that many. */
const MAX_FUNCTION_ARGS = 32;
const allColumns = layout.flatMap(({ columns }) => columns.map(({ column }) => column));
const chunks = Array.from({ length: Math.ceil(allColumns.length / MAX_FUNCTION_ARGS) }, (_, i) =>
  allColumns.slice(i * MAX_FUNCTION_ARGS, (i + 1) * MAX_FUNCTION_ARGS),
);

/**
 * SQLite's rendering of the snapshot row, as a SQL expression over the joined tables: an array of
 * arrays of column values (REAL values rendered with 15 significant digits, as SQLite does).
 */
const snapshotExpression: SQL<string> = sql`json_array(${sql.join(
  chunks.map((chunk) => sql`json_array(${sql.join(chunk.map((column) => sql`${column}`), sql`, `)})`),
  sql`, `,
)})`;

/** The joined tables, for the run whose id is the placeholder `key`. */
function joined<Q extends { leftJoin: any }>(query: Q) {
  return query
    .leftJoin(flow, eq(flow.id, flowRun.flow_id))
    .leftJoin(deployment, eq(deployment.id, flowRun.deployment_id))
    .leftJoin(workQueue, eq(workQueue.id, flowRun.work_queue_id))
    .leftJoin(workPool, eq(workPool.id, workQueue.work_pool_id))
    .leftJoin(taskRun, eq(taskRun.id, flowRun.parent_task_run_id))
    .leftJoin(concurrencyLimitV2, eq(concurrencyLimitV2.id, deployment.concurrency_limit_id));
}

/** The statement reading run `runId`'s snapshot: a row (`snapshot`, and the run's `state_id`), or none. */
export function flowRunSnapshotStatement(db: Db, runId: string): D1PreparedStatement {
  return preparedStatement(
    db,
    "flow_run_snapshot",
    () =>
      joined(db.select({ snapshot: sql<string>`${snapshotExpression}`.as("snapshot"), state_id: flowRun.state_id }).from(flowRun)).where(
        eq(flowRun.id, sql.placeholder("id")),
      ),
    { id: runId },
  );
}

/**
 * A subquery answering the run's id while the database still holds `snapshot` (placeholders
 * `run_id` and `snapshot`), NULL once anything in it has changed.
 */
export function unchangedSnapshotRunId(db: Db): SQL {
  const query = joined(db.select({ id: flowRun.id }).from(flowRun)).where(
    and(eq(flowRun.id, sql.placeholder("run_id")), eq(snapshotExpression, sql.placeholder("snapshot"))),
  );
  return sql`(${query})`;
}

/** A snapshot as read, not yet decoded, with the run's state id (enough to tell whether a write took). */
export interface SnapshotRead {
  text: string;
  stateId: string | null;
}

/** The snapshot in a D1 result of flowRunSnapshotStatement, or null when the run does not exist. */
export function snapshotFromResult(result: D1Result | undefined): SnapshotRead | null {
  const row = result?.results?.[0] as { snapshot: string; state_id: string | null } | undefined;
  return row ? { text: row.snapshot, stateId: row.state_id } : null;
}

export async function readFlowRunSnapshot(db: Db, runId: string): Promise<FlowRunSnapshot | null> {
  const read = snapshotFromResult(await flowRunSnapshotStatement(db, runId).all());
  return read && decodeSnapshot(read.text);
}

export function decodeSnapshot(text: string): FlowRunSnapshot {
  const values = (JSON.parse(text) as unknown[][]).flat();
  const rows: Record<string, Record<string, unknown> | null> = {};
  let i = 0;
  for (const { part, columns } of layout) {
    const row: Record<string, unknown> = {};
    for (const { key, decode } of columns) {
      const value = values[i++];
      row[key] = value === null || !decode ? value : decode(value);
    }
    // A left-joined part that is absent comes back as all NULLs (its id included).
    rows[part] = part === "run" || row.id !== null ? row : null;
  }
  return { text, rows: rows as unknown as FlowRunSnapshotRows };
}
