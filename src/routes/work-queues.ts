import { changedFields, emitAfter, queueCreated, queueDeleted, queueUpdated } from "../services/work-pool-events";
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, IdParams, jsonBody, jsonResponse, noContent, sentFields, errorResponses } from "../lib/router";
import { ApiError, conflict, notFound, orNotFound, integrityConflict } from "../lib/errors";
import { isoNow, secondsBetween } from "../lib/time";
import type { Db } from "../db/client";
import * as pools from "../db/queries/work-pools";
import * as queues from "../db/queries/work-queues";

import {
  Body_read_work_queues_work_queues_filter_post,
  WorkQueueCreate,
  WorkQueueResponse,
  WorkQueueStatusDetail,
  WorkQueueUpdate,
} from "../schemas/prefect.gen";
import { pathId, readPage } from "./support/handlers";

/** Prefect's legacy work-queue routes, addressed by id; new queues go to the default agent pool. */
export const workQueuesRouter = createRouter();
const tags = ["Work Queues"];
const NOT_FOUND = "work queue not found";

/** Every queue is judged by Prefect's one default health policy. */
const HEALTH_POLICY = { maximum_late_runs: 0, maximum_seconds_since_last_polled: 60 };

/** The default agent pool, created (with its `default` queue) on first use, as Prefect does. */
async function ensureAgentPool(db: Db): Promise<{ created: boolean; defaultQueueId: string | null }> {
  const existing = await pools.readPoolRow(db, pools.DEFAULT_AGENT_POOL_NAME);
  if (existing) return { created: false, defaultQueueId: existing.default_queue_id };
  const made = await pools.createPool(db, {
    name: pools.DEFAULT_AGENT_POOL_NAME,
    type: "prefect-agent",
    base_job_template: {},
    is_paused: false,
    storage_configuration: {},
  });
  if (made) return { created: true, defaultQueueId: made.default_queue_id ?? null };
  // Another request created it first.
  const raced = await pools.readPoolRow(db, pools.DEFAULT_AGENT_POOL_NAME);
  return { created: false, defaultQueueId: raced?.default_queue_id ?? null };
}

workQueuesRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_queues/",
    tags,
    summary: "Create Work Queue",
    request: jsonBody(WorkQueueCreate),
    responses: { 201: jsonResponse(WorkQueueResponse), ...errorResponses(409, 422) },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const db = c.var.db;
    const agentPool = await ensureAgentPool(db);
    // A new agent pool already holds the `default` queue: that one is the answer.
    if (agentPool.created && input.name === pools.DEFAULT_QUEUE_NAME && agentPool.defaultQueueId) {
      return c.json((await queues.readQueue(db, agentPool.defaultQueueId))!, 201);
    }
    const res = await queues.createQueueInPool(db, pools.DEFAULT_AGENT_POOL_NAME, input);
    if (res.kind !== "created") throw conflict("A work queue with this name already exists.");
    emitAfter(c, [queueCreated(res.queue, await pools.readPoolRow(db, pools.DEFAULT_AGENT_POOL_NAME) as any)]);
    return c.json(res.queue, 201);
  },
);

workQueuesRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_queues/filter",
    tags,
    summary: "Read Work Queues",
    request: jsonBody(Body_read_work_queues_work_queues_filter_post),
    responses: { 200: jsonResponse(z.array(WorkQueueResponse)), ...errorResponses(422) },
  }),
  async (c) => c.json(await readPage(c.req.valid("json"), (body, limit, offset) => queues.filterQueues(c.var.db, body.work_queues, limit, offset)), 200),
);

workQueuesRouter.openapi(
  createRoute({
    method: "get",
    path: "/work_queues/name/{name}",
    tags,
    summary: "Read Work Queue By Name",
    request: { params: z.object({ name: z.string() }) },
    responses: { 200: jsonResponse(WorkQueueResponse), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await queues.readLegacyQueueByName(c.var.db, c.req.valid("param").name), NOT_FOUND), 200),
);

workQueuesRouter.openapi(
  createRoute({
    method: "get",
    path: "/work_queues/{id}",
    tags,
    summary: "Read Work Queue",
    request: { params: IdParams },
    responses: { 200: jsonResponse(WorkQueueResponse), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await queues.readQueue(c.var.db, pathId(c)), NOT_FOUND), 200),
);

workQueuesRouter.openapi(
  createRoute({
    method: "patch",
    path: "/work_queues/{id}",
    tags,
    summary: "Update Work Queue",
    request: { params: IdParams, ...jsonBody(WorkQueueUpdate) },
    responses: { 204: noContent, ...errorResponses(404, 409, 422) },
  }),
  async (c) => {
    const id = pathId(c);
    const input = await sentFields(c, c.req.valid("json"));
    const found = await queues.readQueueRow(c.var.db, id);
    if (!found) throw notFound(`Work Queue ${id} not found`);
    await queues.updateQueue(c.var.db, found.queue, input);
    const changes = changedFields(found.queue as Record<string, unknown>, input as Record<string, unknown>);
    if (Object.keys(changes).length) emitAfter(c, [queueUpdated(found.queue, found.pool as any, changes)]);
    return c.body(null, 204);
  },
);

workQueuesRouter.openapi(
  createRoute({
    method: "delete",
    path: "/work_queues/{id}",
    tags,
    summary: "Delete Work Queue",
    request: { params: IdParams },
    responses: { 204: noContent, ...errorResponses(404, 409) },
  }),
  async (c) => {
    const id = pathId(c);
    const found = await queues.readQueueRow(c.var.db, id);
    if (!found) throw notFound(NOT_FOUND);
    // Prefect's foreign key from the pool refuses this; its integrity-error answer.
    if (found.pool.default_queue_id === id) throw integrityConflict();
    await queues.deleteQueue(c.var.db, id);
    emitAfter(c, [queueDeleted(found.queue, found.pool as any)]);
    return c.body(null, 204);
  },
);

workQueuesRouter.openapi(
  createRoute({
    method: "get",
    path: "/work_queues/{id}/status",
    tags,
    summary: "Read Work Queue Status",
    request: { params: IdParams },
    responses: { 200: jsonResponse(WorkQueueStatusDetail), ...errorResponses({ 404: "exception_message" }) },
  }),
  async (c) => {
    const id = pathId(c);
    const inputs = await queues.readQueueHealthInputs(c.var.db, id);
    if (!inputs) throw new ApiError(404, `Work queue with id ${id} not found`, "exception_message");
    const { last_polled, late } = inputs;
    const polledRecently =
      last_polled !== null && secondsBetween(last_polled, isoNow()) <= HEALTH_POLICY.maximum_seconds_since_last_polled;
    return c.json(
      {
        healthy: late <= HEALTH_POLICY.maximum_late_runs && polledRecently,
        late_runs_count: late,
        last_polled,
        health_check_policy: HEALTH_POLICY,
      },
      200,
    );
  },
);
