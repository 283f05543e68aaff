import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";

const app = createApp();
const secured = { ...env, PREFECT_API_AUTH_STRING: "admin:s3cret" };

function call(path: string, authorization?: string) {
  const headers: Record<string, string> = authorization ? { authorization } : {};
  return app.fetch(new Request(`http://127.0.0.1:8787/api${path}`, { headers }), secured as any, {
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
