import { describe, expect, it } from "vitest";
import { drain, drained, fits, givenBack, isoMicros, microsIso, seededCounts, snapshotOf, type Counts, type LimitDefinition } from "../../src/concurrency/limit-counter";

const def = (o: Partial<LimitDefinition> = {}): LimitDefinition => ({
  id: "l",
  name: "gcl",
  limit: 2,
  active: true,
  slot_decay_per_second: 0,
  active_slots: 0,
  denied_slots: 0,
  avg_slot_occupancy_seconds: 2,
  updated: "2026-01-01T00:00:00.000000Z",
  ...o,
});
const counts = (o: Partial<Counts> = {}): Counts => ({ active: 0, active_clock: 0, denied: 0, denied_clock: 0, avg: 2, version: 0, pushed: 0, last_write_us: 0, ...o });

describe("limit counter (plain accounting of one global concurrency limit)", () => {
  it("drains whole slots at the rate and keeps the remainder on the clock", () => {
    expect(drain(5, 0, 2, 1_250)).toEqual([3, 1_000]);
    expect(drain(5, 0, 2, 400)).toEqual([5, 0]);
    expect(drain(1, 0, 2, 5_000)).toEqual([0, 5_000]);
    expect(drain(3, 0, 0, 9_000)).toEqual([3, 9_000]);
  });

  it("drains denied slots one per average occupancy when the limit has no decay", () => {
    const c = drained(def(), counts({ denied: 3, avg: 2 }), 4_000);
    expect(c.denied).toBe(1);
    expect(c.active).toBe(0);
  });

  it("counts fits only for active limits", () => {
    expect(fits(def(), counts({ active: 1 }), 1)).toBe(true);
    expect(fits(def(), counts({ active: 2 }), 1)).toBe(false);
    expect(fits(def({ active: false }), counts({ active: 2 }), 1)).toBe(true);
  });

  it("gives slots back with an occupancy sample weighed over limit × 2 samples", () => {
    const c = givenBack(def(), counts({ active: 2, avg: 2 }), 1, 6);
    expect(c.active).toBe(1);
    expect(c.avg).toBeCloseTo(2 + 6 / 4 - 2 / 4);
    expect(givenBack(def(), counts({ active: 0 }), 3, null).active).toBe(0);
  });

  it("seeds from the row and snapshots as the row's shape", () => {
    const d = def({ active_slots: 1, denied_slots: 2, updated: "2026-01-01T00:00:00.123456Z" });
    const c = seededCounts(d);
    expect(c).toMatchObject({ active: 1, denied: 2, version: 0, pushed: 0, last_write_us: isoMicros(d.updated) });
    expect(microsIso(c.last_write_us)).toBe("2026-01-01T00:00:00.123456Z");
    expect(snapshotOf(d, c)).toMatchObject({ id: "l", active_slots: 1, denied_slots: 2, avg_slot_occupancy_seconds: 2 });
  });
});
