/**
 * The retention settings against Prefect: test/goldens/settings.json holds what Prefect 3.8.3's
 * settings make of each value of an environment variable (pydantic's timedelta/int/bool, Prefect's
 * SecondsTimeDelta, db_vacuum's `enabled` and overrides), written by scripts/goldens/settings.py.
 */
import { describe, expect, it } from "vitest";
import golden from "../../goldens/settings.json";
import { pydanticBool } from "../../../src/lib/python/pydantic-values";
import {
  parseBatchSize,
  parseEventsRetention,
  parseFlowRunsRetention,
  parseRetentionOverrides,
  parseVacuumEnabled,
} from "../../../src/services/db-vacuum/settings";

interface Case {
  setting: string;
  value: string;
  expected: unknown;
}

const PARSERS: Record<string, (v: string) => unknown> = {
  events_retention_period: parseEventsRetention,
  vacuum_retention_period: parseFlowRunsRetention,
  batch_size: parseBatchSize,
  bool: pydanticBool,
  vacuum_enabled: parseVacuumEnabled,
  event_retention_overrides: parseRetentionOverrides,
};

const cases = golden.cases as Case[];

describe("retention settings against Prefect's", () => {
  it("covers every setting with a few hundred cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(500);
    expect(new Set(cases.map((c) => c.setting))).toEqual(new Set(Object.keys(PARSERS)));
  });

  it.each(cases.map((c) => [c.setting, JSON.stringify(c.value), c] as const))("%s %s", (_, __, c) => {
    const got = PARSERS[c.setting](c.value);
    if (typeof c.expected === "number") expect(got).toBeCloseTo(c.expected, 6);
    else expect(got).toEqual(c.expected);
  });
});
