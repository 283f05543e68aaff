import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonResponse, errorResponses } from "../lib/router";
import { notFound } from "../lib/errors";
import { WORKER_CATALOGUE } from "../services/worker-catalogue";

export const collectionsRouter = createRouter();

/** The registry views Prefect knows (prefect-collection-registry's `views/`). */
const KNOWN_VIEWS = new Set(["aggregate-block-metadata", "aggregate-flow-metadata", "aggregate-worker-metadata", "demo-flows"]);

/** Prefect keeps fetched views for ten minutes. */
const CACHE_TTL_MS = 10 * 60 * 1000;
const cache = new Map<string, { data: Record<string, unknown>; expires: number }>();

export type Fetcher = (url: string) => Promise<Response>;

/**
 * A registry view other than the worker metadata (which we always answer from our own worker
 * catalogue, as Prefect falls back to its bundled copy): fetched from `registryUrl` when one is
 * configured (COLLECTIONS_REGISTRY_URL, e.g. Prefect's
 * https://raw.githubusercontent.com/PrefectHQ/prefect-collection-registry/main/views) and cached.
 * Without a registry, or when it does not answer the view, the content is missing (null).
 */
export async function registryView(view: string, registryUrl: string | undefined, fetcher: Fetcher = fetch, now = Date.now()): Promise<Record<string, unknown> | null> {
  if (!registryUrl) return null;
  const key = `${registryUrl}|${view}`;
  const hit = cache.get(key);
  if (hit && hit.expires > now) return hit.data;
  try {
    const res = await fetcher(`${registryUrl.replace(/\/$/, "")}/${view}.json`);
    if (!res.ok) return null;
    const data = (await res.json()) as Record<string, unknown>;
    if (!data || typeof data !== "object" || Array.isArray(data)) return null;
    cache.set(key, { data, expires: now + CACHE_TTL_MS });
    return data;
  } catch {
    return null;
  }
}

collectionsRouter.openapi(
  createRoute({
    method: "get",
    path: "/collections/views/{view}",
    tags: ["Collections"],
    summary: "Read View Content",
    request: { params: z.object({ view: z.string() }) },
    responses: { 200: jsonResponse(z.record(z.string(), z.any())), ...errorResponses(404) },
  }),
  async (c) => {
    const { view } = c.req.valid("param");
    if (!KNOWN_VIEWS.has(view)) throw notFound(`View ${view} not found in registry`);
    if (view === "aggregate-worker-metadata") return c.json(WORKER_CATALOGUE, 200);
    const registryUrl = (c.env as unknown as Record<string, unknown>).COLLECTIONS_REGISTRY_URL;
    const data = await registryView(view, typeof registryUrl === "string" ? registryUrl : undefined);
    if (!data) throw notFound(`Requested content missing for view ${view}`);
    return c.json(data, 200);
  },
);
