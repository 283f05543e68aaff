import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { createApp } from "../../src/app";
import { cors } from "../../src/lib/cors";

/** CORS through the whole Worker: before auth, on every answer (errors too), configured by Prefect's settings. */
const app = createApp();
const context = { waitUntil() {}, passThroughOnException() {}, props: {} } as any;
const UI = "https://ui.example.com";
const basic = (s: string) => `Basic ${btoa(s)}`;

function call(path: string, init: RequestInit = {}, vars: Record<string, string> = {}) {
  return app.fetch(new Request(`http://127.0.0.1:8787${path}`, init), { ...env, ...vars } as any, context);
}

const preflight = (method: string, requestHeaders?: string, origin = UI): RequestInit => ({
  method: "OPTIONS",
  headers: {
    origin,
    "access-control-request-method": method,
    ...(requestHeaders ? { "access-control-request-headers": requestHeaders } : {}),
  },
});

describe("CORS with Prefect's defaults (every origin, method and header)", () => {
  it("answers a preflight 200 with *, every method, the requested headers and max-age 600", async () => {
    const res = await call("/api/flows/filter", preflight("POST", "content-type, x-prefect-ui"));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("OK");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toBe("DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
    expect(res.headers.get("access-control-allow-headers")).toBe("content-type, x-prefect-ui");
    expect(res.headers.get("access-control-max-age")).toBe("600");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("answers a preflight before auth, which it never carries", async () => {
    const res = await call("/api/flows/filter", preflight("POST", "authorization, content-type, x-prefect-ui"), { PREFECT_API_AUTH_STRING: "admin:pw" });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-headers")).toBe("authorization, content-type, x-prefect-ui");
  });

  it("puts the allow-origin header on answers and errors: 200, 401, 404, 413, 422, and /ui-settings", async () => {
    const withOrigin = (init: RequestInit = {}) => ({ ...init, headers: { origin: UI, ...(init.headers as Record<string, string>) } });
    const secured = { PREFECT_API_AUTH_STRING: "admin:pw" };
    const answers = [
      ["health", 200, await call("/api/health", withOrigin())],
      ["with credentials", 200, await call("/api/admin/version", withOrigin({ headers: { authorization: basic("admin:pw") } }), secured)],
      ["no credentials", 401, await call("/api/admin/version", withOrigin(), secured)],
      ["no credentials, POST", 401, await call("/api/flows/filter", withOrigin({ method: "POST" }), secured)],
      ["unknown API route", 404, await call("/api/no-such-route", withOrigin())],
      ["unknown path", 404, await call("/no-such-page", withOrigin())],
      ["body too large", 413, await call("/api/flows/", withOrigin({ method: "POST", body: JSON.stringify({ name: "x".repeat(2000) }) }), { MAX_REQUEST_BODY_BYTES: "1000" })],
      ["invalid body", 422, await call("/api/flows/", withOrigin({ method: "POST", headers: { "content-type": "application/json" }, body: "{}" }))],
      ["ui-settings", 200, await call("/ui-settings", withOrigin())],
    ] as const;
    for (const [what, status, res] of answers) {
      expect([what, res.status, res.headers.get("access-control-allow-origin")]).toEqual([what, status, "*"]);
    }
  });

  it("adds nothing to a request without Origin (not a cross-origin one)", async () => {
    const res = await call("/api/health");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const options = await call("/api/health", { method: "OPTIONS", headers: { "access-control-request-method": "GET" } });
    expect(options.headers.get("access-control-allow-methods")).toBeNull();
  });

  it("leaves WebSocket handshakes alone", async () => {
    const headers = { origin: UI, upgrade: "websocket", "sec-websocket-protocol": "prefect" };
    const res = await call("/api/events/out", { headers });
    expect(res.status).toBe(101);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    res.webSocket!.accept();
    res.webSocket!.close();
  });

  it("copies an answer whose headers are immutable before adding its own", async () => {
    expect(() => Response.redirect("https://example.com/", 302).headers.set("x", "y")).toThrow();
    const mini = new Hono().use(cors).get("/", () => Response.redirect("https://example.com/", 302));
    const res = await mini.fetch(new Request("http://127.0.0.1/", { headers: { origin: UI } }), env as any, context);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://example.com/");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("CORS configured (PREFECT_SERVER_[API_]CORS_ALLOWED_ORIGINS / _METHODS / _HEADERS)", () => {
  const only = {
    PREFECT_SERVER_CORS_ALLOWED_ORIGINS: `${UI},https://other.example.com`,
    PREFECT_SERVER_CORS_ALLOWED_METHODS: "GET,POST",
    PREFECT_SERVER_CORS_ALLOWED_HEADERS: "x-prefect-ui,authorization",
  };

  it("echoes an allowed origin, with Vary: Origin, and says nothing to another", async () => {
    const allowed = await call("/api/health", { headers: { origin: UI } }, only);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(UI);
    expect(allowed.headers.get("vary")).toBe("Origin");
    const other = await call("/api/health", { headers: { origin: "https://evil.example.com" } }, only);
    expect(other.status).toBe(200);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers an allowed preflight with the origin, the configured methods and the safelisted + configured headers", async () => {
    const res = await call("/api/flows/filter", preflight("POST", "X-Prefect-UI, Content-Type"), only);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(UI);
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, POST");
    expect(res.headers.get("access-control-allow-headers")).toBe(
      "Accept, Accept-Language, Content-Language, Content-Type, authorization, x-prefect-ui",
    );
  });

  it("refuses a preflight from another origin, or for another method or header, with 400 naming each", async () => {
    const evil = await call("/api/flows/filter", preflight("POST", undefined, "https://evil.example.com"), only);
    expect([evil.status, await evil.text()]).toEqual([400, "Disallowed CORS origin"]);
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    const all = await call("/api/flows/1", preflight("DELETE", "x-other", "https://evil.example.com"), only);
    expect([all.status, await all.text()]).toEqual([400, "Disallowed CORS origin, method, headers"]);
  });

  it("reads the PREFECT_SERVER_API_ names before their PREFECT_SERVER_ aliases", async () => {
    const vars = { PREFECT_SERVER_API_CORS_ALLOWED_ORIGINS: "https://api-name.example.com", PREFECT_SERVER_CORS_ALLOWED_ORIGINS: UI };
    const res = await call("/api/health", { headers: { origin: "https://api-name.example.com" } }, vars);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://api-name.example.com");
    const alias = await call("/api/health", { headers: { origin: UI } }, vars);
    expect(alias.headers.get("access-control-allow-origin")).toBeNull();
  });
});
