import { aliasedTable, and, asc, eq, gte, inArray, isNotNull, lte, notInArray } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { flowRun, taskRun } from "../db/schema";
import { addSeconds, isoNow } from "../lib/time";
import { setFlowRunState } from "../orchestration/flow-run-state";
import { setTaskRunState } from "../orchestration/task-run-state";

/**
 * Prefect's CancellationCleanup service: once a flow run is CANCELLED, its unfinished task runs
 * are cancelled (forced) and its unfinished subflow runs are cancelled too — CANCELLING when they
 * have a deployment (their infrastructure must be torn down), CANCELLED otherwise. A run left in
 * CANCELLING longer than CANCELLING_TIMEOUT_SECONDS is marked CANCELLED.
 */

export const CANCELLING_TIMEOUT_SECONDS = 300;
export const CANCELLING_TIMEOUT_MESSAGE = "Flow run cancellation timed out; marked this flow run as Cancelled.";
const PARENT_CANCELLED = "The parent flow run was cancelled.";
const TERMINAL = ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"];
const BATCH = 200;

export interface CleanupResult {
  taskRuns: string[];
  subflowRuns: string[];
  timedOut: string[];
}

export async function cleanUpCancellations(env: Bindings, db: Db, now = isoNow()): Promise<CleanupResult> {
  const parent = aliasedTable(flowRun, "parent_run");
  const parentTask = aliasedTable(taskRun, "parent_task");
  const [tasks, subflows, cancelling] = await db.batch([
    db
      .select({ id: taskRun.id })
      .from(taskRun)
      .innerJoin(flowRun, eq(flowRun.id, taskRun.flow_run_id))
      .where(
        and(
          eq(flowRun.state_type, "CANCELLED"),
          isNotNull(flowRun.end_time),
          gte(flowRun.end_time, addSeconds(now, -86_400)),
          notInArray(taskRun.state_type, TERMINAL),
        ),
      )
      .limit(BATCH),
    db
      .select({ id: flowRun.id, deploymentId: flowRun.deployment_id, stateType: flowRun.state_type })
      .from(flowRun)
      .innerJoin(parentTask, eq(parentTask.id, flowRun.parent_task_run_id))
      .innerJoin(parent, eq(parent.id, parentTask.flow_run_id))
      .where(and(inArray(flowRun.state_type, ["PENDING", "SCHEDULED", "RUNNING", "PAUSED", "CANCELLING"]), eq(parent.state_type, "CANCELLED")))
      .orderBy(asc(flowRun.id))
      .limit(BATCH),
    db
      .select({ id: flowRun.id })
      .from(flowRun)
      .where(and(eq(flowRun.state_type, "CANCELLING"), lte(flowRun.state_timestamp, addSeconds(now, -CANCELLING_TIMEOUT_SECONDS))))
      .limit(BATCH),
  ]);
  const result: CleanupResult = { taskRuns: [], subflowRuns: [], timedOut: [] };
  for (const { id } of tasks) {
    const out = await setTaskRunState(env, db, id, { type: "CANCELLED", message: PARENT_CANCELLED }, { force: true });
    if (out?.written) result.taskRuns.push(id);
  }
  for (const run of subflows) {
    if (run.deploymentId && run.stateType === "CANCELLING") continue;
    const proposal = run.deploymentId ? { type: "CANCELLING" as const, message: PARENT_CANCELLED } : { type: "CANCELLED" as const, message: PARENT_CANCELLED };
    const out = await setFlowRunState(env, db, run.id, proposal);
    if (out?.written) result.subflowRuns.push(run.id);
  }
  for (const { id } of cancelling) {
    const out = await setFlowRunState(env, db, id, { type: "CANCELLED", message: CANCELLING_TIMEOUT_MESSAGE }, { force: true });
    if (out?.written) result.timedOut.push(id);
  }
  return result;
}
