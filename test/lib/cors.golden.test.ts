import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import goldens from "../goldens/cors.json";

/**
 * Our CORS (src/lib/cors.ts) against Starlette's CORSMiddleware configured as Prefect 3.8.3
 * configures it (scripts/goldens/cors.py), case by case, through the whole app: a preflight is
 * answered exactly as Starlette answers it; any other request reaches the app, whose answer
 * carries exactly the CORS headers Starlette adds.
 */
interface Case {
  settings: { origins?: string; methods?: string; headers?: string };
  request: { method: string; headers: Record<string, string> };
  expected: { passed_through: boolean; status?: number; body?: string; headers: Record<string, string> };
}

const app = createApp();
const context = { waitUntil() {}, passThroughOnException() {}, props: {} } as any;

function envOf(settings: Case["settings"]) {
  const vars: Record<string, string> = {};
  if (settings.origins !== undefined) vars.PREFECT_SERVER_CORS_ALLOWED_ORIGINS = settings.origins;
  if (settings.methods !== undefined) vars.PREFECT_SERVER_CORS_ALLOWED_METHODS = settings.methods;
  if (settings.headers !== undefined) vars.PREFECT_SERVER_CORS_ALLOWED_HEADERS = settings.headers;
  return { ...env, ...vars } as any;
}

/** Header values as a client reads them: HTTP drops a value's leading and trailing whitespace (Starlette sends " x-spaced, …" as is). */
function asReceived(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, value.trim()]));
}

function corsHeaders(headers: Headers, withContentType: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith("access-control-") || name === "vary" || (withContentType && name === "content-type")) out[name] = value;
  });
  return out;
}

describe("CORS goldens (Starlette's CORSMiddleware as Prefect configures it)", () => {
  const cases = (goldens as unknown as { cases: Case[] }).cases;

  it("has the cases", () => expect(cases.length).toBeGreaterThan(300));

  it.each(cases.map((c, i) => [i, JSON.stringify(c.settings), c.request.method, JSON.stringify(c.request.headers), c] as const))(
    "%i %s %s %s",
    async (_i, _s, _m, _h, { settings, request, expected }) => {
      const res = await app.fetch(new Request("http://127.0.0.1:8787/api/health", request), envOf(settings), context);
      const text = await res.text();
      if (expected.passed_through) {
        expect(text === "OK" || text.startsWith("Disallowed CORS")).toBe(false);
        expect(corsHeaders(res.headers, false)).toEqual(asReceived(expected.headers));
      } else {
        expect({ status: res.status, body: text, headers: corsHeaders(res.headers, true) }).toEqual({
          status: expected.status,
          body: expected.body,
          headers: asReceived(expected.headers),
        });
      }
    },
  );
});
