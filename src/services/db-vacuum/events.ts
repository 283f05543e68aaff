import type { Bindings } from "../../env";
import type { Db } from "../../db/client";
import { deleteOldEvents } from "../../db/queries/vacuum";
import { cutoff, drain, PassBudget } from "./pass";
import { vacuumSettings } from "./settings";

/** D1 round trips one pass of the events vacuum may make (each deletes at most a batch of events). */
export const EVENT_ROUND_TRIPS_PER_PASS = 100;

export interface VacuumResult {
  /** Rows of the task's main table deleted by this pass. */
  deleted: number;
  /** Whether the pass left nothing eligible behind (false: its budget ran out first). */
  done: boolean;
}

/**
 * Prefect's event vacuum (db_vacuum "events", on by default; off when the event persister is
 * disabled): events of a type with a retention override go once older than the override (capped
 * by the global retention), then every event older than PREFECT_SERVER_EVENTS_RETENTION_PERIOD,
 * each with its resource rows, a batch per round trip.
 */
export async function vacuumEvents(env: Bindings, db: Db, roundTrips = EVENT_ROUND_TRIPS_PER_PASS): Promise<VacuumResult> {
  const settings = vacuumSettings(env);
  if (!settings.enabled.has("events") || !settings.eventPersisterEnabled) return { deleted: 0, done: true };
  const budget = new PassBudget(roundTrips);
  const now = Date.now();
  const global = settings.eventsRetentionSeconds;
  let deleted = 0;
  // An override no shorter than the global retention changes nothing: the last pass covers it.
  const passes: [number, string | undefined][] = [
    ...Object.entries(settings.eventRetentionOverrides)
      .filter(([, seconds]) => seconds < global)
      .map(([type, seconds]) => [seconds, type] as [number, string]),
    [global, undefined],
  ];
  for (const [seconds, type] of passes) {
    const before = cutoff(now, seconds);
    const r = await drain(budget, settings.batchSize, () => deleteOldEvents(db, before, settings.batchSize, type));
    deleted += r.deleted;
    if (!r.done) return { deleted, done: false };
  }
  return { deleted, done: true };
}
