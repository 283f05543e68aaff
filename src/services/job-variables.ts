import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { deployment, workPool, workQueue } from "../db/schema";
import { schemaViolation } from "../lib/json-schema";

/**
 * Job variables checked against a work pool's base job template, as Prefect does: the template's
 * defaults (block references left out), then each layer (deployment, then flow run) on top,
 * validated against the template's `variables` schema. Deployments are partial (required keys
 * ignored); a flow run is the last layer, so its required keys count. Answers the violation in
 * Prefect's wording, or null (also when the pool has no variables schema).
 */
export function jobVariablesViolation(
  baseJobTemplate: Record<string, any> | null | undefined,
  layers: (Record<string, unknown> | null | undefined)[],
  opts: { ignoreRequired: boolean },
): string | null {
  const variables = baseJobTemplate?.variables;
  if (!variables || typeof variables !== "object") return null;
  const defaults: Record<string, unknown> = {};
  let invalidDefaults = false;
  for (const [name, attrs] of Object.entries<Record<string, any>>(variables.properties ?? {})) {
    if (!attrs || !("default" in attrs)) continue;
    const value = attrs.default;
    if (value && typeof value === "object" && "$ref" in value) continue;
    if (schemaViolation({ [name]: value }, variables, { ignoreRequired: true })) {
      invalidDefaults = true;
      continue;
    }
    defaults[name] = value;
  }
  const all = Object.assign({}, defaults, ...layers.map((l) => l ?? {}));
  return schemaViolation(all, variables, { ignoreRequired: opts.ignoreRequired || invalidDefaults, allowNoneWithDefault: true });
}

/** A deployment's own job variables and its work pool's base job template (null when there is no such deployment). */
export async function deploymentJobTemplate(
  db: Db,
  deploymentId: string,
): Promise<{ jobVariables: Record<string, unknown>; template: Record<string, any> | null } | null> {
  const row = await db
    .select({ jobVariables: deployment.job_variables, template: workPool.base_job_template })
    .from(deployment)
    .leftJoin(workQueue, eq(workQueue.id, deployment.work_queue_id))
    .leftJoin(workPool, eq(workPool.id, workQueue.work_pool_id))
    .where(eq(deployment.id, deploymentId))
    .get();
  return row ? { jobVariables: row.jobVariables ?? {}, template: row.template ?? null } : null;
}
