import { unprocessable } from "../lib/errors";

/** Prefect's server-wide maximum page size (PREFECT_API_DEFAULT_LIMIT). */
export const MAX_LIMIT = 200;

/** A missing limit means the maximum; a limit out of range is Prefect's 422 `Invalid limit`. */
export function resolveLimit(limit: number | null | undefined): number {
  if (limit === null || limit === undefined) return MAX_LIMIT;
  if (limit < 0) throw unprocessable("Invalid limit: must be greater than or equal to 0.");
  if (limit > MAX_LIMIT) throw unprocessable(`Invalid limit: must be less than or equal to ${MAX_LIMIT}.`);
  return limit;
}

/** The `{results, count, limit, pages, page}` envelope of Prefect's paginate endpoints. */
export function paginated<T>(results: T, count: number, limit: number, page: number) {
  return { results, count, limit, pages: limit > 0 ? Math.ceil(count / limit) : 0, page };
}
