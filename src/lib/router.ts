import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { HTTPValidationError, prefectValidationHook } from "./validation";
import { Uuid } from "../schemas/primitives";
import { bodyKindOf, readBodyAsPrefect } from "./body-reading";
import { boundValidation } from "./bounded-validation";

/**
 * Every resource router shares the Prefect-shaped validation hook. Routes are documented with
 * Prefect's exact paths (`POST /flows/`) but matched with or without the trailing slash: Hono's
 * non-strict mode drops the request's trailing slash, so the route itself is registered without one.
 */
export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: prefectValidationHook as any, strict: false });
  const on = router.on.bind(router) as (...args: any[]) => any;
  const trim = (p: string) => (p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p);
  (router as any).on = (method: unknown, path: string | string[], ...handlers: unknown[]) =>
    on(method, Array.isArray(path) ? path.map(trim) : trim(path), ...handlers);
  // A route that takes a JSON body reads it as Prefect's server does, before its validators run;
  // a very large body is validated up to its first error (bounded-validation.ts).
  const openapi = router.openapi.bind(router) as (...args: any[]) => any;
  (router as any).openapi = (route: any, ...rest: unknown[]) => {
    const kind = bodyKindOf(route);
    if (!kind) return openapi(route, ...rest);
    boundValidation(route.request.body.content["application/json"].schema);
    const middleware = [readBodyAsPrefect(kind), ...[route.middleware ?? []].flat()];
    return openapi({ ...route, middleware }, ...rest);
  };
  return router;
}

export const IdParams = z.object({ id: Uuid });

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { content: { "application/json": { schema: nullsAsUnset(schema) } }, required: true } } as const;
}

/**
 * Prefect's server takes an explicit `null` for a body field that has a default (e.g. the SDK's
 * `"name": null` on FlowRunCreate) as if the field were left out. For an object schema, such
 * nulls are dropped before validation; fields that accept null, or have no default, are untouched.
 */
export function nullsAsUnset<T extends z.ZodType>(schema: T): T {
  if (!(schema instanceof z.ZodObject)) return schema;
  const droppable = Object.entries(schema.shape as Record<string, z.ZodType>)
    .filter(([, field]) => !field.safeParse(null).success && field.safeParse(undefined).success)
    .map(([key]) => key);
  if (!droppable.length) return schema;
  return z.preprocess((value) => {
    if (!value || typeof value !== "object" || Array.isArray(value)) return value;
    const out = { ...(value as Record<string, unknown>) };
    for (const key of droppable) if (out[key] === null) delete out[key];
    return out;
  }, schema) as unknown as T;
}

export function jsonResponse<T extends z.ZodType>(schema: T, description = "Successful Response") {
  return { content: { "application/json": { schema } }, description } as const;
}

export const noContent = { description: "Successful Response" } as const;

/** A hand-raised error (lib/errors.ts), as Prefect answers its HTTPExceptions. */
const ErrorDetail = z.object({ detail: z.unknown() }).openapi("ErrorDetail");
/** The few errors Prefect answers under `exception_message` instead (ApiError's `key`). */
const ErrorMessage = z.object({ exception_message: z.string() }).openapi("ErrorMessage");

type ErrorStatus = 400 | 403 | 404 | 409 | 422;
const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  422: "Validation Error",
};

/**
 * The error responses a route declares, e.g. `...errorResponses(404, 409, 422)`: 422 is the
 * validation error body (HTTPValidationError), every other status the `{"detail": ...}` of an
 * ApiError; `{ 404: "exception_message" }` declares one answered under that key instead.
 */
export function errorResponses(...statuses: (ErrorStatus | Partial<Record<ErrorStatus, "exception_message">>)[]) {
  const out: Partial<Record<ErrorStatus, ReturnType<typeof jsonResponse>>> = {};
  for (const entry of statuses) {
    if (typeof entry === "number") {
      out[entry] = jsonResponse(entry === 422 ? HTTPValidationError : ErrorDetail, ERROR_DESCRIPTIONS[entry]);
    } else {
      for (const key of Object.keys(entry)) {
        const status = Number(key) as ErrorStatus;
        // The router's own 404 (an unknown or malformed path id) still answers `detail`.
        out[status] = jsonResponse(z.union([ErrorMessage, ErrorDetail]), ERROR_DESCRIPTIONS[status]);
      }
    }
  }
  return out;
}

/**
 * PATCH semantics of Prefect's updates (`exclude_unset`): only the keys the client actually sent,
 * with their parsed values — schema defaults must not overwrite stored values.
 */
export async function sentFields<T extends Record<string, unknown>>(
  c: { req: { json: () => Promise<unknown> } },
  parsed: T,
): Promise<Partial<T>> {
  const raw = (await c.req.json()) as Record<string, unknown>;
  const out: Partial<T> = {};
  for (const key of Object.keys(parsed)) if (raw && Object.hasOwn(raw, key)) (out as any)[key] = parsed[key];
  return out;
}

/**
 * Work that finishes after the response (events, bookkeeping): kept alive by the request's
 * `waitUntil`, never failing the request (a failure is logged as `what`). Outside a live request
 * (no execution context) the promise still runs.
 */
export function afterResponse(c: { executionCtx: ExecutionContext }, what: string, work: Promise<unknown>): void {
  const settled = work.catch((err) => console.error(`${what} failed`, err));
  try {
    c.executionCtx.waitUntil(settled);
  } catch {
    void settled;
  }
}
