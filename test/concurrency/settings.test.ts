import { describe, expect, it } from "vitest";
import {
  clampedPoissonInterval,
  clientRenewsLeases,
  clientVersionOf,
} from "../../src/concurrency/settings";
import { pyFloatRepr as pyFloat, pyStrRepr as pyRepr, versionAtLeast } from "../../src/lib/python";
import { retryAfterSeconds } from "../../src/concurrency/slots";
import type { LimitSnapshot } from "../../src/concurrency/limit-counter";

const snap = (o: Partial<LimitSnapshot>): LimitSnapshot => ({
  id: "l",
  name: "gcl",
  limit: 1,
  active: true,
  slot_decay_per_second: 0,
  active_slots: 1,
  denied_slots: 0,
  avg_slot_occupancy_seconds: 2,
  ...o,
});

describe("concurrency settings and helpers", () => {
  it("parses the client version from Prefect's User-Agent", () => {
    expect(clientVersionOf("prefect/3.8.3 (API 0.8.4)")).toBe("3.8.3");
    expect(clientVersionOf("prefect/3.0.0rc20 (API 0.8.4)")).toBe("3.0.0rc20");
    expect(clientVersionOf("python-httpx/0.28")).toBeNull();
    expect(clientVersionOf(null)).toBeNull();
  });

  it("compares client versions as Prefect does (pre-releases before releases)", () => {
    expect(versionAtLeast("3.4.11", "3.4.11")).toBe(true);
    expect(versionAtLeast("3.8.3", "3.4.11")).toBe(true);
    expect(versionAtLeast("3.4.10", "3.4.11")).toBe(false);
    expect(versionAtLeast("3.4.11rc1", "3.4.11")).toBe(false);
    expect(clientRenewsLeases("3.2.0")).toBe(false);
    expect(clientRenewsLeases("3.8.3")).toBe(true);
  });

  it("jitters intervals within Prefect's clamp (about 0.75× to 1.3× the average)", () => {
    expect(clampedPoissonInterval(10, 0.3, () => 0)).toBeCloseTo(7.52, 1);
    expect(clampedPoissonInterval(10, 0.3, () => 0.999999)).toBeCloseTo(13, 1);
    for (let i = 0; i < 50; i++) {
      const v = clampedPoissonInterval(10);
      expect(v).toBeGreaterThanOrEqual(7.5);
      expect(v).toBeLessThanOrEqual(13.0001);
    }
    expect(clampedPoissonInterval(0)).toBe(0);
  });

  it("Retry-After: the most blocking limit's occupancy, capped by the wait settings; rate limits by decay", () => {
    const mid = () => 0.5;
    // avg occupancy 2 s, 1 slot + 0 denied over a limit of 1 → about 2 s.
    const plain = retryAfterSeconds([snap({})], 1, mid);
    expect(plain).toBeGreaterThan(1.5);
    expect(plain).toBeLessThan(2.6);
    // Long occupancies are capped at 30 s (10 s for tag limits).
    expect(retryAfterSeconds([snap({ avg_slot_occupancy_seconds: 600 })], 1, () => 0.999999)).toBeCloseTo(39, 0);
    expect(retryAfterSeconds([snap({ name: "tag:x", avg_slot_occupancy_seconds: 600 })], 1, () => 0.999999)).toBeCloseTo(13, 0);
    // Rate limit: (1 / decay) × (slots + denied).
    expect(retryAfterSeconds([snap({ slot_decay_per_second: 2, denied_slots: 3 })], 1, () => 0.999999)).toBeCloseTo(2 * 1.3, 1);
  });

  it("prints floats and strings as Python does", () => {
    expect(pyFloat(10)).toBe("10.0");
    expect(pyFloat(2.5)).toBe("2.5");
    expect(pyRepr("a,b")).toBe("'a,b'");
    expect(pyRepr("it's")).toBe(`"it's"`);
  });
});
