import type { Db } from "../db/client";
import type { Bindings } from "../env";
import type { SelectedDeployment } from "../db/queries/deployments";
import { createQueueInPool, readPoolQueueRow } from "../db/queries/work-queues";
import { eq } from "drizzle-orm";
import { variable, workPool } from "../db/schema";
import { ApiError, badRequest, conflict, unprocessable } from "../lib/errors";
import { workPoolJobVariablesFailure } from "./job-variables";
import { isoNow } from "../lib/time";
import { collectHydrationErrors, hydrate, Placeholder, validationFailure, ValidJinja } from "../lib/schema-tools";
import { WorkQueueCreate, type DeploymentFlowRunCreate } from "../schemas/prefect.gen";
import { createFlowRun, type CreatedFlowRun } from "./flow-run-create";
import type { CreatedBy } from "../lib/created-by";

/**
 * Parameters with Prefect's placeholders (`{"__prefect_kind": "json" | "none" | "jinja" |
 * "workspace_variable", …}`) resolved as Prefect's create_flow_run hydrates them; workspace
 * variables are read only when a parameter refers to one. Jinja templates are rendered (with no
 * context: `{{ 1 + 1 }}` is "2"). A placeholder that cannot be resolved is Prefect's 400
 * (`failure: <why>`). Prefect hydrates so a deployment's parameters on PATCH, a run's on create.
 */
export async function hydrateParameters(
  db: Db,
  params: Record<string, unknown>,
  failure = "Error hydrating flow run parameters",
): Promise<Record<string, unknown>> {
  const hydrated = await hydrateValues(db, params);
  if ("error" in hydrated) throw badRequest(`${failure}: ${hydrated.error}`);
  return hydrated.value;
}

/** Prefect's hydrate with raise_on_error, render_jinja and workspace variables: the values, or the first error's message. */
export async function hydrateValues(db: Db, params: Record<string, unknown>): Promise<{ value: Record<string, unknown> } | { error: string }> {
  const text = JSON.stringify(params);
  if (!text.includes("__prefect_kind")) return { value: params };
  const workspaceVariables = text.includes("workspace_variable")
    ? Object.fromEntries((await db.select({ name: variable.name, value: variable.value }).from(variable)).map((v) => [v.name, v.value]))
    : {};
  // Jinja placeholders render with an empty context, as Prefect's create_flow_run renders them.
  const hydrated = hydrate(params, { workspaceVariables, renderWorkspaceVariables: true, renderJinja: true });
  const [first] = collectHydrationErrors(hydrated);
  if (first) return { error: first[1].message };
  return { value: unwrapPlaceholders(hydrated) as Record<string, unknown> };
}

function unwrapPlaceholders(value: unknown): unknown {
  if (value instanceof ValidJinja) return value.template;
  if (Array.isArray(value)) return value.map(unwrapPlaceholders);
  if (value && typeof value === "object" && !(value instanceof Placeholder))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapPlaceholders(v)]));
  return value;
}

/**
 * A flow run of a deployment, as Prefect's create_flow_run_from_deployment: the deployment's
 * parameters under the run's (validated against the deployment's parameter schema when
 * enforced), its tags joined with the run's, its work queue unless the run names another queue
 * of the same pool (created if missing), and a SCHEDULED state (now) unless one is given.
 */
export async function createDeploymentFlowRun(
  env: Bindings,
  db: Db,
  dep: SelectedDeployment,
  input: DeploymentFlowRunCreate,
  createdBy: CreatedBy | null = null,
): Promise<CreatedFlowRun> {
  const parameters = await hydrateParameters(db, { ...(dep.parameters ?? {}), ...(input.parameters ?? {}) });
  const enforce = input.enforce_parameter_schema ?? dep.enforce_parameter_schema;
  if (enforce) {
    const schema = dep.parameter_openapi_schema;
    if (!schema || typeof schema !== "object" || Array.isArray(schema))
      throw conflict(
        "Error updating deployment: Cannot update parameters because parameter schema enforcement is enabled and the deployment does not have a valid parameter schema.",
      );
    const violation = validationFailure(parameters, schema);
    if (violation) throw conflict(`Error creating flow run: ${violation}`);
  }

  if (dep.pool_id) {
    const pool = await db.select({ template: workPool.base_job_template }).from(workPool).where(eq(workPool.id, dep.pool_id)).get();
    const violation = await workPoolJobVariablesFailure(db, pool?.template, { ...(dep.job_variables ?? {}), ...(input.job_variables ?? {}) }, { ignoreRequired: false });
    if (violation) throw unprocessable(`Error creating flow run: ${violation}`);
  }

  let workQueueId = dep.work_queue_id;
  let workQueueName = dep.work_queue_name;
  if (input.work_queue_name) {
    if (!dep.pool_name)
      throw badRequest(
        `Cannot create flow run in work queue ${input.work_queue_name} because deployment ${dep.id} is not associated with a work pool. Please remove work_pool_name and try again.`,
      );
    let found = await readPoolQueueRow(db, dep.pool_name, input.work_queue_name);
    if (!found) {
      const created = await createQueueInPool(db, dep.pool_name, WorkQueueCreate.parse({ name: input.work_queue_name }));
      if (created.kind === "no_pool") throw new ApiError(404, `Work pool "${dep.pool_name}" not found.`);
      found = await readPoolQueueRow(db, dep.pool_name, input.work_queue_name);
    }
    workQueueId = found?.queue.id ?? null;
    workQueueName = input.work_queue_name;
  }

  const tags = [...new Set([...(dep.tags ?? []), ...(input.tags ?? [])])];
  return createFlowRun(
    env,
    db,
    {
      flow_id: dep.flow_id,
      name: input.name,
      parameters,
      context: input.context ?? {},
      empirical_policy: input.empirical_policy,
      tags,
      labels: input.labels ?? null,
      idempotency_key: input.idempotency_key ?? null,
      parent_task_run_id: input.parent_task_run_id ?? null,
      infrastructure_document_id: input.infrastructure_document_id ?? dep.infrastructure_document_id ?? null,
      job_variables: input.job_variables ?? {},
      state: input.state ?? { type: "SCHEDULED", state_details: { scheduled_time: isoNow() } },
    } as any,
    {
      deployment_id: dep.id,
      deployment_version: dep.version,
      created_by: createdBy,
      work_queue_id: workQueueId,
      work_queue_name: workQueueName,
      baseLabels: dep.labels ?? {},
      deployment: { id: dep.id, name: dep.name, tags: dep.tags ?? [] },
    },
  );
}
