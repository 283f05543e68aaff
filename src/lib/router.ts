import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { prefectValidationHook } from "./validation";
import { Uuid } from "../schemas/primitives";

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
