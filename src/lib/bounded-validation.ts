import type { z } from "@hono/zod-openapi";

/**
 * Zod reports every invalid element of a body, as pydantic does: one issue object (about half a
 * kilobyte with its path and message, then the 422 entry made of it) per bad value. A 2 MB list
 * of a million wrong values would need hundreds of MB before any answer — far past an isolate's
 * 128 MB. A body of more than FULL_REPORT_VALUES JSON values is therefore validated up to its
 * first error (zod's `abortEarly`): valid, it passes as before; invalid, it is refused with that
 * error alone. Smaller bodies get every error, as from Prefect's server.
 */
export const FULL_REPORT_VALUES = 10_000;

/** How many JSON values (objects, arrays and scalars) `value` holds, counting no further than `limit` + 1. */
export function countValuesUpTo(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length && count <= limit) {
    const v = stack.pop();
    count++;
    if (v === null || typeof v !== "object") continue;
    if (Array.isArray(v)) for (let i = 0; i < v.length && stack.length <= limit; i++) stack.push(v[i]);
    else for (const key in v) if (stack.length <= limit) stack.push((v as Record<string, unknown>)[key]);
  }
  return count;
}

type ParseParams = Parameters<z.ZodType["safeParseAsync"]>[1] & { abortEarly?: boolean };
const bounded = new WeakSet<object>();

/**
 * Makes the body validator's parse of `schema` (hono's validator calls `safeParseAsync`) stop at
 * the first error for a body of more than FULL_REPORT_VALUES values. The schema itself, and so
 * the OpenAPI document, is unchanged.
 */
export function boundValidation<T extends z.ZodType>(schema: T): T {
  if (typeof schema?.safeParseAsync !== "function" || bounded.has(schema)) return schema; // a plain JSON Schema is not validated
  bounded.add(schema);
  const parse = schema.safeParseAsync.bind(schema) as (data: unknown, params?: ParseParams) => ReturnType<T["safeParseAsync"]>;
  (schema as { safeParseAsync: unknown }).safeParseAsync = (data: unknown, params?: ParseParams) =>
    parse(data, countValuesUpTo(data, FULL_REPORT_VALUES) > FULL_REPORT_VALUES ? { ...params, abortEarly: true } : params);
  return schema;
}
