import { describe, expect, it } from "vitest";
import {
  autoScheduledIdempotencyKey,
  datesToSchedule,
  DEFAULT_SCHEDULE_LIMITS,
  DEPLOYMENT_SCHEDULE_MAX_SCHEDULED_RUNS,
  validateMaxScheduledRuns,
} from "../../../src/lib/schedules";
import type { CronSchedule, IntervalSchedule } from "../../../src/lib/schedules/types";

const every = (interval: number): IntervalSchedule => ({ interval, anchor_date: "2024-01-01T00:00:00Z", timezone: "UTC" });
const cron = (expr: string, timezone: string | null = null): CronSchedule => ({ cron: expr, timezone, day_or: true });

describe("scheduler limits", () => {
  it("uses Prefect's service defaults", () => {
    expect(DEFAULT_SCHEDULE_LIMITS).toEqual({ minRuns: 3, maxRuns: 100, minTime: 3600, maxTime: 100 * 86_400 });
    expect(DEPLOYMENT_SCHEDULE_MAX_SCHEDULED_RUNS).toBe(50);
  });

  it("stops at min_runs once they reach min_time", () => {
    expect(datesToSchedule(every(86_400), "2024-01-01T12:00:00Z")).toEqual([
      "2024-01-02T00:00:00.000000Z",
      "2024-01-03T00:00:00.000000Z",
      "2024-01-04T00:00:00.000000Z",
    ]);
  });

  it("goes past min_runs until min_time is covered", () => {
    const dates = datesToSchedule(every(600), "2024-01-01T00:00:00Z");
    expect(dates).toHaveLength(7);
    expect(dates[0]).toBe("2024-01-01T00:00:00.000000Z");
    expect(dates[6]).toBe("2024-01-01T01:00:00.000000Z");
  });

  it("never creates more than max_runs", () => {
    const dates = datesToSchedule(every(60), "2024-01-01T00:00:00Z", { minTime: 3 * 3600 });
    expect(dates).toHaveLength(100);
    expect(dates[99]).toBe("2024-01-01T01:39:00.000000Z");
  });

  it("never schedules past max_time, even below min_runs", () => {
    expect(datesToSchedule(cron("0 0 1 * *"), "2024-01-15T00:00:00Z", { minRuns: 5 })).toEqual([
      "2024-02-01T00:00:00.000000Z",
      "2024-03-01T00:00:00.000000Z",
      "2024-04-01T00:00:00.000000Z",
    ]);
    expect(datesToSchedule(cron("0 0 1 * *"), "2024-01-15T00:00:00Z", { end: "2024-03-01T00:00:00Z" })).toEqual([
      "2024-02-01T00:00:00.000000Z",
      "2024-03-01T00:00:00.000000Z",
    ]);
  });
});

describe("autoScheduledIdempotencyKey", () => {
  const deployment = "8d5a2cb8-1b34-4bd6-9d8e-2a4a8d8e0c11";
  const schedule = "0b1f6f4e-51a9-4b8e-8d3b-1f5a4c1f2e33";

  it("prints the date as Python does, in the schedule's timezone", () => {
    expect(autoScheduledIdempotencyKey(deployment, schedule, "2024-03-10T13:00:00.000000Z", cron("0 9 * * *", "America/New_York"))).toBe(
      `scheduled ${deployment} ${schedule} 2024-03-10 09:00:00-04:00`,
    );
    expect(autoScheduledIdempotencyKey(deployment, schedule, "2024-01-01T00:00:00.000000Z", every(60))).toBe(
      `scheduled ${deployment} ${schedule} 2024-01-01 00:00:00+00:00`,
    );
    expect(autoScheduledIdempotencyKey(deployment, schedule, "2024-01-01T00:00:00.250000Z", cron("* * * * *"))).toBe(
      `scheduled ${deployment} ${schedule} 2024-01-01 00:00:00.250000+00:00`,
    );
  });
});

describe("validateMaxScheduledRuns", () => {
  it("caps a schedule's max_scheduled_runs at 50", () => {
    expect(validateMaxScheduledRuns(50)).toBeNull();
    expect(validateMaxScheduledRuns(null)).toBeNull();
    expect(validateMaxScheduledRuns(51)).toBe("`max_scheduled_runs` must be less than or equal to 50.");
  });
});
