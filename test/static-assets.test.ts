import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";

/**
 * wrangler.toml's [assets]: the UI's files are served before the Worker, with the SPA fallback
 * for navigations, except /api/* and /ui-settings, which reach the Worker first. Requests go
 * through Cloudflare's asset router (the ASSET_ROUTER binding, vitest.config.ts), with
 * test/fixtures/ui-dist standing in for the built UI.
 */
const router = (env as any).ASSET_ROUTER as Fetcher;
const navigate = { accept: "text/html,application/xhtml+xml", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" };

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await router.fetch(`http://127.0.0.1:8787${path}`, { headers });
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

describe("static assets (the web UI) and the Worker on one origin", () => {
  it("serves the UI's files, and its index.html for the UI's own paths (SPA fallback)", async () => {
    const index = await get("/", navigate);
    expect([index.status, index.type]).toEqual([200, "text/html; charset=utf-8"]);
    expect(index.text).toContain("stands in for the built UI");
    expect((await get("/flow-runs/flow-run/0a2b", navigate)).text).toBe(index.text);
    const script = await get("/app.js");
    expect([script.status, script.type]).toEqual([200, "text/javascript; charset=utf-8"]);
  });

  it("sends /api/docs opened in a browser to the Worker: the Swagger page, not index.html", async () => {
    const docs = await get("/api/docs", navigate);
    expect(docs.status).toBe(200);
    expect(docs.text).toContain("SwaggerUIBundle");
  });

  it("sends every /api path to the Worker, also a navigation to an unknown one", async () => {
    expect(await get("/api/health", { accept: "application/json" })).toMatchObject({ status: 200, text: "true" });
    expect(await get("/api/no-such-route", navigate)).toMatchObject({ status: 404, text: '{"detail":"Not Found"}' });
  });

  it("sends /ui-settings to the Worker, also as a navigation", async () => {
    const settings = await get("/ui-settings", navigate);
    expect(settings.status).toBe(200);
    expect(JSON.parse(settings.text)).toMatchObject({ api_url: "http://127.0.0.1:8787/api", default_ui: "v1" });
  });
});
