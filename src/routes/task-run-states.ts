import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, IdParams, jsonResponse, errorResponses } from "../lib/router";
import { notFound } from "../lib/errors";
import { normalizeUuid } from "../lib/ids";
import { Uuid } from "../schemas/primitives";
import * as states from "../db/queries/run-states";
import { State } from "../schemas/prefect.gen";

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
  async (c) => {
    const state = await states.readTaskRunState(c.var.db, normalizeUuid(c.req.valid("param").id));
    // Prefect's task-run-state route answers with the flow-run wording.
    if (!state) throw notFound("Flow run state not found");
    return c.json(state, 200);
  },
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
