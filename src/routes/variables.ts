import { createRoute, z } from "@hono/zod-openapi";
import { jsonPieces } from "../lib/json-pieces";
import { createRouter, IdParams, jsonBody, jsonResponse, noContent, sentFields, errorResponses } from "../lib/router";
import { notFound, orNotFound, integrityConflict } from "../lib/errors";
import * as variables from "../db/queries/variables";
import {
  Body_count_variables_variables_count_post,
  Body_read_variables_variables_filter_post,
  Variable,
  VariableCreate,
  VariableUpdate,
} from "../schemas/prefect.gen";
import { serverEvents } from "../events/outbox";
import { noContentOr404, pathId, readPage } from "./support/handlers";

const tags = ["Variables"];
export const variablesRouter = createRouter();

const NOT_FOUND = "Variable not found.";

/** Prefect's MAX_VARIABLE_NAME_LENGTH and MAX_VARIABLE_VALUE_LENGTH. */
const MAX_NAME_LENGTH = 255;
const MAX_VALUE_LENGTH = 5000;

// Python's `re.match(r"^[a-z0-9-_]*$")`: `$` also matches before one trailing newline.
const NAME_RE = /^[a-z0-9_-]*\n?$/;

/** Prefect's VariableName: at most 255 characters, then lowercase letters, numbers, dashes, underscores. */
const VariableName = z
  .string()
  .max(MAX_NAME_LENGTH, { abort: true })
  .refine((v) => NAME_RE.test(v), {
    message: "Variable name must only contain lowercase letters, numbers, and dashes or underscores.",
  });

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

/** Prefect's StrictVariableValue: any JSON value whose compact JSON form is at most 5000 bytes. */
const VariableValue = VariableCreate.shape.value.refine(
  (v) => v === null || utf8Length(JSON.stringify(v)) <= MAX_VALUE_LENGTH,
  { message: `Variable value must be less than ${MAX_VALUE_LENGTH} characters` },
);

const VariableCreateInput = VariableCreate.extend({ name: VariableName, value: VariableValue });
const VariableUpdateInput = VariableUpdate.extend({
  name: VariableName.nullable().optional(),
  value: VariableValue.optional(),
});

const NameParams = z.object({ name: z.string() });

/**
 * PATCH fields as sent, or null when the body sets `name` or `tags` to null: those columns are
 * NOT NULL, so Prefect's UPDATE fails with its integrity error (409) when the variable exists.
 */
async function patchOf(c: any): Promise<variables.VariablePatch | null> {
  const sent = await sentFields(c, c.req.valid("json") as z.infer<typeof VariableUpdateInput>);
  if (sent.name === null || sent.tags === null) return null;
  return sent as variables.VariablePatch;
}

/** Applies a PATCH to the variable found by id or by name: 404 when missing, 409 as above. */
async function applyPatch(c: any, by: { id: string } | { name: string }): Promise<void> {
  const patch = await patchOf(c);
  if (patch === null) {
    const found = "id" in by ? await variables.readVariable(c.var.db, by.id) : await variables.readVariableByName(c.var.db, by.name);
    if (!found) throw notFound(NOT_FOUND);
    throw integrityConflict();
  }
  if (!(await variables.updateVariable(c.var.db, by, patch, serverEvents(c.env)))) throw notFound(NOT_FOUND);
}

variablesRouter.openapi(
  createRoute({
    method: "post",
    path: "/variables/",
    tags,
    summary: "Create Variable",
    request: jsonBody(VariableCreateInput),
    responses: { 201: jsonResponse(Variable), ...errorResponses(409, 422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    return c.json(await variables.createVariable(c.var.db, { name: body.name, value: body.value, tags: body.tags ?? [] }, serverEvents(c.env)), 201);
  },
);

variablesRouter.openapi(
  createRoute({
    method: "post",
    path: "/variables/filter",
    tags,
    summary: "Read Variables",
    request: jsonBody(Body_read_variables_variables_filter_post),
    responses: { 200: jsonResponse(z.array(Variable)), ...errorResponses(422) },
  }),
  async (c) => jsonPieces(c, await readPage(c.req.valid("json"), (body, limit, offset) => variables.filterVariables(c.var.db, body.variables, body.sort, limit, offset))),
);

variablesRouter.openapi(
  createRoute({
    method: "post",
    path: "/variables/count",
    tags,
    summary: "Count Variables",
    request: jsonBody(Body_count_variables_variables_count_post),
    responses: { 200: jsonResponse(z.int()), ...errorResponses(422) },
  }),
  async (c) => c.json(await variables.countVariables(c.var.db, c.req.valid("json").variables), 200),
);

variablesRouter.openapi(
  createRoute({
    method: "get",
    path: "/variables/name/{name}",
    tags,
    summary: "Read Variable By Name",
    request: { params: NameParams },
    responses: { 200: jsonResponse(Variable), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await variables.readVariableByName(c.var.db, c.req.valid("param").name), NOT_FOUND), 200),
);

variablesRouter.openapi(
  createRoute({
    method: "patch",
    path: "/variables/name/{name}",
    tags,
    summary: "Update Variable By Name",
    request: { params: NameParams, ...jsonBody(VariableUpdateInput) },
    responses: { 204: noContent, ...errorResponses(404, 422) },
  }),
  async (c) => {
    await applyPatch(c, { name: c.req.valid("param").name });
    return c.body(null, 204);
  },
);

variablesRouter.openapi(
  createRoute({
    method: "delete",
    path: "/variables/name/{name}",
    tags,
    summary: "Delete Variable By Name",
    request: { params: NameParams },
    responses: { 204: noContent, ...errorResponses(404) },
  }),
  async (c) => noContentOr404(c, await variables.deleteVariable(c.var.db, { name: c.req.valid("param").name }, serverEvents(c.env)), NOT_FOUND),
);

variablesRouter.openapi(
  createRoute({
    method: "get",
    path: "/variables/{id}",
    tags,
    summary: "Read Variable",
    request: { params: IdParams },
    responses: { 200: jsonResponse(Variable), ...errorResponses(404) },
  }),
  async (c) =>
    c.json(orNotFound(await variables.readVariable(c.var.db, pathId(c)), NOT_FOUND), 200),
);

variablesRouter.openapi(
  createRoute({
    method: "patch",
    path: "/variables/{id}",
    tags,
    summary: "Update Variable",
    request: { params: IdParams, ...jsonBody(VariableUpdateInput) },
    responses: { 204: noContent, ...errorResponses(404, 422) },
  }),
  async (c) => {
    await applyPatch(c, { id: pathId(c) });
    return c.body(null, 204);
  },
);

variablesRouter.openapi(
  createRoute({
    method: "delete",
    path: "/variables/{id}",
    tags,
    summary: "Delete Variable",
    request: { params: IdParams },
    responses: { 204: noContent, ...errorResponses(404) },
  }),
  async (c) => noContentOr404(c, await variables.deleteVariable(c.var.db, { id: pathId(c) }, serverEvents(c.env)), NOT_FOUND),
);
