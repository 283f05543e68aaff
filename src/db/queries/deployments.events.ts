import type { ServerEvent } from "./event-outbox";
import type { DeploymentRow, SelectedDeployment } from "./deployments";

/* The events a deployment's lifecycle leads to, as Prefect emits them. */

/** The fields whose changes Prefect reports in `prefect.deployment.updated` (job variables by their column name). */
const EVENT_FIELDS: [string, keyof DeploymentRow][] = [
  ["description", "description"],
  ["tags", "tags"],
  ["parameters", "parameters"],
  ["parameter_openapi_schema", "parameter_openapi_schema"],
  ["enforce_parameter_schema", "enforce_parameter_schema"],
  ["entrypoint", "entrypoint"],
  ["path", "path"],
  ["pull_steps", "pull_steps"],
  ["work_queue_id", "work_queue_id"],
  ["infra_overrides", "job_variables"],
  ["paused", "paused"],
  ["labels", "labels"],
  ["version", "version"],
  ["concurrency_limit_id", "concurrency_limit_id"],
  ["concurrency_options", "concurrency_options"],
];

/** `{field: {from, to}}` for each reported field that changed. */
export function changedFields(before: DeploymentRow, after: DeploymentRow): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const [name, col] of EVENT_FIELDS) {
    const from = before[col] ?? null;
    const to = after[col] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) out[name] = { from, to };
  }
  return out;
}

/** The flow, queue, pool, blocks and concurrency limit a deployment event relates to, as Prefect lists them. */
function relatedResources(row: SelectedDeployment): Record<string, string>[] {
  const related: Record<string, string>[] = [];
  if (row.flow_name !== null) {
    related.push({ "prefect.resource.id": `prefect.flow.${row.flow_id}`, "prefect.resource.name": row.flow_name, "prefect.resource.role": "flow" });
  }
  if (row.work_queue_id && row.queue_name !== null) {
    related.push({ "prefect.resource.id": `prefect.work-queue.${row.work_queue_id}`, "prefect.resource.name": row.queue_name, "prefect.resource.role": "work-queue" });
  }
  if (row.pool_id && row.pool_name !== null) {
    related.push({
      "prefect.resource.id": `prefect.work-pool.${row.pool_id}`,
      "prefect.resource.name": row.pool_name,
      "prefect.work-pool.type": row.pool_type ?? "",
      "prefect.resource.role": "work-pool",
    });
  }
  if (row.storage_document_id) related.push({ "prefect.resource.id": `prefect.block-document.${row.storage_document_id}`, "prefect.resource.role": "storage" });
  if (row.infrastructure_document_id) {
    related.push({ "prefect.resource.id": `prefect.block-document.${row.infrastructure_document_id}`, "prefect.resource.role": "infrastructure" });
  }
  if (row.concurrency_limit_id) {
    related.push({ "prefect.resource.id": `prefect.concurrency-limit.${row.concurrency_limit_id}`, "prefect.resource.role": "concurrency-limit" });
  }
  return related;
}

/** `prefect.deployment.created` / `.updated` (with what changed) / `.deleted`. */
export function deploymentEvent(kind: "created" | "updated" | "deleted", row: SelectedDeployment, changes?: Record<string, { from: unknown; to: unknown }>): ServerEvent {
  return {
    event: `prefect.deployment.${kind}`,
    resource: { "prefect.resource.id": `prefect.deployment.${row.id}`, "prefect.resource.name": row.name },
    related: relatedResources(row),
    ...(changes ? { payload: { updated_fields: Object.keys(changes), updates: changes } } : {}),
  };
}

/** The event a create/upsert or update leads to: created, updated with its changes, or none. */
export function writeEvent(before: DeploymentRow | undefined, after: SelectedDeployment, created: boolean): ServerEvent[] {
  if (created) return [deploymentEvent("created", after)];
  if (!before) return [];
  const changes = changedFields(before, after);
  return Object.keys(changes).length ? [deploymentEvent("updated", after, changes)] : [];
}
