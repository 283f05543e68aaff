import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonBody, jsonResponse, noContent, sentFields, errorResponses } from "../lib/router";
import { notFound, orNotFound } from "../lib/errors";
import { resolveLimit } from "../db/pagination";
import * as q from "../db/queries/concurrency-limits";
import * as limits from "../concurrency/limits";
import { validationErrorResponse } from "../lib/validation";
import {
  Body_bulk_decrement_active_slots_v2_concurrency_limits_decrement_post,
  Body_bulk_decrement_active_slots_with_lease_v2_concurrency_limits_decrement_with_lease_post,
  Body_bulk_increment_active_slots_v2_concurrency_limits_increment_post,
  Body_bulk_increment_active_slots_with_lease_v2_concurrency_limits_increment_with_lease_post,
  Body_read_all_concurrency_limits_v2_v2_concurrency_limits_filter_post,
  Body_renew_concurrency_lease_v2_concurrency_limits_leases__lease_id__renew_post,
  ConcurrencyLimitV2,
  ConcurrencyLimitV2Create,
  ConcurrencyLimitV2Update,
  ConcurrencyLimitWithLeaseResponse,
  GlobalConcurrencyLimitResponse,
  MinimalConcurrencyLimitResponse,
} from "../schemas/prefect.gen";

const tags = ["Concurrency Limits V2"];
export const concurrencyLimitsV2Router = createRouter();

const NOT_FOUND = "Concurrency Limit not found";
const IdOrName = z.object({ id_or_name: z.string().openapi({ description: "The ID or name of the concurrency limit" }) });
const locked = { description: "A limit is full (Retry-After: seconds to wait)" } as const;

concurrencyLimitsV2Router.openapi(
  createRoute({
    method: "post",
    path: "/v2/concurrency_limits/",
    tags,
    summary: "Create Concurrency Limit V2",
    request: jsonBody(ConcurrencyLimitV2Create),
    responses: { 201: jsonResponse(ConcurrencyLimitV2), ...errorResponses(409, 422) },
  }),
  async (c) => {
    const row = await limits.createLimit(c.env, c.var.db, c.req.valid("json"));
    return c.json(q.toConcurrencyLimitV2(row), 201);
  },
);

concurrencyLimitsV2Router.openapi(
  createRoute({
    method: "post",
    path: "/v2/concurrency_limits/filter",
    tags,
    summary: "Read All Concurrency Limits V2",
    request: jsonBody(Body_read_all_concurrency_limits_v2_v2_concurrency_limits_filter_post),
    responses: { 200: jsonResponse(z.array(GlobalConcurrencyLimitResponse)), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const rows = await q.filterLimits(c.var.db, resolveLimit(body.limit), body.offset);
    const now = Date.now();
    return c.json(
      rows.map((r) => q.toGlobalResponse(r, now)),
      200,
    );
  },
);

concurrencyLimitsV2Router.openapi(
  createRoute({
    method: "post",
    path: "/v2/concurrency_limits/increment",
    tags,
    summary: "Bulk Increment Active Slots",
    request: jsonBody(Body_bulk_increment_active_slots_v2_concurrency_limits_increment_post),
    responses: { 200: jsonResponse(z.array(MinimalConcurrencyLimitResponse)), 423: locked, ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    // `create_if_missing` is deprecated in Prefect 3.8 and ignored: limits must exist.
    const out = await limits.increment(c.env, c.var.db, { names: body.names, slots: body.slots, mode: body.mode });
    return c.json(out.limits, 200);
  },
);

concurrencyLimitsV2Router.openapi(
  createRoute({
    method: "post",
    path: "/v2/concurrency_limits/increment-with-lease",
    tags,
    summary: "Bulk Increment Active Slots With Lease",
    request: jsonBody(Body_bulk_increment_active_slots_with_lease_v2_concurrency_limits_increment_with_lease_post),
    responses: { 200: jsonResponse(ConcurrencyLimitWithLeaseResponse), 423: locked, ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const out = await limits.increment(c.env, c.var.db, {
      names: body.names,
      slots: body.slots,
      mode: body.mode,
      lease: { duration: body.lease_duration, holder: body.holder ? { type: body.holder.type, id: q.parseUuid(body.holder.id)! } : null },
    });
    return c.json({ lease_id: out.leaseId!, limits: out.limits }, 200);
  },
);

concurrencyLimitsV2Router.openapi(
  createRoute({
    method: "post",
    path: "/v2/concurrency_limits/decrement",
    tags,
    summary: "Bulk Decrement Active Slots",
    request: jsonBody(Body_bulk_decrement_active_slots_v2_concurrency_limits_decrement_post),
    responses: { 200: jsonResponse(z.array(MinimalConcurrencyLimitResponse)), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    return c.json(await limits.decrement(c.env, c.var.db, body.names, body.slots, body.occupancy_seconds ?? null), 200);
  },
);

concurrencyLimitsV2Router.openapi(
  createRoute({
    method: "post",
    path: "/v2/concurrency_limits/decrement-with-lease",
    tags,
    summary: "Bulk Decrement Active Slots With Lease",
    request: jsonBody(Body_bulk_decrement_active_slots_with_lease_v2_concurrency_limits_decrement_with_lease_post),
    responses: { 204: noContent, ...errorResponses(422) },
  }),
  async (c) => {
    await limits.decrementWithLease(c.env, c.req.valid("json").lease_id);
    return c.body(null, 204);
  },
);

const LeaseParams = z.object({ lease_id: z.string().openapi({ format: "uuid", description: "The ID of the lease to renew" }) });

/** Pydantic's message for a path `lease_id` that is no UUID (the path has no `:uuid` convertor: a 422). */
function badLeaseId(input: string) {
  const bad = [...input].findIndex((ch) => !/[0-9a-fA-F-]/.test(ch));
  const error =
    bad >= 0
      ? `invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${input[bad]}\` at ${bad + 1}`
      : `invalid group length in group 4: expected 12, found ${input.length}`;
  return { type: "uuid_parsing", loc: ["path", "lease_id"], msg: `Input should be a valid UUID, ${error}`, input, ctx: { error } };
}

concurrencyLimitsV2Router.openapi(
  createRoute({
    method: "post",
    path: "/v2/concurrency_limits/leases/{lease_id}/renew",
    tags,
    summary: "Renew Concurrency Lease",
    request: { params: LeaseParams, ...jsonBody(Body_renew_concurrency_lease_v2_concurrency_limits_leases__lease_id__renew_post) },
    responses: { 204: noContent, 410: { description: "The lease is unknown, expired or revoked" }, ...errorResponses(404, 422) },
  }),
  async (c) => {
    const raw = c.req.valid("param").lease_id;
    const leaseId = q.parseUuid(raw);
    if (!leaseId) return validationErrorResponse(c, [badLeaseId(raw)], c.req.valid("json")) as any;
    if (!(await limits.renew(c.env, leaseId, c.req.valid("json").lease_duration))) {
      return c.json({ detail: "Lease not found - it may have expired or been revoked" }, 410) as any;
    }
    return c.body(null, 204);
  },
);

concurrencyLimitsV2Router.openapi(
  createRoute({
    method: "get",
    path: "/v2/concurrency_limits/{id_or_name}",
    tags,
    summary: "Read Concurrency Limit V2",
    request: { params: IdOrName },
    responses: { 200: jsonResponse(GlobalConcurrencyLimitResponse), ...errorResponses(404) },
  }),
  async (c) => {
    const row = orNotFound(await q.readLimit(c.var.db, c.req.valid("param").id_or_name), NOT_FOUND);
    return c.json(q.toGlobalResponse(row), 200);
  },
);

concurrencyLimitsV2Router.openapi(
  createRoute({
    method: "patch",
    path: "/v2/concurrency_limits/{id_or_name}",
    tags,
    summary: "Update Concurrency Limit V2",
    request: { params: IdOrName, ...jsonBody(ConcurrencyLimitV2Update) },
    responses: { 204: noContent, ...errorResponses(404, 409, 422) },
  }),
  async (c) => {
    const row = orNotFound(await q.readLimit(c.var.db, c.req.valid("param").id_or_name), NOT_FOUND);
    const patch = await sentFields(c, c.req.valid("json"));
    if (!(await limits.updateLimit(c.env, c.var.db, row, patch))) throw notFound(NOT_FOUND);
    return c.body(null, 204);
  },
);

concurrencyLimitsV2Router.openapi(
  createRoute({
    method: "delete",
    path: "/v2/concurrency_limits/{id_or_name}",
    tags,
    summary: "Delete Concurrency Limit V2",
    request: { params: IdOrName },
    responses: { 204: noContent, ...errorResponses(404) },
  }),
  async (c) => {
    const row = orNotFound(await q.readLimit(c.var.db, c.req.valid("param").id_or_name), NOT_FOUND);
    if (!(await limits.deleteLimit(c.env, c.var.db, row))) throw notFound(NOT_FOUND);
    return c.body(null, 204);
  },
);
