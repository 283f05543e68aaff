import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonBody, jsonResponse, noContent, errorResponses } from "../lib/router";
import { PREFECT_VERSION } from "../lib/version";
import { deleteConfiguration, readConfiguration, writeConfiguration } from "../db/queries/configuration";
import { ServerDefaultResultStorage, ServerDefaultResultStorageUpdate, Settings } from "../schemas/prefect.gen";

const tags = ["Admin"];
const STORAGE_KEY = "server_default_result_storage";
export const adminRouter = createRouter();

let defaultSettings: unknown;

adminRouter.openapi(
  createRoute({ method: "get", path: "/admin/settings", tags, summary: "Read Settings", responses: { 200: jsonResponse(Settings) } }),
  (c) => c.json((defaultSettings ??= Settings.parse({})) as Settings, 200),
);

adminRouter.openapi(
  createRoute({ method: "get", path: "/admin/version", tags, summary: "Read Version", responses: { 200: jsonResponse(z.string()) } }),
  (c) => c.json(PREFECT_VERSION, 200),
);

adminRouter.openapi(
  createRoute({
    method: "get",
    path: "/admin/storage",
    tags,
    summary: "Read Server Default Result Storage",
    responses: { 200: jsonResponse(ServerDefaultResultStorage) },
  }),
  async (c) => {
    const stored = await readConfiguration(c.var.db, STORAGE_KEY);
    return c.json({ default_result_storage_block_id: stored?.default_result_storage_block_id ?? null }, 200);
  },
);

adminRouter.openapi(
  createRoute({
    method: "put",
    path: "/admin/storage",
    tags,
    summary: "Update Server Default Result Storage",
    request: jsonBody(ServerDefaultResultStorageUpdate),
    responses: { 200: jsonResponse(ServerDefaultResultStorage), ...errorResponses(422) },
  }),
  async (c) => {
    const value = { default_result_storage_block_id: c.req.valid("json").default_result_storage_block_id.toLowerCase() };
    await writeConfiguration(c.var.db, STORAGE_KEY, value);
    return c.json(value, 200);
  },
);

adminRouter.openapi(
  createRoute({
    method: "delete",
    path: "/admin/storage",
    tags,
    summary: "Clear Server Default Result Storage",
    responses: { 204: noContent },
  }),
  async (c) => {
    await deleteConfiguration(c.var.db, STORAGE_KEY);
    return c.body(null, 204);
  },
);
