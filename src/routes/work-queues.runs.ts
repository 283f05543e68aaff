import { createRoute, z } from "@hono/zod-openapi";
import { workQueueConcurrencyStatus } from "../services/concurrency-status";
import { afterResponse, createRouter, IdParams, jsonBody, jsonResponse, errorResponses } from "../lib/router";
import { notFound } from "../lib/errors";
import { resolveLimit } from "../db/pagination";
import { readQueueRow } from "../db/queries/work-queues";
import { toFlowRunResponse } from "../db/queries/runs-serialize";
import { isoNow } from "../lib/time";
import { markQueuesPolled, pollScheduledRuns } from "../concurrency/work-queue-slots";
import {
  Body_read_work_queue_concurrency_status_work_queues__id__concurrency_status_post,
  Body_read_work_queue_runs_work_queues__id__get_runs_post,
  FlowRunResponse,
  WorkQueueConcurrencyStatus,
} from "../schemas/prefect.gen";

/** A work queue's runs: handed out to its pollers (`get_runs`), and its slot holders (`concurrency_status`). */
export const workQueueRunsRouter = createRouter();
const tags = ["Work Queues"];

workQueueRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_queues/{id}/get_runs",
    tags,
    summary: "Read Work Queue Runs",
    request: { params: IdParams, ...jsonBody(Body_read_work_queue_runs_work_queues__id__get_runs_post) },
    responses: { 200: jsonResponse(z.array(FlowRunResponse)), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const db = c.var.db;
    const found = await readQueueRow(db, id.toLowerCase());
    if (!found) throw notFound("work queue not found");
    const { queue, pool } = found;
    const now = isoNow();
    const handed = await pollScheduledRuns(c.env, db, pool, [queue], {
      limit: resolveLimit(body.limit),
      scheduledBefore: body.scheduled_before,
    });
    // The Prefect UI peeks at queues with this route; only real polls mark the queue.
    if (c.req.header("x-prefect-ui") !== "true") afterResponse(c, "marking polled queues", markQueuesPolled(db, [queue.id], now));
    return c.json(handed.map(({ run }) => toFlowRunResponse(run, now)), 200);
  },
);

workQueueRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_queues/{id}/concurrency_status",
    tags,
    summary: "Read Work Queue Concurrency Status",
    request: { params: IdParams, ...jsonBody(Body_read_work_queue_concurrency_status_work_queues__id__concurrency_status_post) },
    responses: { 200: jsonResponse(WorkQueueConcurrencyStatus), ...errorResponses(404, 422) },
  }),
  async (c) => c.json(await workQueueConcurrencyStatus(c.var.db, c.req.valid("param").id, c.req.valid("json")), 200),
);
