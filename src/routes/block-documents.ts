import { createRoute, z } from "@hono/zod-openapi";
import { jsonPieces } from "../lib/json-pieces";
import { createRouter, IdParams, jsonBody, jsonResponse, noContent, sentFields, errorResponses } from "../lib/router";
import { orNotFound } from "../lib/errors";
import { resolveLimit } from "../db/pagination";
import * as documents from "../db/queries/blocks/documents";
import { IncludeSecretsQuery, withSystemBlocks } from "./block-types";
import {
  BlockDocument,
  BlockDocumentCreate,
  BlockDocumentUpdate,
  Body_count_block_documents_block_documents_count_post,
  Body_read_block_documents_block_documents_filter_post,
} from "../schemas/prefect.gen";
import { serverEvents } from "../events/outbox";
import { noContentOr404, pathId } from "./support/handlers";

const tags = ["Block documents"];
export const blockDocumentsRouter = createRouter();
for (const path of ["/block_documents", "/block_documents/*"]) blockDocumentsRouter.use(path, withSystemBlocks);

const NAME_RE = /^[a-z0-9-]*$/;

/** BlockDocumentCreate with Prefect's name rules: required unless anonymous; lowercase, digits, dashes. */
const BlockDocumentCreateInput = BlockDocumentCreate.superRefine((v, ctx) => {
  if (!v.is_anonymous && !v.name) {
    ctx.addIssue({ code: "custom", path: [], input: v, message: "Names must be provided for block documents." });
    return;
  }
  if (typeof v.name === "string" && !NAME_RE.test(v.name)) {
    ctx.addIssue({
      code: "custom",
      path: ["name"],
      input: v.name,
      message: "Block document name must only contain lowercase letters, numbers, and dashes.",
    });
  }
});

blockDocumentsRouter.openapi(
  createRoute({
    method: "post",
    path: "/block_documents/",
    tags,
    summary: "Create Block Document",
    request: jsonBody(BlockDocumentCreateInput),
    responses: { 201: jsonResponse(BlockDocument), ...errorResponses(400, 409, 422) },
  }),
  async (c) => c.json(await documents.createBlockDocument(c.var.db, c.req.valid("json"), serverEvents(c.env)), 201),
);

blockDocumentsRouter.openapi(
  createRoute({
    method: "post",
    path: "/block_documents/filter",
    tags,
    summary: "Read Block Documents",
    request: jsonBody(Body_read_block_documents_block_documents_filter_post),
    responses: { 200: jsonResponse(z.array(BlockDocument)), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const docs = await documents.readBlockDocumentPieces(c.var.db, body, {
      includeSecrets: body.include_secrets,
      sort: body.sort,
      limit: resolveLimit(body.limit),
      offset: body.offset,
    });
    return jsonPieces(c, docs);
  },
);

blockDocumentsRouter.openapi(
  createRoute({
    method: "post",
    path: "/block_documents/count",
    tags,
    summary: "Count Block Documents",
    request: jsonBody(Body_count_block_documents_block_documents_count_post),
    responses: { 200: jsonResponse(z.int()), ...errorResponses(422) },
  }),
  async (c) => c.json(await documents.countBlockDocuments(c.var.db, c.req.valid("json")), 200),
);

blockDocumentsRouter.openapi(
  createRoute({
    method: "get",
    path: "/block_documents/{id}",
    tags,
    summary: "Read Block Document By Id",
    request: { params: IdParams, query: IncludeSecretsQuery },
    responses: { 200: jsonResponse(BlockDocument), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const doc = await documents.readBlockDocument(c.var.db, pathId(c), c.req.valid("query").include_secrets);
    return c.json(orNotFound(doc, "Block document not found"), 200);
  },
);

blockDocumentsRouter.openapi(
  createRoute({
    method: "patch",
    path: "/block_documents/{id}",
    tags,
    summary: "Update Block Document Data",
    request: { params: IdParams, ...jsonBody(BlockDocumentUpdate) },
    responses: { 204: noContent, ...errorResponses(400, 404, 409, 422) },
  }),
  async (c) => {
    const parsed = c.req.valid("json");
    // With merge_existing_data (the default) only the fields sent count, as Prefect's exclude_unset.
    const input = parsed.merge_existing_data ? await sentFields(c, parsed) : parsed;
    return noContentOr404(c, await documents.updateBlockDocument(c.var.db, pathId(c), input, serverEvents(c.env)), "Block document not found");
  },
);

blockDocumentsRouter.openapi(
  createRoute({
    method: "delete",
    path: "/block_documents/{id}",
    tags,
    summary: "Delete Block Document",
    request: { params: IdParams },
    responses: { 204: noContent, ...errorResponses(404) },
  }),
  async (c) => noContentOr404(c, await documents.deleteBlockDocument(c.var.db, pathId(c), serverEvents(c.env)), "Block document not found"),
);
