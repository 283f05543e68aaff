import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { createRouter, IdParams, jsonBody, jsonResponse, noContent, sentFields, errorResponses } from "../lib/router";
import { ApiError, orNotFound } from "../lib/errors";
import * as types from "../db/queries/blocks/types";
import * as documents from "../db/queries/blocks/documents";
import { ensureSystemBlocks, installSystemBlocks } from "../services/blocks/system";
import {
  BlockDocument,
  BlockType,
  BlockTypeCreate,
  BlockTypeUpdate,
  Body_read_block_types_block_types_filter_post,
} from "../schemas/prefect.gen";
import { serverEvents } from "../events/outbox";
import { noContentOr404, pathId, readPage } from "./support/handlers";

const tags = ["Block types"];
export const blockTypesRouter = createRouter();

/**
 * The system blocks are there before any block request is answered, as on a Prefect server that
 * registers them at start (see ensureSystemBlocks). Mounted on each block router's own paths.
 */
export const withSystemBlocks: MiddlewareHandler<AppEnv> = async (c, next) => {
  await ensureSystemBlocks(c.env, c.var.db);
  return next();
};
for (const path of ["/block_types", "/block_types/*"]) blockTypesRouter.use(path, withSystemBlocks);

/** A boolean query parameter, read as pydantic reads one ("true", "1", "yes", "on", …). */
export const QueryBool = z.preprocess((v) => {
  if (typeof v !== "string") return v;
  const s = v.trim().toLowerCase();
  if (["true", "1", "yes", "on", "t", "y"].includes(s)) return true;
  if (["false", "0", "no", "off", "f", "n"].includes(s)) return false;
  return v;
}, z.boolean());

export const IncludeSecretsQuery = z.object({
  include_secrets: QueryBool.default(false).openapi({ type: "boolean", description: "Whether to include sensitive values in the block document." }),
});

const SLUG_RE = /^[a-z0-9-]*$/;

/** BlockTypeCreate with Prefect's slug rule (lowercase letters, numbers and dashes only). */
const BlockTypeCreateInput = BlockTypeCreate.superRefine((v, ctx) => {
  if (!SLUG_RE.test(v.slug)) {
    ctx.addIssue({ code: "custom", path: ["slug"], input: v.slug, message: "Block type slug must only contain lowercase letters, numbers, and dashes." });
  }
});

const SlugParams = z.object({ slug: z.string().openapi({ description: "The block type name" }) });

blockTypesRouter.openapi(
  createRoute({
    method: "post",
    path: "/block_types/",
    tags,
    summary: "Create Block Type",
    request: jsonBody(BlockTypeCreateInput),
    responses: { 201: jsonResponse(BlockType), ...errorResponses(403, 409, 422) },
  }),
  async (c) => {
    const input = c.req.valid("json");
    // Names starting with "Prefect" are reserved for Prefect's own blocks.
    if (input.name.toLowerCase().startsWith("prefect")) throw new ApiError(403, "Block type names beginning with 'Prefect' are reserved.");
    return c.json(await types.createBlockType(c.var.db, input, serverEvents(c.env)), 201);
  },
);

blockTypesRouter.openapi(
  createRoute({
    method: "post",
    path: "/block_types/filter",
    tags,
    summary: "Read Block Types",
    request: jsonBody(Body_read_block_types_block_types_filter_post),
    responses: { 200: jsonResponse(z.array(BlockType)), ...errorResponses(422) },
  }),
  async (c) => c.json(await readPage(c.req.valid("json"), (body, limit, offset) => types.filterBlockTypes(c.var.db, body, limit, offset)), 200),
);

blockTypesRouter.openapi(
  createRoute({
    method: "post",
    path: "/block_types/install_system_block_types",
    tags,
    summary: "Install System Block Types",
    responses: { 200: jsonResponse(z.null()) },
  }),
  async (c) => {
    await installSystemBlocks(c.env, c.var.db);
    return c.json(null, 200);
  },
);

blockTypesRouter.openapi(
  createRoute({
    method: "get",
    path: "/block_types/slug/{slug}/block_documents",
    tags: [...tags, "Block documents"],
    summary: "Read Block Documents For Block Type",
    request: { params: SlugParams, query: IncludeSecretsQuery },
    responses: { 200: jsonResponse(z.array(BlockDocument)), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const { slug } = c.req.valid("param");
    const type = orNotFound(await types.readBlockTypeBySlug(c.var.db, slug), "Block type not found");
    const docs = await documents.readBlockDocuments(
      c.var.db,
      { block_documents: { block_type_id: { any_: [type.id] }, is_anonymous: { eq_: false } } },
      { includeSecrets: c.req.valid("query").include_secrets },
    );
    return c.json(docs, 200);
  },
);

blockTypesRouter.openapi(
  createRoute({
    method: "get",
    path: "/block_types/slug/{slug}/block_documents/name/{block_document_name}",
    tags: [...tags, "Block documents"],
    summary: "Read Block Document By Name For Block Type",
    request: {
      params: SlugParams.extend({ block_document_name: z.string().openapi({ description: "The block type name" }) }),
      query: IncludeSecretsQuery,
    },
    responses: { 200: jsonResponse(BlockDocument), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const { slug, block_document_name } = c.req.valid("param");
    const doc = await documents.readBlockDocumentByName(c.var.db, slug, block_document_name, c.req.valid("query").include_secrets);
    return c.json(orNotFound(doc, "Block document not found"), 200);
  },
);

blockTypesRouter.openapi(
  createRoute({
    method: "get",
    path: "/block_types/slug/{slug}",
    tags,
    summary: "Read Block Type By Slug",
    request: { params: SlugParams },
    responses: { 200: jsonResponse(BlockType), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await types.readBlockTypeBySlug(c.var.db, c.req.valid("param").slug), "Block type not found"), 200),
);

blockTypesRouter.openapi(
  createRoute({
    method: "get",
    path: "/block_types/{id}",
    tags,
    summary: "Read Block Type By Id",
    request: { params: IdParams },
    responses: { 200: jsonResponse(BlockType), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await types.readBlockType(c.var.db, pathId(c)), "Block type not found"), 200),
);

blockTypesRouter.openapi(
  createRoute({
    method: "patch",
    path: "/block_types/{id}",
    tags,
    summary: "Update Block Type",
    request: { params: IdParams, ...jsonBody(BlockTypeUpdate) },
    responses: { 204: noContent, ...errorResponses(404, 422) },
  }),
  async (c) =>
    noContentOr404(c, await types.updateBlockType(c.var.db, pathId(c), await sentFields(c, c.req.valid("json")), serverEvents(c.env)), "Block type not found"),
);

blockTypesRouter.openapi(
  createRoute({
    method: "delete",
    path: "/block_types/{id}",
    tags,
    summary: "Delete Block Type",
    request: { params: IdParams },
    responses: { 204: noContent, ...errorResponses(403, 404) },
  }),
  async (c) => noContentOr404(c, await types.deleteBlockType(c.var.db, pathId(c), serverEvents(c.env)), "Block type not found"),
);
