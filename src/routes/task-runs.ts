import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, IdParams, jsonBody, jsonResponse, noContent, sentFields, errorResponses } from "../lib/router";
import { ApiError, orNotFound } from "../lib/errors";
import type { ResourceFilters } from "../db/filters";
import * as taskRuns from "../db/queries/task-runs";
import { runHistory } from "../db/queries/run-history";
import { toTaskRun } from "../db/queries/runs-serialize";
import { createTaskRun } from "../services/task-run-create";
import { setTaskRunState } from "../orchestration/task-run-state";
import { checkHistoryInterval } from "./flow-runs";
import { apiVersionOf, orchestrationResponse } from "./support/orchestration-response";
import {
  Body_count_task_runs_task_runs_count_post,
  Body_paginate_task_runs_task_runs_paginate_post,
  Body_read_task_runs_task_runs_filter_post,
  Body_set_task_run_state_task_runs__id__set_state_post,
  Body_task_run_history_task_runs_history_post,
  HistoryResponse,
  OrchestrationResult,
  TaskRun,
  TaskRunCreate,
  TaskRunPaginationResponse,
  TaskRunUpdate,
} from "../schemas/prefect.gen";
import { noContentOr404, pathId, paginate, readPage } from "./support/handlers";
import { jsonPage, jsonPieces } from "../lib/json-pieces";

const tags = ["Task Runs"];
export const taskRunsRouter = createRouter();

taskRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/task_runs/",
    tags,
    summary: "Create Task Run",
    request: jsonBody(TaskRunCreate),
    responses: { 200: jsonResponse(TaskRun), 201: jsonResponse(TaskRun), ...errorResponses(409, 422) },
  }),
  async (c) => {
    const { run, created } = await createTaskRun(c.env, c.var.db, c.req.valid("json"));
    return c.json(toTaskRun(run), created ? 201 : 200);
  },
);

taskRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/task_runs/{id}/set_state",
    tags,
    summary: "Set Task Run State",
    request: { params: IdParams, ...jsonBody(Body_set_task_run_state_task_runs__id__set_state_post) },
    responses: { 200: jsonResponse(OrchestrationResult), 201: jsonResponse(OrchestrationResult), ...errorResponses({ 404: "exception_message" }, 422) },
  }),
  async (c) => {
    const { state, force } = c.req.valid("json");
    const id = c.req.valid("param").id;
    const outcome = await setTaskRunState(c.env, c.var.db, id, state, { force, apiVersion: apiVersionOf(c) });
    if (!outcome) throw new ApiError(404, `Task run with id ${id} not found`, "exception_message");
    return orchestrationResponse(c, outcome);
  },
);

const FilterBody = Body_read_task_runs_task_runs_filter_post;
const PaginateBody = Body_paginate_task_runs_task_runs_paginate_post;
const CountBody = Body_count_task_runs_task_runs_count_post;
const HistoryBody = Body_task_run_history_task_runs_history_post;

/** Task-run endpoints filter by flows, flow runs, task runs and deployments only. */
const filtersOf = (b: { flows?: unknown; flow_runs?: unknown; task_runs?: unknown; deployments?: unknown }) =>
  ({ flows: b.flows, flow_runs: b.flow_runs, task_runs: b.task_runs, deployments: b.deployments }) as ResourceFilters;

taskRunsRouter.openapi(
  createRoute({
    method: "get",
    path: "/task_runs/{id}",
    tags,
    summary: "Read Task Run",
    request: { params: IdParams },
    responses: { 200: jsonResponse(TaskRun), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await taskRuns.readTaskRun(c.var.db, pathId(c)), "Task not found"), 200),
);

taskRunsRouter.openapi(
  createRoute({
    method: "patch",
    path: "/task_runs/{id}",
    tags,
    summary: "Update Task Run",
    request: { params: IdParams, ...jsonBody(TaskRunUpdate) },
    responses: { 204: noContent, ...errorResponses(404, 422) },
  }),
  async (c) => noContentOr404(c, await taskRuns.updateTaskRun(c.var.db, pathId(c), await sentFields(c, c.req.valid("json"))), "Task run not found"),
);

taskRunsRouter.openapi(
  createRoute({
    method: "delete",
    path: "/task_runs/{id}",
    tags,
    summary: "Delete Task Run",
    request: { params: IdParams },
    responses: { 204: noContent, ...errorResponses(404) },
  }),
  async (c) => noContentOr404(c, await taskRuns.deleteTaskRun(c.var.db, pathId(c)), "Task not found"),
);

taskRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/task_runs/count",
    tags,
    summary: "Count Task Runs",
    request: jsonBody(CountBody),
    responses: { 200: jsonResponse(z.int()), ...errorResponses(422) },
  }),
  async (c) => c.json(await taskRuns.countTaskRuns(c.var.db, filtersOf(c.req.valid("json"))), 200),
);

taskRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/task_runs/history",
    tags,
    summary: "Task Run History",
    request: jsonBody(HistoryBody),
    responses: { 200: jsonResponse(z.array(HistoryResponse)), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    checkHistoryInterval(body.history_interval_seconds);
    return c.json(await runHistory(c.var.db, "task_run", body, filtersOf(body)), 200);
  },
);

taskRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/task_runs/filter",
    tags,
    summary: "Read Task Runs",
    request: jsonBody(FilterBody),
    responses: { 200: jsonResponse(z.array(TaskRun)), ...errorResponses(422) },
  }),
  async (c) => jsonPieces(c, await readPage(c.req.valid("json"), (body, limit, offset) => taskRuns.filterTaskRuns(c.var.db, filtersOf(body), body.sort, limit, offset))),
);

taskRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/task_runs/paginate",
    tags,
    summary: "Paginate Task Runs",
    request: jsonBody(PaginateBody),
    responses: { 200: jsonResponse(TaskRunPaginationResponse), ...errorResponses(422) },
  }),
  async (c) => {
    const page = await paginate(c.req.valid("json"), (body, limit, offset) => taskRuns.paginateTaskRuns(c.var.db, filtersOf(body), body.sort, limit, offset));
    return jsonPage(c, page);
  },
);
