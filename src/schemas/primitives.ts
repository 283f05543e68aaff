import { z } from "@hono/zod-openapi";

// Pydantic accepts any 32-hex-digit UUID (hyphens optional); zod's z.uuid() is stricter about
// versions, so we check the shape ourselves. The error text is the pydantic error type, which the
// shared validation hook turns into Prefect's 422 detail.
export const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

export const Uuid = z
  .string()
  .regex(UUID_RE, { error: "uuid_parsing" })
  .openapi({ type: "string", format: "uuid" });

export const DateTime = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), { error: "datetime_from_date_parsing" })
  .openapi({ type: "string", format: "date-time" });

/** An integer whose type errors read as pydantic's int errors (zod reports them as "number"). */
export const Int = z.int({ error: "int_type" });

/** Prefect's KeyValueLabels: label values are booleans, integers, floats or strings (pydantic's strict ones). */
export const KeyValueLabels = z.record(z.string(), z.union([z.boolean(), Int, z.number(), z.string()]));
