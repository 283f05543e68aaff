import { createRoute, z } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import { afterResponse, createRouter, IdParams, jsonBody, jsonResponse } from "../lib/router";
import { notFound } from "../lib/errors";
import { resolveLimit, paginated } from "../db/pagination";
import { workPool, workQueue, type flowRun } from "../db/schema";
import { toFlowRunResponse } from "../db/queries/runs-serialize";
import { isoNow, secondsBetween } from "../lib/time";
import { markQueuesPolled, pollScheduledRuns, slotHolders } from "../services/work-queue-slots";
import {
  Body_get_scheduled_flow_runs_work_pools__name__get_scheduled_flow_runs_post,
  Body_read_work_pool_concurrency_status_work_pools__name__concurrency_status_post,
  Body_read_work_queue_concurrency_status_work_queues__id__concurrency_status_post,
  Body_read_work_queue_runs_work_queues__id__get_runs_post,
  FlowRunResponse,
  FlowRunSlotSummary,
  WorkerFlowRunResponse,
  WorkPoolConcurrencyStatus,
  WorkQueueConcurrencyStatus,
} from "../schemas/prefect.gen";

/** The routes through which runs of a work queue are handed out, and its slot ledger is read. */
export const workQueueSlotsRouter = createRouter();
const PoolParams = z.object({ name: z.string() });

function slotSummary(run: typeof flowRun.$inferSelect, now: string): FlowRunSlotSummary {
  return {
    id: run.id,
    name: run.name,
    state_type: run.state_type as FlowRunSlotSummary["state_type"],
    state_name: run.state_name,
    start_time: run.start_time,
    state_timestamp: run.state_timestamp,
    time_in_current_state: run.state_timestamp ? secondsBetween(run.state_timestamp, now) : null,
  };
}

/** WorkerFlowRunResponse carries a FlowRun, which has no work-pool fields. */
function asFlowRun(run: typeof flowRun.$inferSelect, now: string) {
  const { work_pool_id: _id, work_pool_name: _name, ...rest } = toFlowRunResponse(run, now);
  return rest;
}

workQueueSlotsRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_pools/{name}/get_scheduled_flow_runs",
    tags: ["Work Pools"],
    summary: "Get Scheduled Flow Runs",
    request: { params: PoolParams, ...jsonBody(Body_get_scheduled_flow_runs_work_pools__name__get_scheduled_flow_runs_post) },
    responses: { 200: jsonResponse(z.array(WorkerFlowRunResponse)) },
  }),
  async (c) => {
    const { name } = c.req.valid("param");
    const body = c.req.valid("json");
    const limit = resolveLimit(body.limit);
    const db = c.var.db;
    const pool = await db.select().from(workPool).where(eq(workPool.name, name)).get();
    if (!pool) throw notFound(`Work pool "${name}" not found.`);
    let queues = await db.select().from(workQueue).where(eq(workQueue.work_pool_id, pool.id)).orderBy(asc(workQueue.priority));
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

workQueueSlotsRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_queues/{id}/get_runs",
    tags: ["Work Queues"],
    summary: "Read Work Queue Runs",
    request: { params: IdParams, ...jsonBody(Body_read_work_queue_runs_work_queues__id__get_runs_post) },
    responses: { 200: jsonResponse(z.array(FlowRunResponse)) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const db = c.var.db;
    const queue = await db.select().from(workQueue).where(eq(workQueue.id, id.toLowerCase())).get();
    if (!queue) throw notFound("work queue not found");
    const pool = await db.select().from(workPool).where(eq(workPool.id, queue.work_pool_id)).get();
    if (!pool) throw notFound("work queue not found");
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

workQueueSlotsRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_queues/{id}/concurrency_status",
    tags: ["Work Queues"],
    summary: "Read Work Queue Concurrency Status",
    request: { params: IdParams, ...jsonBody(Body_read_work_queue_concurrency_status_work_queues__id__concurrency_status_post) },
    responses: { 200: jsonResponse(WorkQueueConcurrencyStatus) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const limit = resolveLimit(body.limit);
    const queue = await c.var.db.select().from(workQueue).where(eq(workQueue.id, id.toLowerCase())).get();
    if (!queue) throw notFound("Work queue not found.");
    const holders = await slotHolders(c.env, c.var.db, "queue", queue.id, (body.page - 1) * limit, limit);
    const now = isoNow();
    const page = paginated(holders.runs.map((r) => slotSummary(r, now)), holders.count, limit, body.page);
    return c.json(
      {
        active_slots: holders.active_slots,
        concurrency_limit: queue.concurrency_limit,
        flow_runs: page.results,
        count: page.count,
        limit: page.limit,
        pages: page.pages,
        page: page.page,
      },
      200,
    );
  },
);

workQueueSlotsRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_pools/{name}/concurrency_status",
    tags: ["Work Pools"],
    summary: "Read Work Pool Concurrency Status",
    request: { params: PoolParams, ...jsonBody(Body_read_work_pool_concurrency_status_work_pools__name__concurrency_status_post) },
    responses: { 200: jsonResponse(WorkPoolConcurrencyStatus) },
  }),
  async (c) => {
    const { name } = c.req.valid("param");
    const body = c.req.valid("json");
    const limit = resolveLimit(body.limit);
    const db = c.var.db;
    const pool = await db.select().from(workPool).where(eq(workPool.name, name)).get();
    if (!pool) throw notFound(`Work pool '${name}' not found.`);
    const [queues, poolHolders] = await Promise.all([
      db.select().from(workQueue).where(eq(workQueue.work_pool_id, pool.id)).orderBy(asc(workQueue.priority), asc(workQueue.name)),
      slotHolders(c.env, db, "pool", pool.id, 0, 0),
    ]);
    const pageQueues = queues.slice((body.page - 1) * limit, body.page * limit);
    const now = isoNow();
    const details = await Promise.all(
      pageQueues.map(async (q) => {
        const h = await slotHolders(c.env, db, "queue", q.id, 0, body.flow_run_limit);
        return {
          queue_id: q.id,
          queue_name: q.name,
          active_slots: h.active_slots,
          concurrency_limit: q.concurrency_limit,
          flow_runs: h.runs.map((r) => slotSummary(r, now)),
          flow_run_count: h.count,
        };
      }),
    );
    const page = paginated(details, queues.length, limit, body.page);
    return c.json(
      {
        active_slots: poolHolders.active_slots,
        concurrency_limit: pool.concurrency_limit,
        queues: page.results,
        count: page.count,
        limit: page.limit,
        pages: page.pages,
        page: page.page,
      },
      200,
    );
  },
);
