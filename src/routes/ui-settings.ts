import { createRoute } from "@hono/zod-openapi";
import { createRouter, jsonResponse } from "../lib/router";
import { UISettings } from "../schemas/ui-settings";
import { uiSettings } from "../services/ui-settings";

/**
 * `GET /ui-settings`, at the origin's root as on Prefect's server (its UI app, not its API: the
 * route is not in /api/openapi.json), and open without credentials: the UI reads it before login.
 */
export const uiSettingsRouter = createRouter();

uiSettingsRouter.openapi(
  createRoute({ method: "get", path: "/ui-settings", tags: ["UI"], summary: "Ui Settings", responses: { 200: jsonResponse(UISettings) } }),
  (c) => c.json(uiSettings(c.env, new URL(c.req.url).origin), 200),
);
