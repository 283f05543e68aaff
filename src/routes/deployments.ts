import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import type { Db } from "../db/client";
import { readPoolRow } from "../db/queries/work-pools";
import { validationFailure } from "../lib/schema-tools";
import { workPoolJobVariablesFailure } from "../services/job-variables";
import { afterResponse, createRouter, IdParams, jsonBody, jsonResponse, noContent, errorResponses } from "../lib/router";
import { ApiError, conflict, notFound, unprocessable, integrityConflict, orNotFound } from "../lib/errors";
import { prefectValidationHook } from "../lib/validation";
import * as deployments from "../db/queries/deployments";
import { createDeployment, deleteDeployments, setPaused, updateDeployment } from "../db/queries/deployments.write";
import { planScheduleUpdate, plannedWorkQueueId, type DeploymentRefusal, type SchedulePlan } from "../db/queries/deployments.plan";
import { parseSchedulesJson } from "../db/queries/deployment-schedules";
import { emitEvents } from "../events/outbox";
import { type ServerEvent } from "../db/queries/event-outbox";
import { scheduleDeployment } from "../services/scheduler";
import { hydrateParameters } from "../services/deployment-flow-runs";
import {
  DeploymentCreateBody,
  DeploymentUpdateBody,
  fromLegacyCreate,
  fromLegacyUpdate,
  isLegacyClient,
  legacyScheduleFields,
  ScheduleInput,
  sentKeys,
  type DeploymentUpdateInput,
} from "../schemas/deployment-compat";
import {
  Body_bulk_delete_deployments_deployments_bulk_delete_post,
  Body_count_deployments_deployments_count_post,
  Body_paginate_deployments_deployments_paginate_post,
  Body_read_deployments_deployments_filter_post,
  DeploymentBulkDeleteResponse,
  DeploymentPaginationResponse,
  DeploymentResponse,
  WorkQueue,
} from "../schemas/prefect.gen";
import { pathId, paginate, readPage } from "./support/handlers";
import { jsonPage, jsonPieces } from "../lib/json-pieces";
import { mapPieces } from "../lib/pieces";

const tags = ["Deployments"];
export const deploymentsRouter = createRouter();

const NOT_FOUND = "Deployment not found";

/** Reads answer 2.x clients with the legacy fields they expect (`schedule`, `is_schedule_active`). */
const respond = (c: Context, row: deployments.SelectedDeployment) =>
  deployments.toDeploymentResponse(row, { legacy: isLegacyClient(c.req.header("user-agent")) });

/** Prefect's 422 for legacy schedule edits on a deployment with several schedules (its detail is a list). */
const multipleSchedules = (id: string) =>
  unprocessable([
    `Error updating deployment: Deployment UUID('${id}') has multiple schedules. Please use the UI or update your client to adjust this deployment's schedules.`,
  ]);

/**
 * The scheduler's on-demand pass (Prefect's "recent deployments" loop), called by each route that
 * changes which runs a deployment should have: its runs are scheduled right after the response
 * instead of at the next Cron Trigger. Repeated passes create nothing twice.
 */
export function scheduleDeploymentSoon(c: Context<AppEnv>, deploymentId: string): void {
  afterResponse(c, "on-demand scheduling", scheduleDeployment(c.var.db, deploymentId));
}

/** Prefect's answer to a create or update it refuses. */
function refused(refusal: DeploymentRefusal): ApiError {
  switch (refusal.kind) {
    case "flow_missing":
      return integrityConflict();
    case "work_pool_missing":
      return notFound(`Work pool "${refusal.poolName}" not found.`);
    case "work_queue_missing":
      return notFound(`Work pool queue '${refusal.poolName}/${refusal.queueName}' not found.`);
    case "invalid_schedules":
      return unprocessable(refusal.detail);
  }
}

/** Deployment events are stored after the response, as Prefect emits them after its commit. */
function emitLater(c: Context, events: ServerEvent[]) {
  if (events.length) afterResponse(c, "deployment events", emitEvents(events, c.env));
}

async function rawJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return null;
  }
}

/** A deployment's job variables against its pool's template (partial: required keys ignored). */
async function checkJobVariables(db: Db, poolName: string | null | undefined, jobVariables: Record<string, unknown> | null | undefined, error: (v: string) => Error) {
  if (!poolName || !jobVariables || !Object.keys(jobVariables).length) return;
  const pool = await readPoolRow(db, poolName);
  const violation = await workPoolJobVariablesFailure(db, pool?.base_job_template, jobVariables, { ignoreRequired: true });
  if (violation) throw error(violation);
}

deploymentsRouter.openapi(
  createRoute({
    method: "post",
    path: "/deployments/",
    tags,
    summary: "Create Deployment",
    request: jsonBody(DeploymentCreateBody),
    responses: { 200: jsonResponse(DeploymentResponse), 201: jsonResponse(DeploymentResponse), ...errorResponses(404, 409, 422) },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const sent = sentKeys(fromLegacyCreate(await rawJson(c)));
    const db = c.var.db;
    await checkJobVariables(db, input.work_pool_name, input.job_variables, (v) => unprocessable(`Error creating deployment: ${v}`));
    const res = await createDeployment(db, input, sent);
    if (!res.ok) throw refused(res.refusal);
    emitLater(c, res.events);
    scheduleDeploymentSoon(c, res.row.id);
    return c.json(respond(c, res.row), res.created ? 201 : 200);
  },
);

deploymentsRouter.openapi(
  createRoute({
    method: "post",
    path: "/deployments/filter",
    tags,
    summary: "Read Deployments",
    request: jsonBody(Body_read_deployments_deployments_filter_post),
    responses: { 200: jsonResponse(z.array(DeploymentResponse)), ...errorResponses(422) },
  }),
  async (c) => {
    const rows = await readPage(c.req.valid("json"), (body, limit, offset) => deployments.filterDeployments(c.var.db, body, body.sort, limit, offset));
    return jsonPieces(
      c,
      mapPieces(rows, (piece) => piece.map((r) => respond(c, r))),
    );
  },
);

deploymentsRouter.openapi(
  createRoute({
    method: "post",
    path: "/deployments/paginate",
    tags,
    summary: "Paginate Deployments",
    request: jsonBody(Body_paginate_deployments_deployments_paginate_post),
    responses: { 200: jsonResponse(DeploymentPaginationResponse), ...errorResponses(422) },
  }),
  async (c) => {
    const page = await paginate(c.req.valid("json"), async (body, limit, offset) => {
      const { rows, count } = await deployments.paginateDeployments(c.var.db, body, body.sort, limit, offset);
      return { results: mapPieces(rows, (piece) => piece.map((r) => respond(c, r))), count };
    });
    return jsonPage(c, page);
  },
);

deploymentsRouter.openapi(
  createRoute({
    method: "post",
    path: "/deployments/count",
    tags,
    summary: "Count Deployments",
    request: jsonBody(Body_count_deployments_deployments_count_post),
    responses: { 200: jsonResponse(z.int()), ...errorResponses(422) },
  }),
  async (c) => c.json(await deployments.countDeployments(c.var.db, c.req.valid("json")), 200),
);

deploymentsRouter.openapi(
  createRoute({
    method: "post",
    path: "/deployments/bulk_delete",
    tags,
    summary: "Bulk Delete Deployments",
    request: jsonBody(Body_bulk_delete_deployments_deployments_bulk_delete_post),
    responses: { 200: jsonResponse(DeploymentBulkDeleteResponse), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const ids = await deployments.matchingIds(c.var.db, { deployments: body.deployments }, body.limit);
    const { deleted, events } = await deleteDeployments(c.var.db, ids);
    emitLater(c, events);
    return c.json({ deleted }, 200);
  },
);

deploymentsRouter.openapi(
  createRoute({
    method: "get",
    path: "/deployments/name/{flow_name}/{deployment_name}",
    tags,
    summary: "Read Deployment By Name",
    request: { params: z.object({ flow_name: z.string(), deployment_name: z.string() }) },
    responses: { 200: jsonResponse(DeploymentResponse), ...errorResponses(404) },
  }),
  async (c) => {
    const { flow_name, deployment_name } = c.req.valid("param");
    return c.json(respond(c, orNotFound(await deployments.readDeploymentByName(c.var.db, flow_name, deployment_name), NOT_FOUND)), 200);
  },
);

deploymentsRouter.openapi(
  createRoute({
    method: "get",
    path: "/deployments/{id}",
    tags,
    summary: "Read Deployment",
    request: { params: IdParams },
    responses: { 200: jsonResponse(DeploymentResponse), ...errorResponses(404) },
  }),
  async (c) => c.json(respond(c, orNotFound(await deployments.readDeploymentRow(c.var.db, pathId(c)), NOT_FOUND)), 200),
);

deploymentsRouter.openapi(
  createRoute({
    method: "patch",
    path: "/deployments/{id}",
    tags,
    summary: "Update Deployment",
    request: { params: IdParams, ...jsonBody(DeploymentUpdateBody) },
    responses: { 204: noContent, ...errorResponses(404, 409, 422) },
  }),
  async (c) => {
    const id = pathId(c);
    const db = c.var.db;
    const raw = await rawJson(c);
    const input: Partial<DeploymentUpdateInput> = { ...c.req.valid("json") };
    const sent = sentKeys(fromLegacyUpdate(raw));
    const current = await deployments.readDeploymentRow(db, id);
    if (!current) throw notFound("Deployment not found.");
    const existing = parseSchedulesJson(current.schedules_json);

    let plan: SchedulePlan;
    const legacy = legacyScheduleFields(raw);
    if (legacy.schedule !== undefined || typeof legacy.is_schedule_active === "boolean") {
      // A 2.x client's single schedule, as the 2.x server applied it.
      if (existing.length > 1) throw multipleSchedules(id);
      const checked = z.object({ schedule: ScheduleInput.nullable().optional() }).safeParse({ schedule: legacy.schedule });
      if (!checked.success) return prefectValidationHook({ success: false, error: checked.error, data: raw, target: "json" }, c)!;
      const schedule = legacy.schedule !== undefined ? (checked.data.schedule ?? null) : ((existing[0]?.schedule as any) ?? null);
      const active = typeof legacy.is_schedule_active === "boolean" ? legacy.is_schedule_active : (existing[0]?.active ?? !current.paused);
      plan = { kind: "replace", create: schedule ? [{ schedule, active, parameters: {} }] : [] };
      if (!sent.has("paused") && typeof legacy.is_schedule_active === "boolean") {
        input.paused = !legacy.is_schedule_active;
        sent.add("paused");
      }
    } else {
      const planned = planScheduleUpdate(existing, input.schedules ?? [], sent.has("schedules"));
      if (!planned.ok) throw refused(planned.refusal);
      plan = planned.value;
    }

    const queue = await plannedWorkQueueId(db, input, sent);
    if (!queue.ok) throw refused(queue.refusal);

    // Prefect stores a deployment's new parameters hydrated (placeholders resolved, Jinja rendered).
    if (sent.has("parameters") && input.parameters) input.parameters = await hydrateParameters(db, input.parameters, "Error hydrating deployment parameters");
    const enforce = input.enforce_parameter_schema ?? current.enforce_parameter_schema;
    if (enforce) {
      const schema = input.parameter_openapi_schema && Object.keys(input.parameter_openapi_schema).length ? input.parameter_openapi_schema : current.parameter_openapi_schema;
      if (!schema || typeof schema !== "object" || Array.isArray(schema)) {
        throw conflict(
          "Error updating deployment: Cannot update parameters because parameter schema enforcement is enabled and the deployment does not have a valid parameter schema.",
        );
      }
      const violation = validationFailure(sent.has("parameters") && input.parameters ? input.parameters : current.parameters, schema, { ignoreRequired: true });
      if (violation) throw conflict(`Error updating deployment: ${violation}`);
    }
    if (sent.has("job_variables"))
      await checkJobVariables(db, input.work_pool_name ?? current.pool_name, input.job_variables, (v) => conflict(`Error updating deployment: ${v}`));

    const result = await updateDeployment(db, current, input, sent, queue.value, plan);
    if (!result.updated) throw notFound("Deployment not found.");
    emitLater(c, result.events);
    scheduleDeploymentSoon(c, id);
    return c.body(null, 204);
  },
);

deploymentsRouter.openapi(
  createRoute({
    method: "delete",
    path: "/deployments/{id}",
    tags,
    summary: "Delete Deployment",
    request: { params: IdParams },
    responses: { 204: noContent, ...errorResponses(404) },
  }),
  async (c) => {
    const id = pathId(c);
    const { deleted, events } = await deleteDeployments(c.var.db, [id]);
    if (!deleted.length) throw notFound(NOT_FOUND);
    emitLater(c, events);
    return c.body(null, 204);
  },
);

/** Pause / resume, and the 2.x routes that also set the single schedule's `active`. */
function pauseRoute(path: string, summary: string, paused: boolean, legacy: boolean) {
  deploymentsRouter.openapi(
    createRoute({
      method: "post",
      path,
      tags,
      summary,
      request: { params: IdParams },
      responses: { 200: jsonResponse(z.null()), ...errorResponses(404) },
    }),
    async (c) => {
      const id = pathId(c);
      const db = c.var.db;
      let schedule: { active: boolean } | undefined;
      if (legacy) {
        const row = await deployments.readDeploymentRow(db, id);
        if (!row) throw notFound(NOT_FOUND);
        const count = parseSchedulesJson(row.schedules_json).length;
        if (count > 1) throw multipleSchedules(id);
        if (count === 1) schedule = { active: !paused };
      }
      if (!(await setPaused(db, id, paused, schedule))) throw notFound(NOT_FOUND);
      // Resuming (or a 2.x schedule activation) may leave the deployment with runs to schedule.
      if (!paused) scheduleDeploymentSoon(c, id);
      return c.json(null, 200);
    },
  );
}

pauseRoute("/deployments/{id}/pause_deployment", "Pause Deployment", true, false);
pauseRoute("/deployments/{id}/resume_deployment", "Resume Deployment", false, false);
pauseRoute("/deployments/{id}/set_schedule_inactive", "Set Schedule Inactive (Prefect 2.x)", true, true);
pauseRoute("/deployments/{id}/set_schedule_active", "Set Schedule Active (Prefect 2.x)", false, true);

deploymentsRouter.openapi(
  createRoute({
    method: "get",
    path: "/deployments/{id}/work_queue_check",
    tags,
    summary: "Work Queue Check For Deployment",
    deprecated: true,
    request: { params: IdParams },
    responses: { 200: jsonResponse(z.array(WorkQueue)), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await deployments.workQueuesForDeployment(c.var.db, pathId(c)), NOT_FOUND), 200),
);
