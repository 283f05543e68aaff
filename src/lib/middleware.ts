import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { validationErrorResponse } from "./validation";
import { timingSafeEqual } from "./constant-time";

/**
 * Parses JSON bodies once, before routing, so that malformed JSON gets Prefect's 422
 * (`json_invalid`) and an empty body counts as `{}` (FastAPI applies the body's defaults).
 */
export const jsonBodyGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  const method = c.req.method;
  if (method === "GET" || method === "HEAD" || method === "OPTIONS" || method === "DELETE") return next();
  const contentType = c.req.header("content-type") ?? "";
  if (contentType && !/json/i.test(contentType)) return next();
  const text = await c.req.text();
  if (text.trim() === "") {
    (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve("{}");
    return next();
  }
  try {
    JSON.parse(text);
  } catch {
    return validationErrorResponse(
      c,
      [{ type: "json_invalid", loc: ["body", 0], msg: "JSON decode error", input: {}, ctx: { error: "Expecting value" } }],
      text,
    );
  }
  return next();
};

const OPEN_PATHS = new Set(["/api/health", "/api/ready"]);

/** Prefect's optional HTTP Basic auth (PREFECT_SERVER_API_AUTH_STRING), here a Worker secret. */
export const basicAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expected = c.env.PREFECT_API_AUTH_STRING;
  if (!expected) return next();
  if (c.req.method === "GET" && OPEN_PATHS.has(c.req.path.replace(/\/$/, ""))) return next();
  const unauthorized = () => c.json({ exception_message: "Unauthorized" }, 401);
  const header = c.req.header("authorization");
  if (!header) return unauthorized();
  const [scheme, creds, ...rest] = header.trim().split(/\s+/);
  if (scheme !== "Basic" || !creds || rest.length) return unauthorized();
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(Uint8Array.from(atob(creds), (ch) => ch.charCodeAt(0)));
  } catch {
    return unauthorized();
  }
  return timingSafeEqual(decoded, expected) ? next() : unauthorized();
};
