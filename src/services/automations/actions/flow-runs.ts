import { ActionFailed, type ActionHandler, type ActionRun } from "./types";
import { expectSuccess, reasonFromAnswer, RetryableAnswer } from "./responses";
import { flowRunTarget, target } from "./inference";

/** The flow run a flow-run action targets, related as its `target`. */
function targetFlowRun(run: ActionRun): string {
  const id = flowRunTarget(run);
  run.related.push(target(`prefect.flow-run.${id}`));
  return id;
}

interface NewState {
  type: string;
  name?: string | null;
  message: string;
  state_details?: Record<string, unknown>;
}

/** A set_state answer that is no acceptance fails the action with its reason. */
function expectAccepted(result: any, prefix: string): void {
  const details = result?.details;
  if (details?.type !== "accept_details") throw new ActionFailed(`${prefix}: ${details?.reason ?? "None"}`);
}

const changeState =
  (newState: (run: ActionRun) => NewState): ActionHandler =>
  async (run) => {
    const id = targetFlowRun(run);
    const answer = await run.api("POST", `/flow_runs/${id}/set_state`, { state: newState(run), force: run.action.force === true });
    expectSuccess(run, answer);
    expectAccepted(answer.body, "Failed to set state");
  };

const byAutomation = (run: ActionRun) => `Automation ${run.message.automation.id}`;

/** cancel-flow-run: CANCELLING. */
export const cancelFlowRun = changeState((run) => ({ type: "CANCELLING", message: `Cancelled by ${byAutomation(run)}` }));

/** Prefect's Suspended state: PAUSED, rescheduled, timing out after an hour. */
const SUSPEND_TIMEOUT_SECONDS = 3600;

/** suspend-flow-run. */
export const suspendFlowRun = changeState((run) => ({
  type: "PAUSED",
  name: "Suspended",
  message: `Suspended by ${byAutomation(run)}`,
  state_details: { pause_timeout: new Date(Date.now() + SUSPEND_TIMEOUT_SECONDS * 1000).toISOString(), pause_reschedule: true },
}));

/** change-flow-run-state: the action's state type, name and message (or "State changed by Automation <id>"), forced when asked. */
export const changeFlowRunState = changeState((run) => ({
  type: run.action.state,
  name: run.action.name ?? null,
  message: run.action.message || `State changed by ${byAutomation(run)}`,
}));

/** delete-flow-run. */
export const deleteFlowRun: ActionHandler = async (run) => {
  const id = targetFlowRun(run);
  expectSuccess(run, await run.api("DELETE", `/flow_runs/${id}`));
};

/** resume-flow-run: POST /flow_runs/{id}/resume; anything but an acceptance fails it. */
export const resumeFlowRun: ActionHandler = async (run) => {
  const id = targetFlowRun(run);
  const answer = await run.api("POST", `/flow_runs/${id}/resume`);
  // Prefect's client raises on an error status (its action is then retried): a 5xx is retried here,
  // any other error status fails the action with Prefect's wording for it.
  if (answer.status >= 500) throw new RetryableAnswer(reasonFromAnswer(run.action.type, answer));
  if (answer.status >= 300) throw new ActionFailed(reasonFromAnswer(run.action.type, answer));
  expectAccepted(answer.body, "Failed to resume flow run");
};
