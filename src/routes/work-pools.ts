import { changedFields, emitAfter, poolCreated, poolDeleted, poolUpdated } from "../services/work-pool-events";
import { jsonPieces } from "../lib/json-pieces";
import { createRoute, z } from "@hono/zod-openapi";
import { workPoolConcurrencyStatus } from "../services/concurrency-status";
import { createRouter, jsonBody, jsonResponse, noContent, sentFields, errorResponses } from "../lib/router";
import { ApiError, conflict, notFound, orNotFound } from "../lib/errors";
import * as pools from "../db/queries/work-pools";
import {
  Body_count_work_pools_work_pools_count_post,
  Body_read_work_pool_concurrency_status_work_pools__name__concurrency_status_post,
  Body_read_work_pools_work_pools_filter_post,
  WorkPoolConcurrencyStatus,
  WorkPoolCreate,
  WorkPoolResponse,
  WorkPoolUpdate,
} from "../schemas/prefect.gen";
import { readPage } from "./support/handlers";

const tags = ["Work Pools"];
export const workPoolsRouter = createRouter();
export const PoolParams = z.object({ name: z.string() });

export const poolNotFound = (name: string) => notFound(`Work pool "${name}" not found.`);

/** Python truthiness of a JSON value, as Prefect's check applies it. */
const truthy = (v: unknown) => !!v && (typeof v !== "object" || Object.keys(v).length > 0);

/** Pools whose name starts with "prefect" (any case) belong to Prefect itself. */
const isReserved = (name: string) => name.toLowerCase().startsWith("prefect");

/**
 * Prefect's base_job_template rule: empty, or a `job_configuration` whose `{{ placeholders }}` are
 * all declared under `variables.properties`.
 */
function checkBaseJobTemplate(template: Record<string, any> | null | undefined, ctx: z.RefinementCtx) {
  if (!template || Object.keys(template).length === 0) return;
  const { job_configuration: config, variables } = template;
  const fail = (message: string) => ctx.addIssue({ code: "custom", message, path: ["base_job_template"] });
  if (!truthy(config) || !truthy(variables)) {
    return fail("The `base_job_template` must contain both a `job_configuration` key and a `variables` key.");
  }
  const used = new Set<string>();
  for (const value of Object.values(config)) {
    for (const m of JSON.stringify(value).matchAll(/\{\{\s*([\w.\-[\]$]+)\s*\}\}/g)) used.add(m[1]);
  }
  const declared = new Set(Object.keys(variables?.properties ?? {}));
  const missing = [...used].filter((v) => !declared.has(v));
  if (missing.length) {
    fail(
      "The variables specified in the job configuration template must be present as properties in the variables schema. " +
        `Your job configuration uses the following undeclared variable(s): ${missing.join(" ,")}.`,
    );
  }
}

workPoolsRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_pools/",
    tags,
    summary: "Create Work Pool",
    request: jsonBody(WorkPoolCreate.superRefine((v, ctx) => checkBaseJobTemplate(v.base_job_template, ctx))),
    responses: { 201: jsonResponse(WorkPoolResponse), ...errorResponses(403, 409, 422) },
  }),
  async (c) => {
    const input = c.req.valid("json");
    if (isReserved(input.name)) throw new ApiError(403, "Work pools starting with 'Prefect' are reserved for internal use.");
    const pool = await pools.createPool(c.var.db, input);
    if (!pool) throw conflict("A work pool with this name already exists.");
    emitAfter(c, [poolCreated(pool as any)]);
    return c.json(pool, 201);
  },
);

workPoolsRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_pools/filter",
    tags,
    summary: "Read Work Pools",
    request: jsonBody(Body_read_work_pools_work_pools_filter_post),
    responses: { 200: jsonResponse(z.array(WorkPoolResponse)), ...errorResponses(422) },
  }),
  async (c) => jsonPieces(c, await readPage(c.req.valid("json"), (body, limit, offset) => pools.filterPools(c.var.db, body.work_pools, limit, offset))),
);

workPoolsRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_pools/count",
    tags,
    summary: "Count Work Pools",
    request: jsonBody(Body_count_work_pools_work_pools_count_post),
    responses: { 200: jsonResponse(z.int()), ...errorResponses(422) },
  }),
  async (c) => c.json(await pools.countPools(c.var.db, c.req.valid("json").work_pools), 200),
);

workPoolsRouter.openapi(
  createRoute({
    method: "get",
    path: "/work_pools/{name}",
    tags,
    summary: "Read Work Pool",
    request: { params: PoolParams },
    responses: { 200: jsonResponse(WorkPoolResponse), ...errorResponses(404) },
  }),
  async (c) => {
    const { name } = c.req.valid("param");
    return c.json(orNotFound(await pools.readPoolByName(c.var.db, name), `Work pool "${name}" not found.`), 200);
  },
);

workPoolsRouter.openapi(
  createRoute({
    method: "patch",
    path: "/work_pools/{name}",
    tags,
    summary: "Update Work Pool",
    request: { params: PoolParams, ...jsonBody(WorkPoolUpdate.superRefine((v, ctx) => checkBaseJobTemplate(v.base_job_template, ctx))) },
    responses: { 204: noContent, ...errorResponses(403, 404, 422) },
  }),
  async (c) => {
    const { name } = c.req.valid("param");
    const input = await sentFields(c, c.req.valid("json"));
    if (isReserved(name) && Object.keys(input).some((k) => k !== "is_paused" && k !== "concurrency_limit")) {
      throw new ApiError(
        403,
        "Work pools starting with 'Prefect' are reserved for internal use and can only be updated to set concurrency limits or pause.",
      );
    }
    const before = await pools.readPoolRow(c.var.db, name);
    if (!before || !(await pools.updatePool(c.var.db, name, input))) throw poolNotFound(name);
    const changes = changedFields(before as Record<string, unknown>, input as Record<string, unknown>);
    if (Object.keys(changes).length) emitAfter(c, [poolUpdated(before as any, changes)]);
    return c.body(null, 204);
  },
);

workPoolsRouter.openapi(
  createRoute({
    method: "delete",
    path: "/work_pools/{name}",
    tags,
    summary: "Delete Work Pool",
    request: { params: PoolParams },
    responses: { 204: noContent, ...errorResponses(403, 404) },
  }),
  async (c) => {
    const { name } = c.req.valid("param");
    if (isReserved(name)) {
      throw new ApiError(403, "Work pools starting with 'Prefect' are reserved for internal use and can not be deleted.");
    }
    const before = await pools.readPoolRow(c.var.db, name);
    if (!before || !(await pools.deletePool(c.var.db, name))) throw poolNotFound(name);
    emitAfter(c, [poolDeleted(before as any)]);
    return c.body(null, 204);
  },
);

workPoolsRouter.openapi(
  createRoute({
    method: "post",
    path: "/work_pools/{name}/concurrency_status",
    tags,
    summary: "Read Work Pool Concurrency Status",
    request: { params: PoolParams, ...jsonBody(Body_read_work_pool_concurrency_status_work_pools__name__concurrency_status_post) },
    responses: { 200: jsonResponse(WorkPoolConcurrencyStatus), ...errorResponses(404, 422) },
  }),
  async (c) => c.json(await workPoolConcurrencyStatus(c.var.db, c.req.valid("param").name, c.req.valid("json")), 200),
);
