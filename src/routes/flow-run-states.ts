import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, IdParams, jsonResponse, errorResponses } from "../lib/router";
import { orNotFound } from "../lib/errors";
import { normalizeUuid } from "../lib/ids";
import { Uuid } from "../schemas/primitives";
import * as states from "../db/queries/run-states";
import { State } from "../schemas/prefect.gen";
import { pathId } from "./support/handlers";

export const flowRunStatesRouter = createRouter();
const tags = ["Flow Run States"];

flowRunStatesRouter.openapi(
  createRoute({
    method: "get",
    path: "/flow_run_states/{id}",
    tags,
    summary: "Read Flow Run State",
    request: { params: IdParams },
    responses: { 200: jsonResponse(State), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await states.readFlowRunState(c.var.db, pathId(c)), "Flow run state not found"), 200),
);

flowRunStatesRouter.openapi(
  createRoute({
    method: "get",
    path: "/flow_run_states/",
    tags,
    summary: "Read Flow Run States",
    request: { query: z.object({ flow_run_id: Uuid }) },
    responses: { 200: jsonResponse(z.array(State)), ...errorResponses(422) },
  }),
  async (c) => c.json(await states.readFlowRunStates(c.var.db, normalizeUuid(c.req.valid("query").flow_run_id)), 200),
);
