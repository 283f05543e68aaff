import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, IdParams, jsonBody, jsonResponse, errorResponses } from "../lib/router";
import { ApiError, orNotFound } from "../lib/errors";
import * as ui from "../db/queries/ui-runs";
import { referencedVariableNames, workspaceVariables } from "../db/queries/ui-schemas";
import { buildErrorObj, validateValues } from "../lib/schema-tools";
import {
  Body_count_deployments_by_flow_ui_flows_count_deployments_post,
  Body_count_task_runs_by_flow_run_ui_flow_runs_count_task_runs_post,
  Body_next_runs_by_flow_ui_flows_next_runs_post,
  Body_read_dashboard_task_run_counts_ui_task_runs_dashboard_counts_post,
  Body_read_flow_run_history_ui_flow_runs_history_post,
  Body_read_task_run_counts_by_state_ui_task_runs_count_post,
  Body_validate_obj_ui_schemas_validate_post,
  CountByState,
  SchemaValuesValidationResponse,
  SimpleFlowRun,
  SimpleNextFlowRun,
  UITaskRun,
} from "../schemas/prefect.gen";
import { pathId } from "./support/handlers";

export const uiRouter = createRouter();

// ---- /ui/flows ----

uiRouter.openapi(
  createRoute({
    method: "post",
    path: "/ui/flows/count-deployments",
    tags: ["Flows", "UI"],
    summary: "Count Deployments By Flow",
    request: jsonBody(Body_count_deployments_by_flow_ui_flows_count_deployments_post),
    responses: { 200: jsonResponse(z.record(z.string(), z.int())), ...errorResponses(422) },
  }),
  async (c) => c.json(await ui.countDeploymentsByFlow(c.var.db, c.req.valid("json").flow_ids), 200),
);

uiRouter.openapi(
  createRoute({
    method: "post",
    path: "/ui/flows/next-runs",
    tags: ["Flows", "UI"],
    summary: "Next Runs By Flow",
    request: jsonBody(Body_next_runs_by_flow_ui_flows_next_runs_post),
    responses: { 200: jsonResponse(z.record(z.string(), SimpleNextFlowRun.nullable())), ...errorResponses(422) },
  }),
  async (c) => c.json(await ui.nextRunsByFlow(c.var.db, c.req.valid("json").flow_ids), 200),
);

// ---- /ui/flow_runs ----

uiRouter.openapi(
  createRoute({
    method: "post",
    path: "/ui/flow_runs/history",
    tags: ["Flow Runs", "UI"],
    summary: "Read Flow Run History",
    request: jsonBody(Body_read_flow_run_history_ui_flow_runs_history_post),
    responses: { 200: jsonResponse(z.array(SimpleFlowRun)), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    return c.json(await ui.flowRunHistory(c.var.db, body, body.sort, body.limit, body.offset), 200);
  },
);

uiRouter.openapi(
  createRoute({
    method: "post",
    path: "/ui/flow_runs/count-task-runs",
    tags: ["Flow Runs", "UI"],
    summary: "Count Task Runs By Flow Run",
    request: jsonBody(Body_count_task_runs_by_flow_run_ui_flow_runs_count_task_runs_post),
    responses: { 200: jsonResponse(z.record(z.string(), z.int())), ...errorResponses(422) },
  }),
  async (c) => c.json(await ui.countTaskRunsByFlowRun(c.var.db, c.req.valid("json").flow_run_ids), 200),
);

// ---- /ui/task_runs ----

uiRouter.openapi(
  createRoute({
    method: "post",
    path: "/ui/task_runs/dashboard/counts",
    tags: ["Task Runs", "UI"],
    summary: "Read Dashboard Task Run Counts",
    request: jsonBody(Body_read_dashboard_task_run_counts_ui_task_runs_dashboard_counts_post),
    responses: { 200: jsonResponse(z.array(z.object({ completed: z.int(), failed: z.int() }))), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const startTime = body.task_runs.start_time;
    if (!startTime?.after_) throw new ApiError(422, "task_runs.start_time.after_ is required");
    const filters = {
      flows: body.flows,
      flow_runs: body.flow_runs,
      task_runs: body.task_runs,
      deployments: body.deployments,
      work_pools: body.work_pools,
      work_pool_queues: body.work_queues,
    };
    return c.json(await ui.dashboardTaskRunCounts(c.var.db, filters, startTime.after_, startTime.before_), 200);
  },
);

uiRouter.openapi(
  createRoute({
    method: "post",
    path: "/ui/task_runs/count",
    tags: ["Task Runs", "UI"],
    summary: "Read Task Run Counts By State",
    request: jsonBody(Body_read_task_run_counts_by_state_ui_task_runs_count_post),
    responses: { 200: jsonResponse(CountByState), ...errorResponses(422) },
  }),
  async (c) => c.json(await ui.countTaskRunsByState(c.var.db, c.req.valid("json")), 200),
);

uiRouter.openapi(
  createRoute({
    method: "get",
    path: "/ui/task_runs/{id}",
    tags: ["Task Runs", "UI"],
    summary: "Read Task Run With Flow Run Name",
    request: { params: IdParams },
    responses: { 200: jsonResponse(UITaskRun), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await ui.readTaskRunWithFlowRunName(c.var.db, pathId(c)), "Task not found"), 200),
);

// ---- /ui/schemas ----

uiRouter.openapi(
  createRoute({
    method: "post",
    path: "/ui/schemas/validate",
    tags: ["UI", "Schemas"],
    summary: "Validate Obj",
    request: jsonBody(Body_validate_obj_ui_schemas_validate_post),
    responses: { 200: jsonResponse(SchemaValuesValidationResponse), ...errorResponses(422) },
  }),
  async (c) => {
    const { schema, values } = c.req.valid("json");
    const variables = await workspaceVariables(c.var.db, referencedVariableNames(values));
    const outcome = validateValues(schema, values, variables);
    if (outcome.kind !== "validated") throw new ApiError(422, outcome.message);
    return c.json(buildErrorObj(outcome.errors), 200);
  },
);
