import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";

const app = createApp();
const secured = { ...env, PREFECT_API_AUTH_STRING: "admin:s3cret" };

function call(path: string, authorization?: string, method = "GET") {
  const headers: Record<string, string> = authorization ? { authorization } : {};
  return app.fetch(new Request(`http://127.0.0.1:8787/api${path}`, { headers, method }), secured as any, {
    waitUntil() {},
    passThroughOnException() {},
    props: {},
  } as any);
}

const basic = (s: string) => `Basic ${btoa(s)}`;

describe("optional HTTP Basic auth (PREFECT_API_AUTH_STRING)", () => {
  it("lets health and ready through without credentials", async () => {
    expect((await call("/health")).status).toBe(200);
    expect((await call("/ready")).status).toBe(200);
  });

  it("opens exactly GET /health and /ready, as Prefect matches them (not a trailing slash, not HEAD)", async () => {
    for (const [path, method] of [["/health/", "GET"], ["/ready/", "GET"], ["/health", "HEAD"], ["/ready", "HEAD"]]) {
      expect([path, method, (await call(path, undefined, method)).status]).toEqual([path, method, 401]);
      expect([path, method, (await call(path, basic("admin:s3cret"), method)).status]).toEqual([path, method, 200]);
    }
  });

  it("answers the web UI's auth check (GET /admin/version) 401 without credentials, 200 with", async () => {
    expect((await call("/admin/version")).status).toBe(401);
    expect((await call("/admin/version", basic("admin:s3cret"))).status).toBe(200);
  });

  it("leaves /ui-settings (outside /api) open: the UI reads it before asking for credentials", async () => {
    const res = await app.fetch(new Request("http://127.0.0.1:8787/ui-settings"), secured as any, {} as any);
    expect(res.status).toBe(200);
    expect((await res.json<any>()).auth).toBe("BASIC");
  });

  it("refuses every other route without the right credentials", async () => {
    for (const auth of [undefined, basic("admin:wrong"), "Bearer admin:s3cret", "Basic !!!", basic("admin:s3cret2")]) {
      const res = await call("/admin/version", auth);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ exception_message: "Unauthorized" });
    }
  });

  it("serves requests with the right credentials", async () => {
    const res = await call("/admin/version", basic("admin:s3cret"));
    expect(res.status).toBe(200);
    expect(await res.json()).toBe("3.8.3");
  });

  it("is open when no auth string is set", async () => {
    const res = await app.fetch(new Request("http://127.0.0.1:8787/api/admin/version"), env as any, {} as any);
    expect(res.status).toBe(200);
  });
});
