import type { Db } from "../../db/client";
import { deleteOldActionRuns } from "../../db/queries/automation-action-runs";
import { cutoff, drain, PassBudget } from "./pass";
import type { VacuumResult } from "./events";

/**
 * How long an automation action's idempotency record is kept after its last change: a day, well
 * past Prefect's hour (its TTL cache of executed actions) and past the queue's retries, so a late
 * redelivery still finds it.
 */
export const ACTION_RUN_RETENTION_SECONDS = 86_400;
const BATCH = 200;
const ROUND_TRIPS_PER_PASS = 20;

/** Deletes the automations engine's idempotency records older than the retention (always on: they are the engine's own bookkeeping). */
export async function vacuumActionRuns(db: Db, now = Date.now()): Promise<VacuumResult> {
  const before = cutoff(now, ACTION_RUN_RETENTION_SECONDS);
  return drain(new PassBudget(ROUND_TRIPS_PER_PASS), BATCH, () => deleteOldActionRuns(db, before, BATCH));
}
