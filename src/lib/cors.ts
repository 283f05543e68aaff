import type { MiddlewareHandler } from "hono";
import type { AppEnv, Bindings } from "../env";

/**
 * CORS as Prefect's server answers it: Starlette's CORSMiddleware (1.3.1, Prefect 3.8.3's lock)
 * configured from `server.api.cors_allowed_origins` / `_methods` / `_headers`, each a
 * comma-separated list (split on "," and nothing else, so " POST" stays " POST") defaulting to
 * `*`; no credentials, no exposed headers, no private-network access, max-age 600. Pinned by
 * test/goldens/cors.json (scripts/goldens/cors.py runs Starlette's own middleware).
 */
export interface CorsPolicy {
  allowAllOrigins: boolean;
  origins: string[];
  methods: string[];
  allowAllHeaders: boolean;
  /** The allowed request headers, lower-cased (the safelisted ones always among them). */
  headers: string[];
  /** The headers every preflight answer starts from. */
  preflightHeaders: Record<string, string>;
}

const ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];
const SAFELISTED_HEADERS = ["Accept", "Accept-Language", "Content-Language", "Content-Type"];
const MAX_AGE = "600";

export function corsPolicy(originsSetting: string, methodsSetting: string, headersSetting: string): CorsPolicy {
  const origins = originsSetting.split(",");
  const methodList = methodsSetting.split(",");
  const methods = methodList.includes("*") ? ALL_METHODS : methodList;
  const headerList = headersSetting.split(",");
  const allowAllOrigins = origins.includes("*");
  const allowAllHeaders = headerList.includes("*");
  const allowedHeaders = [...new Set([...SAFELISTED_HEADERS, ...headerList])].sort(byCodePoint);

  const preflightHeaders: Record<string, string> = allowAllOrigins ? { "Access-Control-Allow-Origin": "*" } : { Vary: "Origin" };
  preflightHeaders["Access-Control-Allow-Methods"] = methods.join(", ");
  preflightHeaders["Access-Control-Max-Age"] = MAX_AGE;
  if (!allowAllHeaders) preflightHeaders["Access-Control-Allow-Headers"] = allowedHeaders.join(", ");

  return {
    allowAllOrigins,
    origins,
    methods,
    allowAllHeaders,
    headers: allowedHeaders.map((h) => h.toLowerCase()),
    preflightHeaders,
  };
}

/** Python's sort order for str (code points), which for these ASCII names is also UTF-16's. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isAllowedOrigin(policy: CorsPolicy, origin: string): boolean {
  return policy.allowAllOrigins || policy.origins.includes(origin);
}

/** The answer to a preflight (`OPTIONS` with Origin and Access-Control-Request-Method): 200, or 400 naming what is refused. */
export function preflightResponse(policy: CorsPolicy, request: Headers): Response {
  const origin = request.get("origin") ?? "";
  const method = request.get("access-control-request-method") ?? "";
  const requestedHeaders = request.get("access-control-request-headers");
  const headers = { ...policy.preflightHeaders };
  const failures: string[] = [];

  if (!isAllowedOrigin(policy, origin)) failures.push("origin");
  else if (!policy.allowAllOrigins) headers["Access-Control-Allow-Origin"] = origin;

  if (!policy.methods.includes(method)) failures.push("method");

  if (policy.allowAllHeaders && requestedHeaders !== null) {
    headers["Access-Control-Allow-Headers"] = requestedHeaders;
  } else if (requestedHeaders !== null) {
    const refused = requestedHeaders.split(",").some((h) => !policy.headers.includes(h.toLowerCase().trim()));
    if (refused) failures.push("headers");
  }

  // Prefect does not allow private-network access, so a preflight asking for it is refused.
  if (request.has("access-control-request-private-network")) failures.push("private-network");

  const body = failures.length ? `Disallowed CORS ${failures.join(", ")}` : "OK";
  return new Response(body, {
    status: failures.length ? 400 : 200,
    headers: { ...headers, "content-type": "text/plain; charset=utf-8" },
  });
}

/** Adds the CORS headers of a request that carried an Origin to the (non-preflight) answer. */
export function addSimpleResponseHeaders(policy: CorsPolicy, origin: string, headers: Headers): void {
  if (policy.allowAllOrigins) {
    headers.set("Access-Control-Allow-Origin", "*");
  } else if (isAllowedOrigin(policy, origin)) {
    headers.set("Access-Control-Allow-Origin", origin);
    addVaryOrigin(headers);
  }
}

function addVaryOrigin(headers: Headers): void {
  const vary = headers.get("vary");
  headers.set("Vary", vary === null ? "Origin" : `${vary}, Origin`);
}

type CorsSettingEnv = Pick<
  Bindings,
  | "PREFECT_SERVER_API_CORS_ALLOWED_ORIGINS"
  | "PREFECT_SERVER_CORS_ALLOWED_ORIGINS"
  | "PREFECT_SERVER_API_CORS_ALLOWED_METHODS"
  | "PREFECT_SERVER_CORS_ALLOWED_METHODS"
  | "PREFECT_SERVER_API_CORS_ALLOWED_HEADERS"
  | "PREFECT_SERVER_CORS_ALLOWED_HEADERS"
>;

/** The first of a setting's names set in the environment (Prefect's alias order), else `*`. */
function setting(primary: string | undefined, alias: string | undefined): string {
  return primary ?? alias ?? "*";
}

let cached: { key: string; policy: CorsPolicy } | undefined;

/** The policy of this Worker's CORS variables (built once per distinct set of values). */
export function corsPolicyOf(env: CorsSettingEnv): CorsPolicy {
  const origins = setting(env.PREFECT_SERVER_API_CORS_ALLOWED_ORIGINS, env.PREFECT_SERVER_CORS_ALLOWED_ORIGINS);
  const methods = setting(env.PREFECT_SERVER_API_CORS_ALLOWED_METHODS, env.PREFECT_SERVER_CORS_ALLOWED_METHODS);
  const headers = setting(env.PREFECT_SERVER_API_CORS_ALLOWED_HEADERS, env.PREFECT_SERVER_CORS_ALLOWED_HEADERS);
  const key = JSON.stringify([origins, methods, headers]);
  if (cached?.key !== key) cached = { key, policy: corsPolicy(origins, methods, headers) };
  return cached.policy;
}

/**
 * The outermost middleware, as Prefect's CORSMiddleware wraps its whole app: a request without
 * Origin passes untouched; a preflight is answered here, before auth (browsers never send
 * credentials with one); any other answer — errors included — gets the allow-origin header.
 * WebSocket handshakes pass untouched (Starlette's middleware only sees HTTP).
 */
export const cors: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origin = c.req.raw.headers.get("origin");
  if (origin === null || c.req.header("upgrade")?.toLowerCase() === "websocket") return next();
  const policy = corsPolicyOf(c.env);
  if (c.req.method === "OPTIONS" && c.req.raw.headers.has("access-control-request-method")) {
    return preflightResponse(policy, c.req.raw.headers);
  }
  await next();
  try {
    addSimpleResponseHeaders(policy, origin, c.res.headers);
  } catch {
    // Immutable headers (an answer fetched from elsewhere): copy the answer, then add them.
    c.res = new Response(c.res.body, c.res);
    addSimpleResponseHeaders(policy, origin, c.res.headers);
  }
};
