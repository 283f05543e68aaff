import type { Context } from "hono";
import { ApiError, orNotFound } from "../../lib/errors";
import { normalizeUuid } from "../../lib/ids";
import { paginated, resolveLimit } from "../../db/pagination";

/** The steps route handlers share, so that each handler reads: parse, call, respond. */

type WithParams<P> = { req: { valid: (target: "param") => P } };

/** The `{id}` path parameter, spelled as stored. */
export const pathId = (c: WithParams<{ id: string }>) => normalizeUuid(c.req.valid("param").id);

/** 204 when the write found its row (`found` is truthy), else the 404 (`missing`: its detail, or the error to throw). */
export function noContentOr404(c: Context, found: unknown, missing: string | ApiError) {
  orNotFound(found || null, missing);
  return c.body(null, 204);
}

/** Prefect's `null` (200) when the write found its row, else the 404 as noContentOr404. */
export function nullOr404(c: Context, found: unknown, missing: string | ApiError) {
  orNotFound(found || null, missing);
  return c.json(null, 200);
}

type Window = { limit?: number | null; offset?: number };

/** A `/filter` read: `read` gets the body, its limit (Prefect's default and bounds) and offset. */
export function readPage<B extends Window, T>(body: B, read: (body: B, limit: number, offset: B["offset"]) => T): T {
  return read(body, resolveLimit(body.limit), body.offset);
}

/**
 * A `/paginate` read in Prefect's `{results, count, limit, pages, page}` envelope: `read` gets the
 * body, the limit and the offset of the requested page, and answers that page and the count of all.
 */
export async function paginate<B extends { limit?: number | null; page: number }, T>(
  body: B,
  read: (body: B, limit: number, offset: number) => Promise<{ results: T; count: number }>,
) {
  const limit = resolveLimit(body.limit);
  const { results, count } = await read(body, limit, (body.page - 1) * limit);
  return paginated(results, count, limit, body.page);
}

/** A page of rows and the count of all matching, read together. */
export async function withCount<T>(rows: Promise<T[]>, count: Promise<number>) {
  const [results, total] = await Promise.all([rows, count]);
  return { results, count: total };
}
