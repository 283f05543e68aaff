import type { Context, MiddlewareHandler, Next } from "hono";
import type { AppEnv } from "../env";
import { validationErrorResponse } from "./validation";
import { timingSafeEqual } from "./constant-time";
import { isJsonContentType } from "./body-reading";
import { depthExceededAt, MAX_JSON_DEPTH, maxRequestBodyBytes, readBodyWithin } from "./request-body";
import { bodyBudgetFor, isLargeBody, RETRY_AFTER_S, WAIT_MS } from "./body-budget";

/**
 * Reads request bodies once, before routing: a body above MAX_REQUEST_BODY_BYTES gets 413 before
 * it is read whole; JSON (also a body without Content-Type) is parsed here, so that malformed (or
 * too deeply nested) JSON gets Prefect's 422 (`json_invalid`); large bodies are handled within the
 * isolate's budget (body-budget.ts: beyond it, 503 with Retry-After). What an empty or non-JSON body
 * means is the route's to say (src/lib/body-reading.ts). The routes' validators read the parsed
 * body from hono's body cache.
 */
export const jsonBodyGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  const method = c.req.method;
  if (method === "GET" || method === "HEAD" || method === "OPTIONS" || method === "DELETE") return next();
  const max = maxRequestBodyBytes(c.env.MAX_REQUEST_BODY_BYTES);
  // A large body takes its share of the isolate's budget before it is read (by its Content-Length)
  // or once read (streamed without one), and gives it back when its request has been handled.
  const declared = Number(c.req.header("content-length") ?? Number.NaN);
  let release = declared <= max && isLargeBody(declared, max) ? await bodyBudgetFor(max).take(declared, WAIT_MS) : undefined;
  if (release === null) {
    await c.req.raw.body?.cancel().catch(() => undefined);
    return busy(c);
  }
  try {
    const bytes = await readBodyWithin(c.req.raw, max);
    if (!bytes) return c.json({ detail: `Request body too large: the limit is ${max} bytes (MAX_REQUEST_BODY_BYTES).` }, 413);
    if (!release && isLargeBody(bytes.byteLength, max)) {
      release = await bodyBudgetFor(max).take(bytes.byteLength, WAIT_MS);
      if (release === null) return busy(c);
    }
    return await handleBody(c, next, bytes);
  } finally {
    release?.();
  }
};

/** 503 with Retry-After: too many large bodies are being handled in this isolate (body-budget.ts). */
const busy = (c: Context<AppEnv>) => {
  c.header("Retry-After", String(RETRY_AFTER_S));
  return c.json({ detail: "The server is handling too many large request bodies at once; retry shortly." }, 503);
};

async function handleBody(c: Context<AppEnv>, next: Next, bytes: Uint8Array) {
  const cache = c.req.bodyCache as Record<string, Promise<unknown>>;
  const contentType = c.req.header("content-type") ?? "";
  if (contentType && !isJsonContentType(contentType)) {
    cache.arrayBuffer = Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    return next();
  }
  const text = new TextDecoder().decode(bytes);
  if (text === "") {
    cache.text = Promise.resolve(text);
    return next();
  }
  const tooDeep = depthExceededAt(text);
  let parsed: unknown;
  try {
    if (tooDeep >= 0) throw new SyntaxError();
    parsed = JSON.parse(text);
  } catch {
    const error = tooDeep >= 0 ? `Nested deeper than ${MAX_JSON_DEPTH} levels` : "Expecting value";
    return validationErrorResponse(c, [{ type: "json_invalid", loc: ["body", Math.max(tooDeep, 0)], msg: "JSON decode error", input: {}, ctx: { error } }], text);
  }
  cache.text = Promise.resolve(text);
  cache.json = Promise.resolve(parsed);
  return next();
}

const OPEN_PATHS = new Set(["/api/health", "/api/ready"]);

/** Prefect's optional HTTP Basic auth (PREFECT_SERVER_API_AUTH_STRING), here a Worker secret. */
export const basicAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expected = c.env.PREFECT_API_AUTH_STRING;
  if (!expected) return next();
  // Exactly these paths, as Prefect matches them: not `/api/health/` (which c.req.path would trim), nor HEAD.
  if (c.req.method === "GET" && OPEN_PATHS.has(new URL(c.req.url).pathname)) return next();
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
