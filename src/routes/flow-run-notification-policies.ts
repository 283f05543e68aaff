import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createRouter, jsonBody, jsonResponse, noContent, sentFields, errorResponses } from "../lib/router";
import { notFound, integrityConflict, orNotFound } from "../lib/errors";
import { prefectValidationHook } from "../lib/validation";
import { normalizeUuid } from "../lib/ids";
import { Uuid } from "../schemas/primitives";
import * as policies from "../db/queries/notification-policies";
import {
  Body_read_flow_run_notification_policies_flow_run_notification_policies_filter_post as FilterBody,
  FlowRunNotificationPolicy,
  FlowRunNotificationPolicyCreate,
  FlowRunNotificationPolicyUpdate,
} from "../schemas/notification-policies";
import { noContentOr404, pathId, readPage } from "./support/handlers";

/**
 * Prefect 2.x's flow run notification policies, kept for 2.x clients (Prefect 3 replaced them with
 * automations). Policies are stored and listed; nothing sends notifications from them.
 */
const tags = ["Flow Run Notification Policies"];
export const notificationPoliciesRouter = createRouter();

const NOT_FOUND = "flow run notification policy not found";
// Prefect 2.x's update route formats the `id` builtin into its message, not the policy id.
const UPDATE_NOT_FOUND = "Flow run notification policy <built-in function id> not found";

const Params = z.object({ id: Uuid });

/**
 * These routes declare `{id}` without Prefect's `:uuid` path converter, so a malformed id is a
 * 422 on the path (not the 404 of an unmatched route).
 */
async function pathHookImpl(result: any, c: Context): Promise<Response | undefined> {
  if (result.success || result.target !== "param") return prefectValidationHook(result, c);
  const res = prefectValidationHook({ ...result, target: "query" }, c)!;
  const body = (await res.json()) as { exception_detail: { loc: unknown[] }[] };
  for (const d of body.exception_detail) d.loc[0] = "path";
  return c.json(body, 422);
}

const pathHook = pathHookImpl as any;

notificationPoliciesRouter.openapi(
  createRoute({
    method: "post",
    path: "/flow_run_notification_policies/",
    tags,
    summary: "Create Flow Run Notification Policy",
    request: jsonBody(FlowRunNotificationPolicyCreate),
    responses: { 201: jsonResponse(FlowRunNotificationPolicy), ...errorResponses(409, 422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const created = await policies.createNotificationPolicy(c.var.db, {
      is_active: body.is_active,
      state_names: body.state_names,
      tags: body.tags,
      block_document_id: normalizeUuid(body.block_document_id),
      message_template: body.message_template ?? null,
    });
    if (!created) throw integrityConflict();
    return c.json(created, 201);
  },
);

notificationPoliciesRouter.openapi(
  createRoute({
    method: "post",
    path: "/flow_run_notification_policies/filter",
    tags,
    summary: "Read Flow Run Notification Policies",
    request: jsonBody(FilterBody),
    responses: { 200: jsonResponse(z.array(FlowRunNotificationPolicy)), ...errorResponses(422) },
  }),
  async (c) => c.json(await readPage(c.req.valid("json"), (body, limit, offset) => policies.filterNotificationPolicies(c.var.db, body.flow_run_notification_policy_filter, limit, offset)), 200),
);

notificationPoliciesRouter.openapi(
  createRoute({
    method: "get",
    path: "/flow_run_notification_policies/{id}",
    tags,
    summary: "Read Flow Run Notification Policy",
    request: { params: Params },
    responses: { 200: jsonResponse(FlowRunNotificationPolicy), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await policies.readNotificationPolicy(c.var.db, pathId(c)), NOT_FOUND), 200),
  pathHook,
);

notificationPoliciesRouter.openapi(
  createRoute({
    method: "patch",
    path: "/flow_run_notification_policies/{id}",
    tags,
    summary: "Update Flow Run Notification Policy",
    request: { params: Params, ...jsonBody(FlowRunNotificationPolicyUpdate) },
    responses: { 204: noContent, ...errorResponses(404, 409, 422) },
  }),
  async (c) => {
    const id = pathId(c);
    const sent = await sentFields(c, c.req.valid("json"));
    // An explicit null on a NOT NULL column is the database's integrity error (Prefect's 409),
    // raised only when there is a row to update.
    const nulled = (["is_active", "state_names", "tags", "block_document_id"] as const).some((k) => sent[k] === null);
    if (nulled) {
      if (!(await policies.readNotificationPolicy(c.var.db, id))) throw notFound(UPDATE_NOT_FOUND);
      throw integrityConflict();
    }
    const outcome = await policies.updateNotificationPolicy(c.var.db, id, {
      ...(sent.is_active != null ? { is_active: sent.is_active } : {}),
      ...(sent.state_names != null ? { state_names: sent.state_names } : {}),
      ...(sent.tags != null ? { tags: sent.tags } : {}),
      ...(sent.block_document_id != null ? { block_document_id: normalizeUuid(sent.block_document_id) } : {}),
      ...(sent.message_template !== undefined ? { message_template: sent.message_template ?? null } : {}),
    });
    if (outcome === "not_found") throw notFound(UPDATE_NOT_FOUND);
    if (outcome === "missing_block_document") throw integrityConflict();
    return c.body(null, 204);
  },
  pathHook,
);

notificationPoliciesRouter.openapi(
  createRoute({
    method: "delete",
    path: "/flow_run_notification_policies/{id}",
    tags,
    summary: "Delete Flow Run Notification Policy",
    request: { params: Params },
    responses: { 204: noContent, ...errorResponses(404) },
  }),
  async (c) => noContentOr404(c, await policies.deleteNotificationPolicy(c.var.db, pathId(c)), NOT_FOUND),
  pathHook,
);
