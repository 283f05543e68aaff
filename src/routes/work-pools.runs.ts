import { createRoute, z } from "@hono/zod-openapi";
import { afterResponse, createRouter, jsonBody, jsonResponse, errorResponses } from "../lib/router";
import { notFound } from "../lib/errors";
import { resolveLimit } from "../db/pagination";
import { readPoolRow } from "../db/queries/work-pools";
import { readPoolQueueRows } from "../db/queries/work-queues";
import { toFlowRunResponse, type FlowRunRow } from "../db/queries/runs-serialize";
import { isoNow } from "../lib/time";
import { markQueuesPolled, pollScheduledRuns } from "../concurrency/work-queue-slots";
import {
  Body_get_scheduled_flow_runs_work_pools__name__get_scheduled_flow_runs_post,
  WorkerFlowRunResponse,
} from "../schemas/prefect.gen";
import { PoolParams } from "./work-pools";

/** The runs a work pool hands out to its workers (`/work_pools/{name}/get_scheduled_flow_runs`). */
export const workPoolRunsRouter = createRouter();

/** WorkerFlowRunResponse carries a FlowRun, which has no work-pool fields. */
function asFlowRun(run: FlowRunRow, now: string) {
  const { work_pool_id: _id, work_pool_name: _name, ...rest } = toFlowRunResponse(run, now);
  return rest;
}

workPoolRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_pools/{name}/get_scheduled_flow_runs",
    tags: ["Work Pools"],
    summary: "Get Scheduled Flow Runs",
    request: { params: PoolParams, ...jsonBody(Body_get_scheduled_flow_runs_work_pools__name__get_scheduled_flow_runs_post) },
    responses: { 200: jsonResponse(z.array(WorkerFlowRunResponse)), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const { name } = c.req.valid("param");
    const body = c.req.valid("json");
    const limit = resolveLimit(body.limit);
    const db = c.var.db;
    const pool = await readPoolRow(db, name);
    if (!pool) throw notFound(`Work pool "${name}" not found.`);
    let queues = await readPoolQueueRows(db, pool.id);
    if (body.work_queue_names.length) {
      const byName = new Map(queues.map((q) => [q.name, q]));
      const missing = body.work_queue_names.find((n) => !byName.has(n));
      if (missing) throw notFound(`Work pool queue '${name}/${missing}' not found.`);
      queues = body.work_queue_names.map((n) => byName.get(n)!);
    }
    const now = isoNow();
    const handed = await pollScheduledRuns(c.env, db, pool, queues, {
      limit,
      scheduledBefore: body.scheduled_before,
      scheduledAfter: body.scheduled_after,
    });
    afterResponse(c, "marking polled queues", markQueuesPolled(db, queues.map((q) => q.id), now));
    return c.json(
      handed.map(({ queue, run }) => ({ work_pool_id: pool.id, work_queue_id: queue.id, flow_run: asFlowRun(run, now) })),
      200,
    );
  },
);
