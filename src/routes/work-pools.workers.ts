import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonBody, jsonResponse, noContent, errorResponses } from "../lib/router";
import { notFound, orNotFound } from "../lib/errors";
import { readPoolRow } from "../db/queries/work-pools";
import * as workers from "../db/queries/workers";
import { poolNotFound } from "./work-pools";
import {
  Body_read_workers_work_pools__work_pool_name__workers_filter_post,
  Body_worker_heartbeat_work_pools__work_pool_name__workers_heartbeat_post,
  WorkerResponse,
} from "../schemas/prefect.gen";
import { noContentOr404, readPage } from "./support/handlers";

/** A work pool's workers: heartbeats, listing with their online status, removal. */
export const workPoolWorkersRouter = createRouter();
const tags = ["Work Pools"];
const PoolParams = z.object({ work_pool_name: z.string() });

workPoolWorkersRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_pools/{work_pool_name}/workers/heartbeat",
    tags,
    summary: "Worker Heartbeat",
    request: { params: PoolParams, ...jsonBody(Body_worker_heartbeat_work_pools__work_pool_name__workers_heartbeat_post) },
    responses: { 204: noContent, ...errorResponses(404, 422) },
  }),
  async (c) => {
    const { work_pool_name } = c.req.valid("param");
    const body = c.req.valid("json");
    return noContentOr404(c, await workers.recordHeartbeat(c.var.db, work_pool_name, body.name, body.heartbeat_interval_seconds), poolNotFound(work_pool_name));
  },
);

workPoolWorkersRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_pools/{work_pool_name}/workers/filter",
    tags,
    summary: "Read Workers",
    request: { params: PoolParams, ...jsonBody(Body_read_workers_work_pools__work_pool_name__workers_filter_post) },
    responses: { 200: jsonResponse(z.array(WorkerResponse)), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const { work_pool_name } = c.req.valid("param");
    const found = await readPage(c.req.valid("json"), (body, limit, offset) => workers.filterWorkers(c.var.db, work_pool_name, body.workers, limit, offset));
    return c.json(orNotFound(found, poolNotFound(work_pool_name)), 200);
  },
);

workPoolWorkersRouter.openapi(
  createRoute({
    method: "delete",
    path: "/work_pools/{work_pool_name}/workers/{name}",
    tags,
    summary: "Delete Worker",
    request: { params: z.object({ work_pool_name: z.string(), name: z.string() }) },
    responses: { 204: noContent, ...errorResponses(404) },
  }),
  async (c) => {
    const { work_pool_name, name } = c.req.valid("param");
    const pool = await readPoolRow(c.var.db, work_pool_name);
    if (!pool) throw poolNotFound(work_pool_name);
    if (!(await workers.deleteWorker(c.var.db, pool.id, name))) throw notFound("Worker not found.");
    return c.body(null, 204);
  },
);
