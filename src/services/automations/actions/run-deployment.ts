import { HydrationError } from "../../../lib/schema-tools";
import { renderActionParameters } from "../template-context";
import { targetDeployment } from "./deployments";
import { expectSuccess } from "./responses";
import { ActionFailed, type ActionHandler, type ActionRun } from "./types";

/** Prefect's TriggeredAction.idempotency_key: the flow run is created once per invocation. */
export const idempotencyKey = (run: ActionRun) =>
  `automation ${run.message.automation.id}, action ${run.message.action_index}, invocation ${run.message.invocation}`;

/** The parameters rendered (template-context.ts); a placeholder that does not resolve fails the action as Prefect words it. */
async function renderedParameters(run: ActionRun): Promise<Record<string, unknown>> {
  try {
    return await renderActionParameters(run.env, run.fetchApi, run.message, run.action.parameters);
  } catch (err) {
    if (err instanceof HydrationError) throw new ActionFailed(`Unable to create flow run from deployment: ${err.pyRepr()}`);
    throw err;
  }
}

/**
 * run-deployment: POST /deployments/{id}/create_flow_run, Scheduled at now + schedule_after,
 * the parameters rendered, the job variables as given; the new run is related as `flow-run`.
 */
export const runDeployment: ActionHandler = async (run) => {
  const id = targetDeployment(run);
  const scheduledTime = new Date(Date.now() + Number(run.action.schedule_after ?? 0) * 1000).toISOString();
  const body = {
    state: { type: "SCHEDULED", name: "Scheduled", message: null, state_details: { scheduled_time: scheduledTime } },
    parameters: await renderedParameters(run),
    idempotency_key: idempotencyKey(run),
    job_variables: run.action.job_variables ?? null,
  };
  const answer = await run.api("POST", `/deployments/${id}/create_flow_run`, body);
  if (answer.status < 300)
    run.related.push({ "prefect.resource.id": `prefect.flow-run.${answer.body.id}`, "prefect.resource.role": "flow-run", "prefect.resource.name": answer.body.name });
  if (answer.status === 409) run.details.validation_error = answer.body?.detail ?? null;
  expectSuccess(run, answer);
};
