import type { Db } from "../db/client";
import type { Bindings } from "../env";
import type { SelectedDeployment } from "../db/queries/deployments";
import { createQueueInPool, readPoolQueueRow } from "../db/queries/work-queues";
import { eq } from "drizzle-orm";
import { workPool } from "../db/schema";
import { ApiError, badRequest, conflict, unprocessable } from "../lib/errors";
import { jobVariablesViolation } from "./job-variables";
import { isoNow } from "../lib/time";
import { schemaViolation } from "../lib/json-schema";
import { WorkQueueCreate, type DeploymentFlowRunCreate } from "../schemas/prefect.gen";
import { createFlowRun, type CreatedFlowRun } from "./flow-run-create";

/**
 * Parameter values a client may send as Prefect "kinds" (`{"__prefect_kind": "json", "value": …}`)
 * are resolved to plain values; `none` removes the parameter. Workspace variables and Jinja
 * templates are kept as sent.
 */
export function hydrateParameters(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const hydrated = hydrateValue(value);
    if (hydrated !== REMOVE) out[key] = hydrated;
  }
  return out;
}

const REMOVE = Symbol("remove");

function hydrateValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hydrateValue).filter((v) => v !== REMOVE);
  if (!value || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  const kind = obj.__prefect_kind;
  if (kind === "none") return REMOVE;
  if (kind === "json") {
    if (typeof obj.value !== "string") return obj.value;
    try {
      return JSON.parse(obj.value);
    } catch {
      throw badRequest(`Error hydrating flow run parameters: Invalid JSON: ${obj.value}`);
    }
  }
  if (kind !== undefined) return value;
  return hydrateParameters(obj);
}

/**
 * A flow run of a deployment, as Prefect's create_flow_run_from_deployment: the deployment's
 * parameters under the run's (validated against the deployment's parameter schema when
 * enforced), its tags joined with the run's, its work queue unless the run names another queue
 * of the same pool (created if missing), and a SCHEDULED state (now) unless one is given.
 */
export async function createDeploymentFlowRun(env: Bindings, db: Db, dep: SelectedDeployment, input: DeploymentFlowRunCreate): Promise<CreatedFlowRun> {
  const parameters = hydrateParameters({ ...(dep.parameters ?? {}), ...(input.parameters ?? {}) });
  const enforce = input.enforce_parameter_schema ?? dep.enforce_parameter_schema;
  if (enforce) {
    const schema = dep.parameter_openapi_schema;
    if (!schema || typeof schema !== "object" || Array.isArray(schema))
      throw conflict(
        "Error updating deployment: Cannot update parameters because parameter schema enforcement is enabled and the deployment does not have a valid parameter schema.",
      );
    const violation = schemaViolation(parameters, schema);
    if (violation) throw conflict(`Error creating flow run: ${violation}`);
  }

  if (dep.pool_id) {
    const pool = await db.select({ template: workPool.base_job_template }).from(workPool).where(eq(workPool.id, dep.pool_id)).get();
    const violation = jobVariablesViolation(pool?.template, [dep.job_variables, input.job_variables], { ignoreRequired: false });
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
      work_queue_id: workQueueId,
      work_queue_name: workQueueName,
      baseLabels: dep.labels ?? {},
      deployment: { id: dep.id, name: dep.name, tags: dep.tags ?? [] },
    },
  );
}
