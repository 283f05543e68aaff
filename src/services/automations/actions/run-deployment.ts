import {
  collectPlaceholders,
  hydrate,
  HydrationError,
  renderRunDeploymentParameters,
  upgradeV1Templates,
  ValidJinja,
} from "../../../lib/schema-tools/hydration";
import { targetDeployment } from "./deployments";
import { expectSuccess, reasonFromAnswer, RetryableAnswer } from "./responses";
import { templateContext } from "./render";
import { ActionFailed, type ActionHandler, type ActionRun } from "./types";

/** Prefect's TriggeredAction.idempotency_key: the flow run is created once per invocation. */
export const idempotencyKey = (run: ActionRun) =>
  `automation ${run.message.automation.id}, action ${run.message.action_index}, invocation ${run.message.invocation}`;

/** The templates among the parameters (after the v1 upgrade): what the context is built for. */
function parameterTemplates(parameters: Record<string, unknown>): string[] {
  const upgraded = structuredClone(parameters);
  upgradeV1Templates(upgraded);
  return collectPlaceholders(hydrate(upgraded)).flatMap((p) => (p instanceof ValidJinja ? [p.template] : []));
}

/** The workspace variables of these names (those that exist), read through the API as Prefect's action reads them. */
async function workspaceVariables(run: ActionRun, names: string[]): Promise<Record<string, unknown>> {
  const answer = await run.api("POST", "/variables/filter", { variables: { name: { any_: [...new Set(names)] } }, limit: 200 });
  if (answer.status >= 300) throw new RetryableAnswer(reasonFromAnswer(run.action.type, answer));
  return Object.fromEntries((answer.body as { name: string; value: unknown }[]).map((v) => [v.name, v.value]));
}

async function renderedParameters(run: ActionRun): Promise<Record<string, unknown>> {
  const parameters = (run.action.parameters ?? {}) as Record<string, unknown>;
  try {
    return await renderRunDeploymentParameters(parameters, {
      context: await templateContext(run, parameterTemplates(parameters)),
      variables: (names) => workspaceVariables(run, names),
    });
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
