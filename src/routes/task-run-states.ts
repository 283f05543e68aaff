import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, IdParams, jsonResponse, errorResponses } from "../lib/router";
import { orNotFound } from "../lib/errors";
import { normalizeUuid } from "../lib/ids";
import { Uuid } from "../schemas/primitives";
import * as states from "../db/queries/run-states";
import { State } from "../schemas/prefect.gen";
import { pathId } from "./support/handlers";

export const taskRunStatesRouter = createRouter();
const tags = ["Task Run States"];

taskRunStatesRouter.openapi(
  createRoute({
    method: "get",
    path: "/task_run_states/{id}",
    tags,
    summary: "Read Task Run State",
    request: { params: IdParams },
    responses: { 200: jsonResponse(State), ...errorResponses(404) },
  }),
  // Prefect's task-run-state route answers with the flow-run wording.
  async (c) => c.json(orNotFound(await states.readTaskRunState(c.var.db, pathId(c)), "Flow run state not found"), 200),
);

taskRunStatesRouter.openapi(
  createRoute({
    method: "get",
    path: "/task_run_states/",
    tags,
    summary: "Read Task Run States",
    request: { query: z.object({ task_run_id: Uuid }) },
    responses: { 200: jsonResponse(z.array(State)), ...errorResponses(422) },
  }),
  async (c) => c.json(await states.readTaskRunStates(c.var.db, normalizeUuid(c.req.valid("query").task_run_id)), 200),
);
