import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { flowRun, flowRunInput } from "../db/schema";
import { uuid4 } from "../lib/ids";
import { isoNow } from "../lib/time";
import { CircularSchemaRefError, validationFailure } from "../lib/schema-tools";
import { setFlowRunState, type SetStateOutcome } from "../orchestration/flow-run-state";
import { runStateOf } from "../orchestration/write";
import { hydrateValues } from "./deployment-flow-runs";

type Outcome = Pick<SetStateOutcome, "result" | "written">;

const refused = (state: SetStateOutcome["result"]["state"], reason: string): Outcome => ({
  result: { state, status: "REJECT", details: { type: "abort_details", reason } },
  written: false,
});

/**
 * Resumes a paused flow run, as Prefect does: a run paused for input must receive input (hydrated:
 * `__prefect_kind` placeholders resolved, Jinja rendered) valid
 * against the schema it stored (`run_input_keyset.schema`), which is then saved under
 * `run_input_keyset.response`; a suspended run (pause_reschedule) is rescheduled as Resuming,
 * a paused one goes back to RUNNING. Returns null when the run does not exist.
 */
export async function resumeFlowRun(env: Bindings, db: Db, id: string, runInput: Record<string, unknown> | null, apiVersion: string | null): Promise<Outcome | null> {
  const run = await db.select().from(flowRun).where(eq(flowRun.id, id)).get();
  if (!run) return null;
  const state = runStateOf(run);
  if (!state || state.type !== "PAUSED")
    return { result: { state: null, status: "ABORT", details: { type: "abort_details", reason: "Cannot resume a flow run that is not paused." } }, written: false };

  const keyset = state.state_details.run_input_keyset as Record<string, string> | null;
  let input = runInput;
  if (keyset) {
    // Prefect hydrates the input first (placeholders resolved, Jinja rendered), and stores it so.
    const hydrated = await hydrateValues(db, input ?? {});
    if ("error" in hydrated) return refused(state, `Error hydrating run input: ${hydrated.error}`);
    input = hydrated.value;
    const stored = await db
      .select({ value: flowRunInput.value })
      .from(flowRunInput)
      .where(and(eq(flowRunInput.flow_run_id, id), eq(flowRunInput.key, keyset.schema)))
      .get();
    if (!stored) return refused(state, "Run input schema not found.");
    let schema: Record<string, any>;
    try {
      schema = JSON.parse(stored.value);
    } catch {
      return refused(state, "Run input schema is not valid JSON.");
    }
    let violation: string | null;
    try {
      violation = validationFailure(input, schema);
    } catch (err) {
      if (err instanceof CircularSchemaRefError) return refused(state, err.message);
      throw err;
    }
    if (violation) return refused(state, `Reason: ${violation}`);
  }

  const proposal = state.state_details.pause_reschedule
    ? { type: "SCHEDULED" as const, name: "Resuming", state_details: { scheduled_time: isoNow() } }
    : { type: "RUNNING" as const };
  const outcome = await setFlowRunState(env, db, id, proposal, { apiVersion });
  if (!outcome) return null;
  if (keyset && input && Object.keys(input).length && outcome.result.status === "ACCEPT") {
    const now = isoNow();
    await db
      .insert(flowRunInput)
      .values({ id: uuid4(), created: now, updated: now, flow_run_id: id, key: keyset.response, value: JSON.stringify(input) })
      .onConflictDoNothing();
  }
  return outcome;
}
