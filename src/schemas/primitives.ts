import { z } from "@hono/zod-openapi";
import { parseDatetime } from "../lib/datetime";

// Pydantic accepts any 32-hex-digit UUID (hyphens optional); zod's z.uuid() is stricter about
// versions, so we check the shape ourselves. The error text is the pydantic error type, which the
// shared validation hook turns into Prefect's 422 detail.
export const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

export const Uuid = z
  .string()
  .regex(UUID_RE, { error: "uuid_parsing" })
  .openapi({ type: "string", format: "uuid" });

/**
 * A datetime as Prefect's server reads one (pydantic's lax datetime: ISO 8601 strings in its
 * forms, Unix timestamps as numbers or numeric strings; naive means UTC), answered in pydantic's
 * JSON form (`2024-01-01T09:00:00Z`, `.ffffff` when non-zero, a sent offset kept). A refused value
 * carries pydantic's error, which the validation hook reports as is.
 */
export const DateTime = z
  .unknown()
  .transform((value, ctx) => {
    if (value === undefined) {
      ctx.addIssue({ code: "invalid_type", expected: "string", input: value });
      return z.NEVER;
    }
    const parsed = parseDatetime(value);
    if (parsed.ok) return parsed.json;
    const { type, msg, error } = parsed.error;
    ctx.addIssue({ code: "custom", message: type, input: value, params: { pydantic: { type, msg, ctx: error === undefined ? undefined : { error } } } });
    return z.NEVER;
  })
  .openapi({ type: "string", format: "date-time" });

/** An integer whose type errors read as pydantic's int errors (zod reports them as "number"). */
export const Int = z.int({ error: "int_type" });

/** Prefect's KeyValueLabels: label values are booleans, integers, floats or strings (pydantic's strict ones). */
export const KeyValueLabels = z.record(z.string(), z.union([z.boolean(), Int, z.number(), z.string()]));
