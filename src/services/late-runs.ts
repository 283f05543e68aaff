import { and, asc, eq, lte } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { flowRun } from "../db/schema";
import { addSeconds, isoNow } from "../lib/time";
import { setFlowRunState } from "../orchestration/flow-run-state";
import { MarkLateRunsPolicy } from "../orchestration/policies";

/** Defaults of PREFECT_SERVER_SERVICES_LATE_RUNS_*: late once this far past the scheduled time. */
export const LATE_RUNS_AFTER_SECONDS = 15;
export const LATE_RUNS_BATCH_SIZE = 400;

/**
 * Prefect's MarkLateRuns service: SCHEDULED runs still named "Scheduled" whose scheduled time
 * is more than LATE_RUNS_AFTER_SECONDS past become `Late` (same scheduled time), through the
 * mark-late policy so only scheduled, not-yet-late runs change and each change emits its event.
 * Run from the Cron Trigger; returns the ids marked late.
 */
export async function markLateRuns(env: Bindings, db: Db, now = isoNow(), afterSeconds = LATE_RUNS_AFTER_SECONDS): Promise<string[]> {
  const due = await db
    .select({ id: flowRun.id, scheduled: flowRun.next_scheduled_start_time })
    .from(flowRun)
    .where(and(eq(flowRun.state_type, "SCHEDULED"), eq(flowRun.state_name, "Scheduled"), lte(flowRun.next_scheduled_start_time, addSeconds(now, -afterSeconds))))
    .orderBy(asc(flowRun.next_scheduled_start_time))
    .limit(LATE_RUNS_BATCH_SIZE);
  const marked: string[] = [];
  for (const run of due) {
    const outcome = await setFlowRunState(
      env,
      db,
      run.id,
      { type: "SCHEDULED", name: "Late", state_details: { scheduled_time: run.scheduled } },
      { policy: MarkLateRunsPolicy },
    );
    if (outcome?.written) marked.push(run.id);
  }
  return marked;
}
