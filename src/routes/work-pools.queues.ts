import { changedFields, emitAfter, queueCreated, queueDeleted, queueUpdated } from "../services/work-pool-events";
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonBody, jsonResponse, noContent, sentFields, errorResponses } from "../lib/router";
import { conflict, notFound, orNotFound } from "../lib/errors";
import type { Db } from "../db/client";
import { readPoolRow } from "../db/queries/work-pools";
import * as queues from "../db/queries/work-queues";
import { poolNotFound } from "./work-pools";
import {
  Body_read_work_queues_work_pools__work_pool_name__queues_filter_post,
  WorkQueueCreate,
  WorkQueueResponse,
  WorkQueueUpdate,
} from "../schemas/prefect.gen";
import { readPage } from "./support/handlers";

/** The queues of a work pool, addressed by pool name and queue name (Prefect's Work Pools tag). */
export const workPoolQueuesRouter = createRouter();
const tags = ["Work Pools"];
const PoolParams = z.object({ work_pool_name: z.string() });
const QueueParams = z.object({ work_pool_name: z.string(), name: z.string() });

const queueNotFound = (pool: string, queue: string) => notFound(`Work pool queue '${pool}/${queue}' not found.`);


/** The queue's stored row; a missing pool is reported before a missing queue, as Prefect. */
async function poolQueueOr404(db: Db, poolName: string, queueName: string) {
  const found = await queues.readPoolQueueRow(db, poolName, queueName);
  if (found) return found;
  if (!(await readPoolRow(db, poolName))) throw poolNotFound(poolName);
  throw queueNotFound(poolName, queueName);
}

workPoolQueuesRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_pools/{work_pool_name}/queues",
    tags,
    summary: "Create Work Queue",
    request: { params: PoolParams, ...jsonBody(WorkQueueCreate) },
    responses: { 201: jsonResponse(WorkQueueResponse), ...errorResponses(404, 409, 422) },
  }),
  async (c) => {
    const { work_pool_name } = c.req.valid("param");
    const res = await queues.createQueueInPool(c.var.db, work_pool_name, c.req.valid("json"));
    if (res.kind === "no_pool") throw poolNotFound(work_pool_name);
    // Prefect's message is not interpolated; it reads literally so.
    if (res.kind === "conflict") throw conflict("A work queue with this name already exists in work pool {work_pool_name!r}.");
    const pool = await readPoolRow(c.var.db, work_pool_name);
    emitAfter(c, [queueCreated(res.queue, pool as any)]);
    return c.json(res.queue, 201);
  },
);

workPoolQueuesRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_pools/{work_pool_name}/queues/filter",
    tags,
    summary: "Read Work Queues",
    request: { params: PoolParams, ...jsonBody(Body_read_work_queues_work_pools__work_pool_name__queues_filter_post) },
    responses: { 200: jsonResponse(z.array(WorkQueueResponse)), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const { work_pool_name } = c.req.valid("param");
    const found = await readPage(c.req.valid("json"), (body, limit, offset) => queues.filterPoolQueues(c.var.db, work_pool_name, body.work_queues, limit, offset));
    return c.json(orNotFound(found, poolNotFound(work_pool_name)), 200);
  },
);

workPoolQueuesRouter.openapi(
  createRoute({
    method: "get",
    path: "/work_pools/{work_pool_name}/queues/{name}",
    tags,
    summary: "Read Work Queue",
    request: { params: QueueParams },
    responses: { 200: jsonResponse(WorkQueueResponse), ...errorResponses(404) },
  }),
  async (c) => {
    const { work_pool_name, name } = c.req.valid("param");
    return c.json(orNotFound(await queues.readPoolQueue(c.var.db, work_pool_name, name), queueNotFound(work_pool_name, name)), 200);
  },
);

workPoolQueuesRouter.openapi(
  createRoute({
    method: "patch",
    path: "/work_pools/{work_pool_name}/queues/{name}",
    tags,
    summary: "Update Work Queue",
    request: { params: QueueParams, ...jsonBody(WorkQueueUpdate) },
    responses: { 204: noContent, ...errorResponses(404, 409, 422) },
  }),
  async (c) => {
    const { work_pool_name, name } = c.req.valid("param");
    const input = await sentFields(c, c.req.valid("json"));
    const { queue, pool } = await poolQueueOr404(c.var.db, work_pool_name, name);
    await queues.updateQueue(c.var.db, queue, input);
    const changes = changedFields(queue as Record<string, unknown>, input as Record<string, unknown>);
    if (Object.keys(changes).length) emitAfter(c, [queueUpdated(queue, pool as any, changes)]);
    return c.body(null, 204);
  },
);

workPoolQueuesRouter.openapi(
  createRoute({
    method: "delete",
    path: "/work_pools/{work_pool_name}/queues/{name}",
    tags,
    summary: "Delete Work Queue",
    request: { params: QueueParams },
    responses: { 204: noContent, ...errorResponses(404, 409) },
  }),
  async (c) => {
    const { work_pool_name, name } = c.req.valid("param");
    const { queue, pool } = await poolQueueOr404(c.var.db, work_pool_name, name);
    // Prefect refuses through a foreign key; answered as a conflict rather than its 500.
    if (pool.default_queue_id === queue.id) throw conflict("Can't delete a pool's default queue.");
    await queues.deleteQueue(c.var.db, queue.id);
    emitAfter(c, [queueDeleted(queue, pool as any)]);
    return c.body(null, 204);
  },
);
