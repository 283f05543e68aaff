import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { flowRun } from "../db/schema";
import { isoNow } from "../lib/time";
import { setFlowRunState } from "../orchestration/flow-run-state";
import { runStateOf } from "../orchestration/write";

const BATCH = 200;

/** Prefect's FailExpiredPauses service: a paused run not resumed before its pause timeout fails. */
export async function failExpiredPauses(env: Bindings, db: Db, now = isoNow()): Promise<string[]> {
  const paused = await db.select({ id: flowRun.id, state: flowRun.state }).from(flowRun).where(eq(flowRun.state_type, "PAUSED")).limit(BATCH);
  const failed: string[] = [];
  for (const run of paused) {
    const timeout = runStateOf(run)?.state_details.pause_timeout;
    if (!timeout || Date.parse(timeout) >= Date.parse(now)) continue;
    const out = await setFlowRunState(env, db, run.id, { type: "FAILED", message: "The flow was paused and never resumed." }, { force: true });
    if (out?.written) failed.push(run.id);
  }
  return failed;
}
