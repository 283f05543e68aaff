import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, IdParams, jsonResponse } from "../lib/router";
import { notFound } from "../lib/errors";
import { normalizeUuid } from "../lib/ids";
import { Uuid } from "../schemas/primitives";
import * as states from "../db/queries/run-states";
import { State } from "../schemas/prefect.gen";

export const runStatesRouter = createRouter();

const flowTags = ["Flow Run States"];
const taskTags = ["Task Run States"];

runStatesRouter.openapi(
  createRoute({
    method: "get",
    path: "/flow_run_states/{id}",
    tags: flowTags,
    summary: "Read Flow Run State",
    request: { params: IdParams },
    responses: { 200: jsonResponse(State) },
  }),
  async (c) => {
    const state = await states.readFlowRunState(c.var.db, normalizeUuid(c.req.valid("param").id));
    if (!state) throw notFound("Flow run state not found");
    return c.json(state, 200);
  },
);

runStatesRouter.openapi(
  createRoute({
    method: "get",
    path: "/flow_run_states/",
    tags: flowTags,
    summary: "Read Flow Run States",
    request: { query: z.object({ flow_run_id: Uuid }) },
    responses: { 200: jsonResponse(z.array(State)) },
  }),
  async (c) => c.json(await states.readFlowRunStates(c.var.db, normalizeUuid(c.req.valid("query").flow_run_id)), 200),
);

runStatesRouter.openapi(
  createRoute({
    method: "get",
    path: "/task_run_states/{id}",
    tags: taskTags,
    summary: "Read Task Run State",
    request: { params: IdParams },
    responses: { 200: jsonResponse(State) },
  }),
  async (c) => {
    const state = await states.readTaskRunState(c.var.db, normalizeUuid(c.req.valid("param").id));
    // Prefect's task-run-state route answers with the flow-run wording.
    if (!state) throw notFound("Flow run state not found");
    return c.json(state, 200);
  },
);

runStatesRouter.openapi(
  createRoute({
    method: "get",
    path: "/task_run_states/",
    tags: taskTags,
    summary: "Read Task Run States",
    request: { query: z.object({ task_run_id: Uuid }) },
    responses: { 200: jsonResponse(z.array(State)) },
  }),
  async (c) => c.json(await states.readTaskRunStates(c.var.db, normalizeUuid(c.req.valid("query").task_run_id)), 200),
);
