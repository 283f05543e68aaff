import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonBody, jsonResponse, errorResponses } from "../lib/router";
import * as logs from "../db/queries/logs";
import { Body_read_logs_logs_filter_post, Log, LogCreate } from "../schemas/prefect.gen";
import { Int } from "../schemas/primitives";
import { createAndPublishLogs } from "../events/logs";
import { openEventStreamSocket } from "../events/publish";
import { socketServedBy } from "./support/sockets";
import { readPage } from "./support/handlers";
import { jsonPieces } from "../lib/json-pieces";

const tags = ["Logs"];
export const logsRouter = createRouter();

// The SDK's `"offset": null, "sort": null` count as absent (jsonBody); a null limit means the default.
const ReadLogsBody = Body_read_logs_logs_filter_post.extend({ limit: Int.nullable().optional() });

logsRouter.openapi(
  createRoute({
    method: "post",
    path: "/logs/",
    tags,
    summary: "Create Logs",
    request: jsonBody(z.array(LogCreate)),
    responses: { 201: jsonResponse(z.null()), ...errorResponses(422) },
  }),
  async (c) => {
    // Stored, then published to /logs/out subscribers.
    await createAndPublishLogs(c.env, c.var.db, c.req.valid("json"));
    return c.json(null, 201);
  },
);

logsRouter.openapi(
  createRoute({
    method: "post",
    path: "/logs/filter",
    tags,
    summary: "Read Logs",
    request: jsonBody(ReadLogsBody),
    responses: { 200: jsonResponse(z.array(Log)), ...errorResponses(422) },
  }),
  async (c) => jsonPieces(c, await readPage(c.req.valid("json"), (body, limit, offset) => logs.readLogs(c.var.db, body.logs, body.sort, limit, offset))),
);

/** `/logs/out`, the log stream (mounted before the API's auth, see app.ts). */
export const logsSocketRouter = createRouter();
logsSocketRouter.get("/logs/out", socketServedBy(openEventStreamSocket));
