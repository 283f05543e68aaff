import { eq } from "drizzle-orm";
import { inList } from "../db/lists";
import type { Db } from "../db/client";
import { blockDocument, deployment, workPool, workQueue } from "../db/schema";
import { ApiError } from "../lib/errors";
import { normalizeUuid } from "../lib/ids";
import { UUID_RE } from "../schemas/primitives";
import { checkSchema, SchemaError, validate, validationFailure } from "../lib/schema-tools";

type Json = Record<string, any>;

/**
 * Job variables checked against a work pool's base job template, as Prefect's validation module
 * does for deployments (partial: required keys ignored), flow runs (the last layer: required keys
 * count) and automations' RunDeployment actions.
 *
 * Prefect's `_validate_work_pool_job_variables` (raise_on_error): the work pool's variable
 * defaults (block references resolved, invalid ones dropped) under the given job variables,
 * validated against the pool's variables schema. Answers the failure text, or null.
 */
export async function workPoolJobVariablesFailure(
  db: Db,
  baseJobTemplate: Json | null | undefined,
  jobVariables: Json,
  opts: { ignoreRequired: boolean },
): Promise<string | null> {
  if (!baseJobTemplate || !Object.keys(baseJobTemplate).length) return null;
  const variablesSchema = baseJobTemplate.variables;
  if (!variablesSchema || (typeof variablesSchema === "object" && !Object.keys(variablesSchema).length)) return null;
  try {
    checkSchema(variablesSchema);
  } catch (err) {
    if (err instanceof SchemaError) throw new ApiError(422, err.message);
    throw err;
  }

  const properties: Json = variablesSchema.properties ?? {};
  const defaults: Json = {};
  let invalidDefaults = false;
  for (const [name, attrs] of Object.entries<Json>(properties)) {
    if (!attrs || typeof attrs !== "object" || !("default" in attrs)) continue;
    let value = attrs.default;
    if (value && typeof value === "object" && !Array.isArray(value) && "$ref" in value) {
      const blockId = value.$ref?.block_document_id;
      if (blockId === undefined || blockId === null) continue;
      value = await blockDocumentData(db, String(blockId));
    }
    defaults[name] = value;
    const errors = validate({ [name]: value }, variablesSchema, { preprocess: false, ignoreRequired: true });
    if (errors.length) {
      invalidDefaults = true;
      delete defaults[name];
    }
  }

  const all = { ...defaults, ...jobVariables };
  return validationFailure(all, variablesSchema, {
    ignoreRequired: opts.ignoreRequired || invalidDefaults,
    allowNoneWithDefault: true,
  });
}

async function blockDocumentData(db: Db, id: string): Promise<unknown> {
  if (!UUID_RE.test(id)) throw new ApiError(404, "Block not found.");
  const canonical = normalizeUuid(id);
  const row = await db.select({ data: blockDocument.data }).from(blockDocument).where(eq(blockDocument.id, canonical)).get();
  if (!row) throw new ApiError(404, "Block not found.");
  return row.data;
}

interface RunDeploymentLike {
  type: string;
  deployment_id?: string | null;
  job_variables?: Json | null;
}

/**
 * The job variables of an automation's RunDeployment actions, checked as Prefect does before
 * storing it: each against its deployment's work pool (required variables included, as a run
 * would need them). A missing deployment is Prefect's 404; failures come back as messages.
 */
export async function runDeploymentJobVariableErrors(db: Db, actions: RunDeploymentLike[], mode: "create" | "update"): Promise<string[]> {
  const checked = actions.filter(
    (a) =>
      a.type === "run-deployment" &&
      a.deployment_id &&
      a.job_variables !== null &&
      a.job_variables !== undefined &&
      (mode === "update" || Object.keys(a.job_variables).length > 0),
  );
  if (!checked.length) return [];
  const ids = [...new Set(checked.map((a) => normalizeUuid(a.deployment_id!)))];
  const rows = await db
    .select({ id: deployment.id, job_variables: deployment.job_variables, base_job_template: workPool.base_job_template })
    .from(deployment)
    .leftJoin(workQueue, eq(workQueue.id, deployment.work_queue_id))
    .leftJoin(workPool, eq(workPool.id, workQueue.work_pool_id))
    .where(inList(deployment.id, ids));
  const byId = new Map(rows.map((r) => [r.id, r]));

  const errors: string[] = [];
  for (const action of checked) {
    const dep = byId.get(normalizeUuid(action.deployment_id!));
    if (!dep) throw new ApiError(404, "Deployment not found.");
    if (dep.base_job_template === null || dep.base_job_template === undefined) continue;
    const depVars = dep.job_variables ?? {};
    const actionVars = action.job_variables ?? {};
    if (!Object.keys(depVars).length && !Object.keys(actionVars).length) continue;
    const failure = await workPoolJobVariablesFailure(db, dep.base_job_template, actionVars, { ignoreRequired: false });
    if (failure) errors.push(failure);
  }
  return errors;
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
