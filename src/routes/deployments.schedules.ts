import { createRoute, z } from "@hono/zod-openapi";
import { scheduleDeploymentSoon } from "./deployments";
import { createRouter, IdParams, jsonBody, jsonResponse, noContent, errorResponses } from "../lib/router";
import { conflict, notFound, orNotFound } from "../lib/errors";
import { normalizeUuid } from "../lib/ids";
import { Uuid } from "../schemas/primitives";
import { refusingViolations } from "../db/integrity";
import * as schedules from "../db/queries/deployment-schedules";
import { readDeploymentRow } from "../db/queries/deployments";
import { ScheduleCreateListBody, ScheduleUpdateBody } from "../schemas/deployment-compat";
import { DeploymentSchedule } from "../schemas/prefect.gen";
import { pathId } from "./support/handlers";

/** A deployment's schedules, under /deployments/{id}/schedules. */
export const deploymentSchedulesRouter = createRouter();
const tags = ["Deployments"];
const ScheduleParams = z.object({ id: Uuid, schedule_id: Uuid });

const NO_DEPLOYMENT = "Deployment not found.";
const NO_SCHEDULE = "Schedule not found.";
const slugTaken = () => conflict("Schedule slugs must be unique within a deployment.");

deploymentSchedulesRouter.openapi(
  createRoute({
    method: "get",
    path: "/deployments/{id}/schedules",
    tags,
    summary: "Read Deployment Schedules",
    request: { params: IdParams },
    responses: { 200: jsonResponse(z.array(DeploymentSchedule)), ...errorResponses(404) },
  }),
  async (c) => c.json(schedules.parseSchedulesJson(orNotFound(await readDeploymentRow(c.var.db, pathId(c)), NO_DEPLOYMENT).schedules_json), 200),
);

deploymentSchedulesRouter.openapi(
  createRoute({
    method: "post",
    path: "/deployments/{id}/schedules",
    tags,
    summary: "Create Deployment Schedules",
    request: { params: IdParams, ...jsonBody(ScheduleCreateListBody) },
    responses: { 201: jsonResponse(z.array(DeploymentSchedule)), ...errorResponses(404, 409, 422) },
  }),
  async (c) => {
    const id = pathId(c);
    const created = await refusingViolations(schedules.createSchedules(c.var.db, id, c.req.valid("json")), slugTaken);
    if (!created) throw notFound(NO_DEPLOYMENT);
    scheduleDeploymentSoon(c, id);
    return c.json(created, 201);
  },
);

deploymentSchedulesRouter.openapi(
  createRoute({
    method: "patch",
    path: "/deployments/{id}/schedules/{schedule_id}",
    tags,
    summary: "Update Deployment Schedule",
    request: { params: ScheduleParams, ...jsonBody(ScheduleUpdateBody) },
    responses: { 204: noContent, ...errorResponses(404, 409, 422) },
  }),
  async (c) => {
    const { schedule_id } = c.req.valid("param");
    const id = pathId(c);
    const result = await refusingViolations(schedules.updateSchedule(c.var.db, id, normalizeUuid(schedule_id), c.req.valid("json")), slugTaken);
    if (result === "no_deployment") throw notFound(NO_DEPLOYMENT);
    if (result === "no_schedule") throw notFound(NO_SCHEDULE);
    scheduleDeploymentSoon(c, id);
    return c.body(null, 204);
  },
);

deploymentSchedulesRouter.openapi(
  createRoute({
    method: "delete",
    path: "/deployments/{id}/schedules/{schedule_id}",
    tags,
    summary: "Delete Deployment Schedule",
    request: { params: ScheduleParams },
    responses: { 204: noContent, ...errorResponses(404) },
  }),
  async (c) => {
    const { id, schedule_id } = c.req.valid("param");
    const result = await schedules.deleteSchedule(c.var.db, normalizeUuid(id), normalizeUuid(schedule_id));
    if (result === "no_deployment") throw notFound(NO_DEPLOYMENT);
    if (result === "no_schedule") throw notFound(NO_SCHEDULE);
    return c.body(null, 204);
  },
);
