import type { Bindings } from "../../env";
import type { Db } from "../../db/client";
import { readConfiguration, writeConfiguration } from "../../db/queries/configuration";
import {
  deleteFlowRunsStep,
  deleteLogsAndArtifactsOf,
  deleteRowsOfRuns,
  oldFlowRunIds,
  orphanRunIds,
  reconcileArtifactCollections,
  type OrphanTable,
} from "../../db/queries/vacuum";
import { TERMINAL_STATES } from "../../orchestration/states";
import { cutoff, drain, PassBudget } from "./pass";
import { vacuumSettings } from "./settings";
import type { VacuumResult } from "./events";

/** D1 round trips one pass may make for each of the flow-run vacuum's tasks. */
export const FLOW_RUN_ROUND_TRIPS_PER_PASS = { oldFlowRuns: 100, staleCollections: 5, orphans: 10 };
/** Distinct flow_run_id values an orphan sweep reads per round trip. */
export const ORPHAN_WINDOW = 500;
/** Where the orphan sweeps remember how far along their tables they are (configuration table). */
export const ORPHAN_CURSORS_KEY = "db_vacuum_orphan_cursors";

export interface FlowRunVacuumResult {
  oldFlowRuns: VacuumResult;
  staleCollections: number;
  orphanedLogs: number;
  orphanedArtifacts: number;
}

/**
 * Prefect's flow-run vacuum (db_vacuum "flow_runs", off by default: it deletes runs for good).
 * Its four tasks, each bounded per pass:
 * - old flow runs: top-level runs in a terminal state whose end_time is older than
 *   PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD go with what Prefect's foreign keys take
 *   (task runs and their states, flow-run states, inputs; subflow runs are unparented, and go
 *   themselves once top-level, terminal and old) and with their logs and artifacts — which
 *   Prefect's orphan tasks would take next;
 * - stale artifact collections: repointed to their key's newest remaining artifact, or deleted;
 * - orphaned logs and artifacts: those whose flow_run_id names no flow run (e.g. artifacts of
 *   runs deleted through the API), found by sweeping the distinct flow_run_id values a window per
 *   round trip from where the last pass stopped.
 */
export async function vacuumFlowRuns(env: Bindings, db: Db, roundTrips = FLOW_RUN_ROUND_TRIPS_PER_PASS): Promise<FlowRunVacuumResult | null> {
  const settings = vacuumSettings(env);
  if (!settings.enabled.has("flow_runs")) return null;
  const batch = settings.batchSize;
  const oldFlowRuns = await deleteOldFlowRuns(db, cutoff(Date.now(), settings.flowRunsRetentionSeconds), batch, new PassBudget(roundTrips.oldFlowRuns));
  const collections = await drain(new PassBudget(roundTrips.staleCollections), batch, () => reconcileArtifactCollections(db, batch));
  const cursors = ((await readConfiguration(db, ORPHAN_CURSORS_KEY)) ?? {}) as Partial<Record<OrphanTable, string>>;
  const budget = new PassBudget(roundTrips.orphans);
  const logs = await sweepOrphans(db, "log", cursors, batch, budget);
  const artifacts = await sweepOrphans(db, "artifact", cursors, batch, budget);
  if (logs.moved || artifacts.moved) await writeConfiguration(db, ORPHAN_CURSORS_KEY, cursors);
  // Orphaned artifacts may have been some key's latest.
  const restale = artifacts.deleted ? await drain(new PassBudget(roundTrips.staleCollections), batch, () => reconcileArtifactCollections(db, batch)) : { deleted: 0 };
  return { oldFlowRuns, staleCollections: collections.deleted + restale.deleted, orphanedLogs: logs.deleted, orphanedArtifacts: artifacts.deleted };
}

async function deleteOldFlowRuns(db: Db, before: string, batch: number, budget: PassBudget): Promise<VacuumResult> {
  let deleted = 0;
  for (;;) {
    if (!budget.take()) return { deleted, done: false };
    const ids = await oldFlowRunIds(db, before, [...TERMINAL_STATES] as string[], batch);
    if (!ids.length) return { deleted, done: true };
    // Logs and artifacts first (a run may have many): the cascade steps then stay small.
    const loose = await drain(budget, batch, () => deleteLogsAndArtifactsOf(db, ids, batch));
    if (!loose.done) return { deleted, done: false };
    let gone = 0;
    while (gone < ids.length) {
      if (!budget.take()) return { deleted: deleted + gone, done: false };
      const step = await deleteFlowRunsStep(db, ids, batch);
      gone += step.flowRuns;
      // Every task run gone: a run still left got a log or artifact meanwhile; it is chosen again.
      if (step.taskRuns < batch) break;
    }
    deleted += gone;
  }
}

/**
 * One sweep of `table` for rows whose flow_run_id names no flow run, from the remembered cursor
 * on, wrapping at the end, until it is back where it started or the budget is spent.
 */
async function sweepOrphans(db: Db, table: OrphanTable, cursors: Partial<Record<OrphanTable, string>>, batch: number, budget: PassBudget) {
  const start = cursors[table] ?? "";
  let cursor = start;
  let wrapped = false;
  let deleted = 0;
  while (budget.take()) {
    const { orphans, last } = await orphanRunIds(db, table, cursor, ORPHAN_WINDOW);
    if (orphans.length) {
      const r = await drain(budget, batch, () => deleteRowsOfRuns(db, table, orphans, batch));
      deleted += r.deleted;
      if (!r.done) break; // the cursor stays: those orphans are found again
    }
    const reached = last ?? "";
    if (wrapped && (last === null || last >= start)) {
      cursor = start;
      break;
    }
    cursor = reached;
    if (last === null) {
      if (start === "") break;
      wrapped = true;
    }
  }
  const moved = cursor !== (cursors[table] ?? "");
  cursors[table] = cursor;
  return { deleted, moved };
}
