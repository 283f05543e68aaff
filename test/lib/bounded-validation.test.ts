import { describe, expect, it } from "vitest";
import { countValuesUpTo, FULL_REPORT_VALUES } from "../../src/lib/bounded-validation";
import { api, unique } from "../helpers";

describe("validation of very large bodies", () => {
  it("reports every error of a body up to FULL_REPORT_VALUES values, as pydantic does", async () => {
    const tags = Array.from({ length: 100 }, (_, i) => i);
    const res = await api("POST", "/flows/", { name: unique("f"), tags });
    expect(res.status).toBe(422);
    expect(res.body.exception_detail).toHaveLength(100);
    expect(res.body.exception_detail[99]).toMatchObject({ type: "string_type", loc: ["body", "tags", 99], input: 99 });
  });

  it("stops at the first error of a larger body: one issue, not one per bad value", async () => {
    const tags = Array.from({ length: FULL_REPORT_VALUES + 1 }, (_, i) => i);
    const res = await api("POST", "/flows/", { name: unique("f"), tags });
    expect(res.status).toBe(422);
    expect(res.body.exception_detail).toEqual([{ type: "string_type", loc: ["body", "tags", 0], msg: "Input should be a valid string", input: 0 }]);
    expect(res.body.request_body.tags).toHaveLength(FULL_REPORT_VALUES + 1);
  });

  it("answers a million bad values with a 422 (was a 500: the issues overflowed the stack, after ~700 MB of heap)", async () => {
    const body = `{"name": "${unique("f")}", "tags": [${"1,".repeat(999_999)}1]}`;
    const res = await api("POST", "/flows/", body);
    expect(res.status).toBe(422);
    expect(res.body.exception_detail).toHaveLength(1);
  });

  it("still accepts a large valid body", async () => {
    const logs = Array.from({ length: 3000 }, (_, i) => ({ name: "big", level: 20, message: `line ${i}`, timestamp: new Date().toISOString() }));
    expect((await api("POST", "/logs/", logs)).status).toBe(201);
  });

  it("counts JSON values without walking past the limit", () => {
    expect(countValuesUpTo({ a: [1, 2, { b: null }], c: "x" }, 100)).toBe(7);
    expect(countValuesUpTo(Array.from({ length: 1_000_000 }, () => [1, 2]), 10)).toBe(11);
    expect(countValuesUpTo(42, 0)).toBe(1);
  });
});
