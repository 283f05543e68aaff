import { createRoute } from "@hono/zod-openapi";
import { createRouter, IdParams, jsonBody, jsonResponse } from "../lib/router";
import { ApiError } from "../lib/errors";
import { toTaskRun } from "../db/queries/runs-serialize";
import { Body_set_task_run_state_task_runs__id__set_state_post, OrchestrationResult, TaskRun, TaskRunCreate } from "../schemas/prefect.gen";
import { createTaskRun } from "../services/task-run-create";
import { setTaskRunState } from "../orchestration/task-run-state";
import { apiVersionOf, orchestrationResponse } from "./orchestration-response";

const tags = ["Task Runs"];
export const taskRunOrchestrationRouter = createRouter();

taskRunOrchestrationRouter.openapi(
  createRoute({
    method: "post",
    path: "/task_runs/",
    tags,
    summary: "Create Task Run",
    request: jsonBody(TaskRunCreate),
    responses: { 200: jsonResponse(TaskRun), 201: jsonResponse(TaskRun) },
  }),
  async (c) => {
    const { run, created } = await createTaskRun(c.var.db, c.req.valid("json"));
    return c.json(toTaskRun(run), created ? 201 : 200);
  },
);

taskRunOrchestrationRouter.openapi(
  createRoute({
    method: "post",
    path: "/task_runs/{id}/set_state",
    tags,
    summary: "Set Task Run State",
    request: { params: IdParams, ...jsonBody(Body_set_task_run_state_task_runs__id__set_state_post) },
    responses: { 200: jsonResponse(OrchestrationResult), 201: jsonResponse(OrchestrationResult) },
  }),
  async (c) => {
    const { state, force } = c.req.valid("json");
    const id = c.req.valid("param").id;
    const outcome = await setTaskRunState(c.var.db, id, state, { force, apiVersion: apiVersionOf(c) });
    if (!outcome) throw new ApiError(404, `Task run with id ${id} not found`, "exception_message");
    return orchestrationResponse(c, outcome);
  },
);
