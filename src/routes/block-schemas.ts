import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, IdParams, jsonBody, jsonResponse, noContent, errorResponses } from "../lib/router";
import { notFound, orNotFound } from "../lib/errors";
import { normalizeUuid } from "../lib/ids";
import * as schemas from "../db/queries/blocks/schemas";
import { readBlockType } from "../db/queries/blocks/types";
import { isDict, parsePythonJson, type PyValue } from "../lib/python";
import { withSystemBlocks } from "./block-types";
import { BlockSchema, BlockSchemaCreate, Body_read_block_schemas_block_schemas_filter_post } from "../schemas/prefect.gen";
import { noContentOr404, pathId, readPage } from "./support/handlers";

const tags = ["Block schemas"];
export const blockSchemasRouter = createRouter();
for (const path of ["/block_schemas", "/block_schemas/*"]) {
  blockSchemasRouter.use(path, withSystemBlocks);
}

blockSchemasRouter.openapi(
  createRoute({
    method: "post",
    path: "/block_schemas/",
    tags,
    summary: "Create Block Schema",
    request: jsonBody(BlockSchemaCreate),
    responses: { 201: jsonResponse(BlockSchema), 200: jsonResponse(BlockSchema), ...errorResponses(400, 404, 409, 422) },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const typeId = normalizeUuid(input.block_type_id);
    if (!(await readBlockType(c.var.db, typeId))) throw notFound(`Block type ${typeId} not found.`);
    // The checksum is computed from the fields as sent (Python tells 1.0 from 1), not as parsed.
    let fields: Record<string, PyValue> = input.fields as Record<string, PyValue>;
    try {
      const raw = parsePythonJson(await c.req.text(), { keepNumberKinds: true }) as Record<string, PyValue>;
      if (isDict(raw) && isDict(raw.fields)) fields = raw.fields as Record<string, PyValue>;
    } catch {
      // Keep the parsed fields.
    }
    const { schema, created } = await schemas.createBlockSchema(c.var.db, {
      fields,
      block_type_id: typeId,
      capabilities: input.capabilities,
      version: input.version,
    });
    return c.json(schema, created ? 201 : 200);
  },
);

blockSchemasRouter.openapi(
  createRoute({
    method: "post",
    path: "/block_schemas/filter",
    tags,
    summary: "Read Block Schemas",
    request: jsonBody(Body_read_block_schemas_block_schemas_filter_post),
    responses: { 200: jsonResponse(z.array(BlockSchema)), ...errorResponses(422) },
  }),
  async (c) => c.json(await readPage(c.req.valid("json"), (body, limit, offset) => schemas.filterBlockSchemas(c.var.db, body, limit, offset)), 200),
);

blockSchemasRouter.openapi(
  createRoute({
    method: "get",
    path: "/block_schemas/checksum/{checksum}",
    tags,
    summary: "Read Block Schema By Checksum",
    request: {
      params: z.object({ checksum: z.string().openapi({ description: "The block schema checksum" }) }),
      query: z.object({
        version: z.string().optional().openapi({
          description:
            "Version of block schema. If not provided the most recently created block schema with the matching checksum will be returned.",
        }),
      }),
    },
    responses: { 200: jsonResponse(BlockSchema), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const schema = await schemas.readBlockSchemaByChecksum(c.var.db, c.req.valid("param").checksum, c.req.valid("query").version);
    return c.json(orNotFound(schema, "Block schema not found"), 200);
  },
);

blockSchemasRouter.openapi(
  createRoute({
    method: "get",
    path: "/block_schemas/{id}",
    tags,
    summary: "Read Block Schema By Id",
    request: { params: IdParams },
    responses: { 200: jsonResponse(BlockSchema), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await schemas.readBlockSchema(c.var.db, pathId(c)), "Block schema not found"), 200),
);

blockSchemasRouter.openapi(
  createRoute({
    method: "delete",
    path: "/block_schemas/{id}",
    tags,
    summary: "Delete Block Schema",
    request: { params: IdParams },
    responses: { 204: noContent, ...errorResponses(403, 404) },
  }),
  async (c) => noContentOr404(c, await schemas.deleteBlockSchema(c.var.db, pathId(c)), "Block schema not found"),
);
