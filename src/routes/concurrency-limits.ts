import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, IdParams, jsonBody, jsonResponse, errorResponses } from "../lib/router";
import { orNotFound } from "../lib/errors";
import * as limits from "../concurrency/limits";
import {
  Body_decrement_concurrency_limits_v1_concurrency_limits_decrement_post,
  Body_increment_concurrency_limits_v1_concurrency_limits_increment_post,
  Body_read_concurrency_limits_concurrency_limits_filter_post,
  Body_reset_concurrency_limit_by_tag_concurrency_limits_tag__tag__reset_post,
  ConcurrencyLimit,
  ConcurrencyLimitCreate,
  MinimalConcurrencyLimitResponse,
} from "../schemas/prefect.gen";
import { nullOr404, readPage } from "./support/handlers";

/**
 * Tag-based (v1) concurrency limits. As in Prefect 3, they are v2 limits named `tag:<tag>`
 * (src/concurrency/limits.ts); `active_slots` lists the task runs holding their slots.
 */

const tags = ["Concurrency Limits"];
export const concurrencyLimitsRouter = createRouter();

const NOT_FOUND = "Concurrency limit not found";
const TagParams = z.object({ tag: z.string().openapi({ description: "The tag name" }) });
/** Prefect answers these with a JSON `null` body. */
const nullResponse = jsonResponse(z.null());

/** A tag limit's name is a v2 name: Prefect's pattern `^[^/%&><]+$` applies to `tag:<tag>`. */
const TagLimitCreate = ConcurrencyLimitCreate.extend({
  tag: z.string().regex(/^[^/%&><]*$/, { message: "String should match pattern '^[^/%&><]+$'" }),
});

concurrencyLimitsRouter.openapi(
  createRoute({
    method: "post",
    path: "/concurrency_limits/",
    tags,
    summary: "Create Concurrency Limit",
    request: jsonBody(TagLimitCreate),
    responses: { 200: jsonResponse(ConcurrencyLimit), 201: jsonResponse(ConcurrencyLimit), ...errorResponses(409, 422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const { limit, created } = await limits.upsertTagLimit(c.env, c.var.db, body.tag, body.concurrency_limit);
    return c.json(limit, created ? 201 : 200);
  },
);

concurrencyLimitsRouter.openapi(
  createRoute({
    method: "post",
    path: "/concurrency_limits/filter",
    tags,
    summary: "Read Concurrency Limits",
    request: jsonBody(Body_read_concurrency_limits_concurrency_limits_filter_post),
    responses: { 200: jsonResponse(z.array(ConcurrencyLimit)), ...errorResponses(422) },
  }),
  async (c) => c.json(await readPage(c.req.valid("json"), (body, limit, offset) => limits.filterTagLimits(c.env, c.var.db, limit, offset)), 200),
);

concurrencyLimitsRouter.openapi(
  createRoute({
    method: "post",
    path: "/concurrency_limits/increment",
    tags,
    summary: "Increment Concurrency Limits V1",
    request: jsonBody(Body_increment_concurrency_limits_v1_concurrency_limits_increment_post),
    responses: { 200: jsonResponse(z.array(MinimalConcurrencyLimitResponse)), 423: { description: "A tag limit is full or 0" }, ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    return c.json(await limits.incrementTags(c.env, c.var.db, body.names, body.task_run_id), 200);
  },
);

concurrencyLimitsRouter.openapi(
  createRoute({
    method: "post",
    path: "/concurrency_limits/decrement",
    tags,
    summary: "Decrement Concurrency Limits V1",
    request: jsonBody(Body_decrement_concurrency_limits_v1_concurrency_limits_decrement_post),
    responses: { 200: jsonResponse(z.array(MinimalConcurrencyLimitResponse)), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    return c.json(await limits.decrementTags(c.env, c.var.db, body.names, body.task_run_id), 200);
  },
);

concurrencyLimitsRouter.openapi(
  createRoute({
    method: "get",
    path: "/concurrency_limits/tag/{tag}",
    tags,
    summary: "Read Concurrency Limit By Tag",
    request: { params: TagParams },
    responses: { 200: jsonResponse(ConcurrencyLimit), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await limits.readTagLimit(c.env, c.var.db, c.req.valid("param").tag), NOT_FOUND), 200),
);

concurrencyLimitsRouter.openapi(
  createRoute({
    method: "delete",
    path: "/concurrency_limits/tag/{tag}",
    tags,
    summary: "Delete Concurrency Limit By Tag",
    request: { params: TagParams },
    responses: { 200: nullResponse, ...errorResponses(404) },
  }),
  async (c) => nullOr404(c, await limits.deleteTagLimit(c.env, c.var.db, c.req.valid("param").tag), NOT_FOUND),
);

concurrencyLimitsRouter.openapi(
  createRoute({
    method: "post",
    path: "/concurrency_limits/tag/{tag}/reset",
    tags,
    summary: "Reset Concurrency Limit By Tag",
    request: { params: TagParams, ...jsonBody(Body_reset_concurrency_limit_by_tag_concurrency_limits_tag__tag__reset_post) },
    responses: { 200: nullResponse, ...errorResponses(404, 422) },
  }),
  async (c) => nullOr404(c, await limits.resetTagLimit(c.env, c.var.db, c.req.valid("param").tag, c.req.valid("json").slot_override), NOT_FOUND),
);

concurrencyLimitsRouter.openapi(
  createRoute({
    method: "get",
    path: "/concurrency_limits/{id}",
    tags,
    summary: "Read Concurrency Limit",
    request: { params: IdParams },
    responses: { 200: jsonResponse(ConcurrencyLimit), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await limits.readTagLimitById(c.env, c.var.db, c.req.valid("param").id), NOT_FOUND), 200),
);

concurrencyLimitsRouter.openapi(
  createRoute({
    method: "delete",
    path: "/concurrency_limits/{id}",
    tags,
    summary: "Delete Concurrency Limit",
    request: { params: IdParams },
    responses: { 200: nullResponse, ...errorResponses(404) },
  }),
  async (c) => nullOr404(c, await limits.deleteLimitById(c.env, c.var.db, c.req.valid("param").id), NOT_FOUND),
);
