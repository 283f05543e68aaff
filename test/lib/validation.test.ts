import { describe, expect, it } from "vitest";
import { z } from "@hono/zod-openapi";
import { prefectValidationHook } from "../../src/lib/validation";

/** The 422 detail pydantic would give for `value` against `schema`, through the shared hook. */
function detail(schema: z.ZodType, value: unknown) {
  const result = schema.safeParse(value);
  const fakeContext = { json: (body: any) => body } as any;
  const answered = prefectValidationHook({ ...result, data: value, target: "json" } as any, fakeContext) as any;
  return answered.exception_detail[0];
}

describe("bounds read as pydantic's errors", () => {
  it.each([
    [z.number().min(1), 0, "greater_than_equal", "Input should be greater than or equal to 1", { ge: 1 }],
    [z.number().gt(1), 1, "greater_than", "Input should be greater than 1", { gt: 1 }],
    [z.number().max(5), 6, "less_than_equal", "Input should be less than or equal to 5", { le: 5 }],
    [z.number().lt(5), 5, "less_than", "Input should be less than 5", { lt: 5 }],
    [z.string().min(1), "", "string_too_short", "String should have at least 1 character", { min_length: 1 }],
    [z.string().max(2), "abc", "string_too_long", "String should have at most 2 characters", { max_length: 2 }],
    [z.array(z.number()).min(2), [1], "too_short", "List should have at least 2 items", { min_length: 2 }],
    [z.array(z.number()).max(1), [1, 2], "too_long", "List should have at most 1 item", { max_length: 1 }],
  ])("%#: %s", (schema, value, type, msg, ctx) => {
    expect(detail(schema, value)).toEqual({ type, loc: ["body"], msg, input: value, ctx });
  });
});
