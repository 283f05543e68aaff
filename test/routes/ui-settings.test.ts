import { describe, expect, it } from "vitest";
import { env, exports } from "cloudflare:workers";
import { createApp } from "../../src/app";

/** GET /ui-settings: the web UI's configuration, read before anything else (and before login). */
const app = createApp();
const context = { waitUntil() {}, passThroughOnException() {}, props: {} } as any;

function uiSettings(vars: Record<string, string> = {}, origin = "http://127.0.0.1:8787") {
  return app.fetch(new Request(`${origin}/ui-settings`), { ...env, ...vars } as any, context);
}

describe("GET /ui-settings", () => {
  it("answers Prefect's UISettings: this origin's /api, no auth, the Vue UI (v1) at /", async () => {
    const res = await (exports as any).default.fetch(new Request("http://127.0.0.1:8787/ui-settings"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      api_url: "http://127.0.0.1:8787/api",
      csrf_enabled: false,
      auth: null,
      flags: [],
      default_ui: "v1",
      available_uis: ["v1"],
      v1_base_url: "/",
      v2_base_url: null,
    });
  });

  it("takes api_url from the request's origin", async () => {
    const res = await uiSettings({}, "https://prefect.example.workers.dev");
    expect((await res.json<any>()).api_url).toBe("https://prefect.example.workers.dev/api");
  });

  it("says BASIC when PREFECT_API_AUTH_STRING is set, and answers without credentials", async () => {
    const res = await uiSettings({ PREFECT_API_AUTH_STRING: "admin:pw" });
    expect(res.status).toBe(200);
    expect((await res.json<any>()).auth).toBe("BASIC");
    expect((await (await uiSettings({ PREFECT_API_AUTH_STRING: "" })).json<any>()).auth).toBeNull();
  });

  it("answers Prefect's UI API URL setting when set (PREFECT_SERVER_UI_API_URL, then PREFECT_UI_API_URL, then PREFECT_API_URL)", async () => {
    const apiUrl = async (vars: Record<string, string>) => (await (await uiSettings(vars)).json<any>()).api_url;
    expect(await apiUrl({ PREFECT_UI_API_URL: "https://api.example.com/api" })).toBe("https://api.example.com/api");
    expect(await apiUrl({ PREFECT_SERVER_UI_API_URL: "https://server.example.com/api", PREFECT_UI_API_URL: "https://alias.example.com/api" })).toBe(
      "https://server.example.com/api",
    );
    expect(await apiUrl({ PREFECT_API_URL: "https://client.example.com/api" })).toBe("https://client.example.com/api");
    expect(await apiUrl({ PREFECT_UI_API_URL: "/api", PREFECT_API_URL: "https://client.example.com/api" })).toBe("/api");
  });

  it("is not part of the API's OpenAPI document (nor is it in Prefect's)", async () => {
    const doc = await (await (exports as any).default.fetch(new Request("http://127.0.0.1:8787/api/openapi.json"))).json();
    expect(Object.keys(doc.paths).filter((p) => p.includes("ui-settings"))).toEqual([]);
  });

  it("is only at the origin's root: /api/ui-settings is not a route", async () => {
    const res = await (exports as any).default.fetch(new Request("http://127.0.0.1:8787/api/ui-settings"));
    expect(res.status).toBe(404);
  });
});
