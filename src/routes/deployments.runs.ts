import { createRoute, z } from "@hono/zod-openapi";
import { afterResponse, createRouter, IdParams, jsonBody, jsonResponse, errorResponses } from "../lib/router";
import { badRequest, notFound, orNotFound } from "../lib/errors";
import { resolveLimit } from "../db/pagination";
import { scheduledRunsOfDeployments } from "../db/queries/flow-runs";
import { readDeploymentRow } from "../db/queries/deployments";
import { markDeploymentsReady } from "../db/queries/deployments.write";
import { toFlowRunResponse } from "../db/queries/runs-serialize";
import { toIso } from "../lib/time";
import {
  Body_get_scheduled_flow_runs_for_deployments_deployments_get_scheduled_flow_runs_post,
  Body_schedule_deployment_deployments__id__schedule_post,
  DeploymentFlowRunCreate,
  FlowRunBulkCreateResponse,
  FlowRunResponse,
} from "../schemas/prefect.gen";
import { createDeploymentFlowRun } from "../services/deployment-flow-runs";
import { scheduleDeployment } from "../services/scheduler";
import { nullOr404 } from "./support/handlers";
import { createdByAutomation } from "../lib/created-by";

/** A deployment's runs: created from it, scheduled by hand, polled for by its workers. */
const tags = ["Deployments"];
export const deploymentRunsRouter = createRouter();

const BULK_CREATE_LIMIT = 100;
const DEPLOYMENT_NOT_FOUND = "Deployment not found";

deploymentRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/deployments/{id}/create_flow_run",
    tags,
    summary: "Create Flow Run From Deployment",
    request: { params: IdParams, ...jsonBody(DeploymentFlowRunCreate) },
    responses: { 200: jsonResponse(FlowRunResponse), 201: jsonResponse(FlowRunResponse), ...errorResponses(400, 404, 409, 422) },
  }),
  async (c) => {
    const dep = orNotFound(await readDeploymentRow(c.var.db, c.req.valid("param").id), DEPLOYMENT_NOT_FOUND);
    const { run, created } = await createDeploymentFlowRun(c.env, c.var.db, dep, c.req.valid("json"), createdByAutomation(c.req.raw.headers));
    return c.json(toFlowRunResponse(run), created ? 201 : 200);
  },
);

deploymentRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/deployments/{id}/create_flow_run/bulk",
    tags,
    summary: "Bulk Create Flow Runs From Deployment",
    request: { params: IdParams, body: { content: { "application/json": { schema: z.array(DeploymentFlowRunCreate) } }, required: true } },
    responses: { 200: jsonResponse(FlowRunBulkCreateResponse), ...errorResponses(400, 404, 409, 422) },
  }),
  async (c) => {
    const runs = c.req.valid("json");
    if (runs.length > BULK_CREATE_LIMIT) throw badRequest(`Cannot create more than ${BULK_CREATE_LIMIT} flow runs at once.`);
    const dep = await readDeploymentRow(c.var.db, c.req.valid("param").id);
    if (!dep) throw notFound(DEPLOYMENT_NOT_FOUND);
    const results: FlowRunBulkCreateResponse["results"] = [];
    const createdBy = createdByAutomation(c.req.raw.headers);
    for (const input of runs) {
      try {
        const { run } = await createDeploymentFlowRun(c.env, c.var.db, dep, input, createdBy);
        results.push({ flow_run_id: run.id, status: "CREATED", error: null });
      } catch (err) {
        results.push({ flow_run_id: null, status: "FAILED", error: err instanceof Error ? err.message : String(err) });
      }
    }
    return c.json({ results }, 200);
  },
);

deploymentRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/deployments/{id}/schedule",
    tags,
    summary: "Schedule Deployment",
    request: { params: IdParams, ...jsonBody(Body_schedule_deployment_deployments__id__schedule_post) },
    responses: { 200: jsonResponse(z.null()), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const window = {
      now: body.start_time ? toIso(body.start_time) : undefined,
      end: body.end_time ? toIso(body.end_time) : undefined,
      minTime: body.min_time,
      minRuns: body.min_runs,
      maxRuns: body.max_runs,
    };
    return nullOr404(c, await scheduleDeployment(c.var.db, c.req.valid("param").id, window), DEPLOYMENT_NOT_FOUND);
  },
);

deploymentRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/deployments/get_scheduled_flow_runs",
    tags,
    summary: "Get Scheduled Flow Runs For Deployments",
    request: jsonBody(Body_get_scheduled_flow_runs_for_deployments_deployments_get_scheduled_flow_runs_post),
    responses: { 200: jsonResponse(z.array(FlowRunResponse)), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const db = c.var.db;
    const scheduledBefore = body.scheduled_before ? toIso(body.scheduled_before) : undefined;
    const rows = await scheduledRunsOfDeployments(db, body.deployment_ids, scheduledBefore, resolveLimit(body.limit));
    // Polling marks the deployments READY, after answering (as Prefect defers it to a task).
    afterResponse(c, "marking deployments ready", markDeploymentsReady(db, { deploymentIds: body.deployment_ids }));
    return c.json(rows.map((r) => toFlowRunResponse(r)), 200);
  },
);
