import { describe, expect, it } from "vitest";
import { BoundedCache } from "../../src/lib/bounded-cache";

describe("BoundedCache", () => {
  it("never holds more than its cap, forgetting the least recently set first", () => {
    const cache = new BoundedCache<number>(100);
    for (let i = 0; i < 10_000; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBe(100);
    expect(cache.get("k9899")).toBeUndefined();
    expect(cache.get("k9900")).toBe(9900);
    cache.set("k9900", 1); // set again: now the newest
    cache.set("new", 2);
    expect(cache.get("k9900")).toBe(1);
    expect(cache.get("k9901")).toBeUndefined();
  });

  it("never keeps a key longer than its limit, and still answers it", () => {
    const cache = new BoundedCache<string>(10, 20);
    const long = "x".repeat(21);
    expect(cache.getOrSet(long, () => "made")).toBe("made");
    expect(cache.size).toBe(0);
    expect(cache.getOrSet("short", () => "kept")).toBe("kept");
    expect(cache.getOrSet("short", () => "again")).toBe("kept");
    expect(cache.size).toBe(1);
  });
});
