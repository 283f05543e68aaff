import { createRoute, z } from "@hono/zod-openapi";
import { jsonPieces } from "../lib/json-pieces";
import type { Context } from "hono";
import { createRouter, IdParams, jsonResponse, noContent, nullsAsUnset, sentFields, errorResponses } from "../lib/router";
import { ApiError, orNotFound } from "../lib/errors";
import { validationErrorResponse } from "../lib/validation";
import * as automations from "../db/queries/automations";
import { automationProblems, completeAutomation, webhookPayloadsAsText, type AutomationCore } from "../services/automations/validate";
import { runDeploymentJobVariableErrors } from "../services/job-variables";
import { templateError } from "../lib/jinja";
import { automationValidationHook } from "../services/automations/union-errors";
import {
  Automation,
  AutomationCreate,
  AutomationPartialUpdate,
  AutomationUpdate,
  Body_read_automations_automations_filter_post,
} from "../schemas/prefect.gen";
import * as writes from "../services/automations/writes";
import { noContentOr404, pathId, readPage } from "./support/handlers";

const tags = ["Automations"];
export const automationsRouter = createRouter();

/** Automations answer their 404s as `{"exception_message": …}` (Prefect's ObjectNotFoundError). */
const automationNotFound = () => new ApiError(404, "Automation not found", "exception_message");

/** A JSON body whose CallWebhook payloads may be objects (stored as text), nulls as unset. */
function automationBody<T extends z.ZodType>(schema: T) {
  const parsed = z.preprocess(webhookPayloadsAsText, nullsAsUnset(schema)) as unknown as T;
  return { body: { content: { "application/json": { schema: parsed } }, required: true } } as const;
}

/**
 * Prefect's validators beyond field types, then the job variables of RunDeployment actions
 * against their work pools. Answers the automation to store, or the 422 to send.
 */
async function checked(c: Context<any>, body: AutomationCore, mode: "create" | "update"): Promise<AutomationCore | Response> {
  const raw = await c.req.json();
  const problems = automationProblems(body, ["body"], raw);
  if (problems.length) return validationErrorResponse(c, problems, raw);
  const core = completeAutomation(body, true);
  const errors = await runDeploymentJobVariableErrors(c.var.db, core.actions as any[], mode);
  if (errors.length) throw new ApiError(422, `Error creating automation: ${errors.join(" ")}`);
  return core;
}

automationsRouter.openapi(
  createRoute({
    method: "post",
    path: "/automations/",
    tags,
    summary: "Create Automation",
    request: automationBody(AutomationCreate),
    responses: { 201: jsonResponse(Automation), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const core = await checked(c, body as unknown as AutomationCore, "create");
    if (core instanceof Response) return core as any;
    return c.json(await writes.createAutomation(c.env, c.var.db, core, body.owner_resource), 201);
  },
  automationValidationHook as any,
);

const REQUIRED_FIELDS = new Set(["name", "trigger", "actions"]);

automationsRouter.openapi(
  createRoute({
    method: "put",
    path: "/automations/{id}",
    tags,
    summary: "Update Automation",
    request: { params: IdParams, ...automationBody(AutomationUpdate) },
    responses: { 204: noContent, ...errorResponses({ 404: "exception_message" }, 422) },
  }),
  async (c) => {
    const core = await checked(c, c.req.valid("json") as unknown as AutomationCore, "update");
    if (core instanceof Response) return core as any;
    // As Prefect (exclude_unset): optional fields not sent keep their stored values.
    const raw = (await c.req.json()) as Record<string, unknown>;
    const sent = Object.fromEntries(Object.entries(core).filter(([key]) => REQUIRED_FIELDS.has(key) || (raw[key] !== undefined && raw[key] !== null)));
    if (!(await writes.replaceAutomation(c.env, c.var.db, pathId(c), { ...sent, actions: core.actions }))) throw automationNotFound();
    return c.body(null, 204);
  },
  automationValidationHook as any,
);

automationsRouter.openapi(
  createRoute({
    method: "patch",
    path: "/automations/{id}",
    tags,
    summary: "Patch Automation",
    request: { params: IdParams, body: { content: { "application/json": { schema: AutomationPartialUpdate } }, required: true } },
    responses: { 204: noContent, ...errorResponses({ 404: "exception_message" }, 422) },
  }),
  async (c) => {
    const parsed = c.req.valid("json");
    const sent = await sentFields(c, parsed);
    const existing = await automations.readAutomation(c.var.db, pathId(c));
    if (!existing) throw automationNotFound();
    // The automation this would leave must still be valid (e.g. enabling one that would loop).
    const problems = automationProblems({ ...(existing as unknown as AutomationCore), enabled: parsed.enabled }, [], parsed);
    if (problems.length) return validationErrorResponse(c, problems, { enabled: parsed.enabled }) as any;
    await writes.setAutomationEnabled(c.env, c.var.db, existing, sent.enabled ?? existing.enabled);
    return c.body(null, 204);
  },
);

automationsRouter.openapi(
  createRoute({
    method: "delete",
    path: "/automations/{id}",
    tags,
    summary: "Delete Automation",
    request: { params: IdParams },
    responses: { 204: noContent, ...errorResponses({ 404: "exception_message" }) },
  }),
  async (c) => noContentOr404(c, await writes.deleteAutomation(c.env, c.var.db, pathId(c)), automationNotFound()),
);

automationsRouter.openapi(
  createRoute({
    method: "post",
    path: "/automations/filter",
    tags,
    summary: "Read Automations",
    request: { body: { content: { "application/json": { schema: nullsAsUnset(Body_read_automations_automations_filter_post) } }, required: true } },
    responses: { 200: jsonResponse(z.array(Automation)), ...errorResponses(422) },
  }),
  async (c) => jsonPieces(c, await readPage(c.req.valid("json"), (body, limit, offset) => automations.filterAutomations(c.var.db, body.automations, body.sort, limit, offset))),
);

automationsRouter.openapi(
  createRoute({
    method: "post",
    path: "/automations/count",
    tags,
    summary: "Count Automations",
    responses: { 200: jsonResponse(z.int()) },
  }),
  async (c) => c.json(await automations.countAutomations(c.var.db), 200),
);

automationsRouter.openapi(
  createRoute({
    method: "get",
    path: "/automations/{id}",
    tags,
    summary: "Read Automation",
    request: { params: IdParams },
    responses: { 200: jsonResponse(Automation), ...errorResponses({ 404: "exception_message" }) },
  }),
  async (c) => c.json(orNotFound(await automations.readAutomation(c.var.db, pathId(c)), automationNotFound()), 200),
);

const ResourceIdParams = z.object({ resource_id: z.string() });

automationsRouter.openapi(
  createRoute({
    method: "get",
    path: "/automations/related-to/{resource_id}",
    tags,
    summary: "Read Automations Related To Resource",
    request: { params: ResourceIdParams },
    responses: { 200: jsonResponse(z.array(Automation)), ...errorResponses(404) },
  }),
  async (c) => c.json(await automations.automationsRelatedTo(c.var.db, c.req.valid("param").resource_id), 200),
);

automationsRouter.openapi(
  createRoute({
    method: "delete",
    path: "/automations/owned-by/{resource_id}",
    tags,
    summary: "Delete Automations Owned By Resource",
    request: { params: ResourceIdParams },
    responses: { 202: jsonResponse(z.null()), ...errorResponses(404) },
  }),
  async (c) => {
    await writes.deleteAutomationsOwnedBy(c.env, c.var.db, c.req.valid("param").resource_id);
    return c.json(null, 202);
  },
);

// ---- templates ----

/**
 * The template is the body: a JSON string, or text as sent with another Content-Type (read as
 * Prefect does, src/lib/body-reading.ts). Valid: 204; invalid: 422 `{"error": {line, message,
 * source}}` with Jinja's message.
 */
async function validateTemplate(c: Context<any>): Promise<Response> {
  const template: unknown = JSON.parse(await c.req.text());
  if (typeof template !== "string")
    return validationErrorResponse(c, [{ type: "string_type", loc: ["body"], msg: "Input should be a valid string", input: template }], template);
  const error = templateError(template);
  if (!error) return c.body(null, 204);
  return c.json({ error: { line: error.lineno, message: error.message, source: template } }, 422);
}

const templateBody = {
  body: { content: { "application/json": { schema: { type: "string" as const, default: "", title: "Template" } } } },
};

for (const path of ["/templates/validate", "/automations/templates/validate"]) {
  automationsRouter.openapi(
    createRoute({
      method: "post",
      path,
      tags,
      summary: "Validate Template",
      request: templateBody,
      responses: { 204: noContent, 422: jsonResponse(z.object({ error: z.object({ line: z.int(), message: z.string(), source: z.string() }) }), "Invalid template") },
    }),
    validateTemplate as any,
  );
}
