import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * A hand-raised error answered the way Prefect's server answers its HTTPExceptions:
 * `{"detail": ...}` (or another key where Prefect uses one, e.g. automations' `exception_message`).
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly detail: unknown,
    readonly key: "detail" | "exception_message" = "detail",
  ) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
  }

  toResponse(c: Context): Response {
    return c.json({ [this.key]: this.detail }, this.status);
  }
}

export const notFound = (detail: string) => new ApiError(404, detail);
export const conflict = (detail: string) => new ApiError(409, detail);
/** Prefect's answer to a violated unique or foreign-key constraint (its IntegrityError handler). */
export const INTEGRITY_CONFLICT =
  "Data integrity conflict. This usually means a unique or foreign key constraint was violated. See server logs for details.";
export const integrityConflict = () => conflict(INTEGRITY_CONFLICT);
export const badRequest = (detail: unknown) => new ApiError(400, detail);
export const unprocessable = (detail: unknown) => new ApiError(422, detail);

/**
 * Throws the 404 when a lookup found nothing (`missing`: its detail, or the error to throw where
 * Prefect words it otherwise); otherwise returns the value, narrowed.
 */
export function orNotFound<T>(value: T | null | undefined, missing: string | ApiError): T {
  if (value === null || value === undefined) throw typeof missing === "string" ? notFound(missing) : missing;
  return value;
}
