import { describe, expect, it } from "vitest";
import { uuid7 } from "../../src/lib/ids";

describe("uuid7", () => {
  it("is a version-7, RFC 4122-variant UUID carrying the time in ms in its first 48 bits", () => {
    const now = Date.UTC(2026, 10, 23, 14, 30);
    const id = uuid7(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBe(now);
  });

  it("sorts by time, and is random within one ms", () => {
    const ids = [uuid7(1_000), uuid7(1_001), uuid7(2 ** 40)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 100 }, () => uuid7(5))).size).toBe(100);
  });

  it("refuses what is not a time in ms", () => {
    for (const bad of [Number.NaN, -1, 1.5, 2 ** 48]) expect(() => uuid7(bad)).toThrow(RangeError);
  });
});
