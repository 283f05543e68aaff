import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { createRouter, jsonBody, jsonResponse, noContent } from "../lib/router";
import { PREFECT_VERSION } from "../lib/version";
import { configuration } from "../db/schema";
import { uuid4 } from "../lib/ids";
import { isoNow } from "../lib/time";
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
    const row = await c.var.db.select().from(configuration).where(eq(configuration.key, STORAGE_KEY)).get();
    return c.json({ default_result_storage_block_id: row?.value?.default_result_storage_block_id ?? null }, 200);
  },
);

adminRouter.openapi(
  createRoute({
    method: "put",
    path: "/admin/storage",
    tags,
    summary: "Update Server Default Result Storage",
    request: jsonBody(ServerDefaultResultStorageUpdate),
    responses: { 200: jsonResponse(ServerDefaultResultStorage) },
  }),
  async (c) => {
    const value = { default_result_storage_block_id: c.req.valid("json").default_result_storage_block_id.toLowerCase() };
    const now = isoNow();
    await c.var.db
      .insert(configuration)
      .values({ id: uuid4(), created: now, updated: now, key: STORAGE_KEY, value })
      .onConflictDoUpdate({ target: configuration.key, set: { value, updated: now } });
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
    await c.var.db.delete(configuration).where(eq(configuration.key, STORAGE_KEY));
    return c.body(null, 204);
  },
);
