import { CsrfToken } from "../schemas/prefect.gen";
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonResponse } from "../lib/router";
import { PREFECT_VERSION } from "../lib/version";
import { d1Binding } from "../db/client";

const tags = ["Root"];
export const rootRouter = createRouter();

rootRouter.openapi(
  createRoute({ method: "get", path: "/health", tags, summary: "Health Check", responses: { 200: jsonResponse(z.boolean()) } }),
  (c) => c.json(true, 200),
);

rootRouter.openapi(
  createRoute({ method: "get", path: "/version", tags, summary: "Server Version", responses: { 200: jsonResponse(z.string()) } }),
  (c) => c.json(PREFECT_VERSION, 200),
);

rootRouter.openapi(
  createRoute({ method: "get", path: "/hello", tags, summary: "Hello", responses: { 200: jsonResponse(z.string()) } }),
  (c) => c.json("👋", 200),
);

rootRouter.openapi(
  createRoute({ method: "get", path: "/ready", tags, summary: "Perform Readiness Check", responses: { 200: jsonResponse(z.any()) } }),
  async (c) => {
    try {
      await d1Binding(c.env).prepare("SELECT 1").first();
      return c.json({ message: "OK" }, 200);
    } catch {
      return c.json({ message: "Database is not available" }, 503 as any);
    }
  },
);

rootRouter.openapi(
  createRoute({
    method: "get",
    path: "/csrf-token",
    summary: "Create Csrf Token",
    request: { query: z.object({ client: z.string() }) },
    responses: { 200: jsonResponse(CsrfToken), 422: jsonResponse(z.object({ detail: z.string() }), "CSRF protection is disabled") },
  }),
  // CSRF protection is off, as it is by default on Prefect's server; the SDK carries on.
  (c) => c.json({ detail: "CSRF protection is disabled." }, 422 as any),
);
