import { d1Of, type Db } from "../client";

/*
 * The database vacuum's deletes (src/services/db-vacuum/). Each function is one D1 round trip
 * (one transaction) deleting at most `limit` rows of its table — plus, per row, the few rows that
 * hang off it (an event's resources, a task run's states) — chosen through an index, so no
 * statement runs long however large the tables grow. Ids travel as one JSON parameter.
 */

/** The `n` oldest events before `before` (of one type, when given): read through ix_event_occurred / ix_event_event_occurred. */
function oldEvents(ofType: boolean): string {
  return `SELECT id FROM event WHERE ${ofType ? "event = ?3 AND " : ""}occurred < ?1 ORDER BY occurred LIMIT ?2`;
}

/**
 * Deletes up to `limit` events that occurred before `before` — only of `eventType` when given —
 * with their resource rows; answers how many events went.
 */
export async function deleteOldEvents(db: Db, before: string, limit: number, eventType?: string): Promise<number> {
  const d1 = d1Of(db);
  const chosen = oldEvents(eventType !== undefined);
  const args = eventType !== undefined ? [before, limit, eventType] : [before, limit];
  const [, events] = await d1.batch([
    d1.prepare(`DELETE FROM event_resource WHERE event_id IN (${chosen})`).bind(...args),
    d1.prepare(`DELETE FROM event WHERE id IN (${chosen})`).bind(...args),
  ]);
  return events.meta.changes ?? 0;
}

/** Up to `limit` top-level flow runs in one of `states` that ended before `before`, oldest end first. */
export async function oldFlowRunIds(db: Db, before: string, states: string[], limit: number): Promise<string[]> {
  const rows = await d1Of(db)
    .prepare(
      `SELECT id FROM flow_run WHERE end_time < ?1 AND parent_task_run_id IS NULL
         AND state_type IN (SELECT value FROM json_each(?2)) ORDER BY end_time LIMIT ?3`,
    )
    .bind(before, JSON.stringify(states), limit)
    .all<{ id: string }>();
  return rows.results.map((r) => r.id);
}

const RUNS = "(SELECT value FROM json_each(?1))";

/**
 * Deletes up to `limit` logs and up to `limit` artifacts of the flow runs (by their flow_run_id);
 * answers the larger of the two counts (below `limit`: none of either is left).
 */
export async function deleteLogsAndArtifactsOf(db: Db, runIds: string[], limit: number): Promise<number> {
  const d1 = d1Of(db);
  const args = [JSON.stringify(runIds), limit];
  const [logs, artifacts] = await d1.batch([
    d1.prepare(`DELETE FROM log WHERE rowid IN (SELECT rowid FROM log WHERE flow_run_id IN ${RUNS} LIMIT ?2)`).bind(...args),
    d1.prepare(`DELETE FROM artifact WHERE rowid IN (SELECT rowid FROM artifact WHERE flow_run_id IN ${RUNS} LIMIT ?2)`).bind(...args),
  ]);
  return Math.max(logs.meta.changes ?? 0, artifacts.meta.changes ?? 0);
}

/** Of the runs, those with no task run, log or artifact left: they can go. */
const BARE_RUNS = `(SELECT j.value FROM json_each(?1) AS j WHERE NOT EXISTS (SELECT 1 FROM task_run WHERE flow_run_id = j.value)
  AND NOT EXISTS (SELECT 1 FROM log WHERE flow_run_id = j.value) AND NOT EXISTS (SELECT 1 FROM artifact WHERE flow_run_id = j.value))`;
const SOME_TASK_RUNS = `(SELECT id FROM task_run WHERE flow_run_id IN ${RUNS} LIMIT ?2)`;

/**
 * One step of the flow runs' cascade, as Prefect's foreign keys do it: up to `limit` of their
 * task runs go with their states and logs (subflow runs they parent are unparented), then, in
 * the same transaction, each of the runs that has nothing left under it (no task run, log or
 * artifact: see deleteLogsAndArtifactsOf) goes with its states and inputs. Answers how many task
 * runs and flow runs went (task runs below `limit`: none is left, and every bare run has gone).
 */
export async function deleteFlowRunsStep(db: Db, runIds: string[], limit: number): Promise<{ taskRuns: number; flowRuns: number }> {
  const d1 = d1Of(db);
  const ids = JSON.stringify(runIds);
  const taskRunStatements = [
    `UPDATE flow_run SET parent_task_run_id = NULL WHERE parent_task_run_id IN ${SOME_TASK_RUNS}`,
    `DELETE FROM task_run_state WHERE task_run_id IN ${SOME_TASK_RUNS}`,
    `DELETE FROM log WHERE task_run_id IN ${SOME_TASK_RUNS}`,
    `DELETE FROM task_run WHERE id IN ${SOME_TASK_RUNS}`,
  ];
  const flowRunStatements = [
    `DELETE FROM flow_run_state WHERE flow_run_id IN ${BARE_RUNS}`,
    `DELETE FROM flow_run_input WHERE flow_run_id IN ${BARE_RUNS}`,
    `DELETE FROM flow_run WHERE id IN ${BARE_RUNS}`,
  ];
  const results = await d1.batch([
    ...taskRunStatements.map((q) => d1.prepare(q).bind(ids, limit)),
    ...flowRunStatements.map((q) => d1.prepare(q).bind(ids)),
  ]);
  return { taskRuns: results[3].meta.changes ?? 0, flowRuns: results[6].meta.changes ?? 0 };
}

/**
 * Artifact collections whose latest artifact is gone (Prefect's stale collections): up to
 * `limit` of them take the newest remaining artifact of their key, whole, or go when none is
 * left. Answers how many were repointed or deleted.
 */
export async function reconcileArtifactCollections(db: Db, limit: number): Promise<number> {
  const d1 = d1Of(db);
  const stale = `SELECT c.id FROM artifact_collection AS c WHERE NOT EXISTS (SELECT 1 FROM artifact WHERE id = c.latest_id)`;
  const newest = `FROM artifact AS a WHERE a.key = artifact_collection.key ORDER BY a.created DESC LIMIT 1`;
  const columns = ["id", "data", "description", "type", "created", "updated", "flow_run_id", "task_run_id", "metadata_"];
  const [repointed, deleted] = await d1.batch([
    d1
      .prepare(
        `UPDATE artifact_collection SET (${["latest_id", ...columns.slice(1)].join(", ")}) = (SELECT ${columns.map((c) => `a.${c}`).join(", ")} ${newest})
         WHERE id IN (${stale} AND EXISTS (SELECT 1 FROM artifact WHERE key = c.key) LIMIT ?1)`,
      )
      .bind(limit),
    d1.prepare(`DELETE FROM artifact_collection WHERE id IN (${stale} LIMIT ?1)`).bind(limit),
  ]);
  return (repointed.meta.changes ?? 0) + (deleted.meta.changes ?? 0);
}

export type OrphanTable = "log" | "artifact";

/**
 * The next `limit` distinct flow_run_id values of `table` after `after`, read by skipping along
 * its flow_run_id index (one index seek each, however many rows share a value), and which of them
 * name no flow run. `last` is the last value read (null: the end of the table was reached).
 */
export async function orphanRunIds(db: Db, table: OrphanTable, after: string, limit: number): Promise<{ orphans: string[]; last: string | null }> {
  const next = (from: string) => `(SELECT min(flow_run_id) FROM ${table} WHERE flow_run_id > ${from})`;
  const rows = await d1Of(db)
    .prepare(
      `WITH RECURSIVE ids(id, n) AS (SELECT ${next("?1")}, 1 UNION ALL SELECT ${next("ids.id")}, n + 1 FROM ids WHERE ids.id IS NOT NULL AND n < ?2)
       SELECT id, NOT EXISTS (SELECT 1 FROM flow_run WHERE flow_run.id = ids.id) AS orphan FROM ids WHERE id IS NOT NULL`,
    )
    .bind(after, limit)
    .all<{ id: string; orphan: number }>();
  const ids = rows.results;
  return { orphans: ids.filter((r) => r.orphan).map((r) => r.id), last: ids.length < limit ? null : ids[ids.length - 1].id };
}

/** Deletes up to `limit` rows of `table` whose flow_run_id is one of `runIds`; answers how many went. */
export async function deleteRowsOfRuns(db: Db, table: OrphanTable, runIds: string[], limit: number): Promise<number> {
  const res = await d1Of(db)
    .prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE flow_run_id IN ${RUNS} LIMIT ?2)`)
    .bind(JSON.stringify(runIds), limit)
    .run();
  return res.meta.changes ?? 0;
}
