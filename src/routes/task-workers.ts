import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonBody, jsonResponse, errorResponses } from "../lib/router";
import { Body_read_task_workers_task_workers_filter_post, TaskWorkerResponse } from "../schemas/prefect.gen";
import { taskWorkers } from "../task-queue/client";

const tags = ["Task Workers"];
export const taskWorkersRouter = createRouter();

taskWorkersRouter.openapi(
  createRoute({
    method: "post",
    path: "/task_workers/filter",
    tags,
    summary: "Read Task Workers",
    description: "Read active task workers. Optionally filter by task keys.",
    request: jsonBody(Body_read_task_workers_task_workers_filter_post),
    responses: { 200: jsonResponse(z.array(TaskWorkerResponse)), ...errorResponses(422) },
  }),
  async (c) => {
    const keys = c.req.valid("json").task_worker_filter?.task_keys ?? null;
    return c.json(await taskWorkers(c.env, keys), 200);
  },
);
