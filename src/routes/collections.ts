import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonResponse } from "../lib/router";
import { notFound } from "../lib/errors";
import { WORKER_CATALOGUE } from "../services/worker-catalogue";

export const collectionsRouter = createRouter();

/** The registry views Prefect knows; we carry our own worker catalogue and none of the others. */
const KNOWN_VIEWS = new Set(["aggregate-block-metadata", "aggregate-flow-metadata", "aggregate-worker-metadata", "demo-flows"]);

collectionsRouter.openapi(
  createRoute({
    method: "get",
    path: "/collections/views/{view}",
    tags: ["Collections"],
    summary: "Read View Content",
    request: { params: z.object({ view: z.string() }) },
    responses: { 200: jsonResponse(z.record(z.string(), z.any())) },
  }),
  async (c) => {
    const { view } = c.req.valid("param");
    if (view === "aggregate-worker-metadata") return c.json(WORKER_CATALOGUE, 200);
    if (KNOWN_VIEWS.has(view)) throw notFound(`Requested content missing for view ${view}`);
    throw notFound(`View ${view} not found in registry`);
  },
);
