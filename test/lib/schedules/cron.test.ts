import { describe, expect, it } from "vitest";
import { nextRunTimes } from "../../../src/lib/schedules";
import type { CronSchedule } from "../../../src/lib/schedules/types";

const NY = "America/New_York";
const cron = (expr: string, timezone: string | null = null, day_or = true): CronSchedule => ({ cron: expr, timezone, day_or });
const at = (...isos: string[]) => isos.map((iso) => `${iso}.000000Z`);

describe("cron schedules", () => {
  it("includes a start that matches and skips one just past it", () => {
    expect(nextRunTimes(cron("0 0 * * *"), { start: "2021-01-01T00:00:00Z", n: 3 })).toEqual(
      at("2021-01-01T00:00:00", "2021-01-02T00:00:00", "2021-01-03T00:00:00"),
    );
    expect(nextRunTimes(cron("0 * * * *"), { start: "2021-01-01T00:00:00.5Z", n: 1 })).toEqual(at("2021-01-01T01:00:00"));
    expect(nextRunTimes(cron("0 0 * * *"), { start: "2018-01-01T06:00:00Z", n: 1 })).toEqual(at("2018-01-02T00:00:00"));
  });

  it("stops at end, inclusively", () => {
    expect(nextRunTimes(cron("0 */6 * * *"), { start: "2024-01-01T00:00:00Z", end: "2024-01-01T12:00:00Z", n: 10 })).toEqual(
      at("2024-01-01T00:00:00", "2024-01-01T06:00:00", "2024-01-01T12:00:00"),
    );
  });

  it("fires an hourly schedule on each new local hour across DST", () => {
    expect(nextRunTimes(cron("0 * * * *", NY), { start: "2018-03-10T23:00:00-05:00", n: 5 })).toEqual(
      at("2018-03-11T04:00:00", "2018-03-11T05:00:00", "2018-03-11T06:00:00", "2018-03-11T07:00:00", "2018-03-11T08:00:00"),
    );
    // 01:00 repeats on 2018-11-04: it fires once, and the next run is two hours later.
    expect(nextRunTimes(cron("0 * * * *", NY), { start: "2018-11-03T23:00:00-04:00", n: 5 })).toEqual(
      at("2018-11-04T03:00:00", "2018-11-04T04:00:00", "2018-11-04T05:00:00", "2018-11-04T07:00:00", "2018-11-04T08:00:00"),
    );
  });

  it("keeps 09:00 local for a daily schedule through both DST changes", () => {
    expect(nextRunTimes(cron("0 9 * * *", NY), { start: "2018-03-08T14:00:00Z", n: 5 })).toEqual(
      at("2018-03-08T14:00:00", "2018-03-09T14:00:00", "2018-03-10T14:00:00", "2018-03-11T13:00:00", "2018-03-12T13:00:00"),
    );
    expect(nextRunTimes(cron("0 9 * * *", NY), { start: "2018-11-01T13:00:00Z", n: 5 })).toEqual(
      at("2018-11-01T13:00:00", "2018-11-02T13:00:00", "2018-11-03T13:00:00", "2018-11-04T14:00:00", "2018-11-05T14:00:00"),
    );
  });

  it("runs 02:30 at 01:30 standard time on the spring-forward day and 01:30 once on the fall-back day", () => {
    // Prefect places croniter's wall times as pendulum does with fold=0: a skipped 02:30 moves back by the gap.
    expect(nextRunTimes(cron("30 2 * * *", NY), { start: "2024-03-09T00:00:00Z", n: 3 })).toEqual(
      at("2024-03-09T07:30:00", "2024-03-10T06:30:00", "2024-03-11T06:30:00"),
    );
    expect(nextRunTimes(cron("30 1 * * *", NY), { start: "2024-11-02T00:00:00Z", n: 3 })).toEqual(
      at("2024-11-02T05:30:00", "2024-11-03T05:30:00", "2024-11-04T06:30:00"),
    );
    // Starting inside the second 01:xx hour, Prefect still yields today's (first) 01:30, before the start.
    expect(nextRunTimes(cron("30 1 * * *", NY), { start: "2024-11-03T06:10:00Z", n: 2 })).toEqual(
      at("2024-11-03T05:30:00", "2024-11-04T06:30:00"),
    );
  });

  it("schedules from a start between midnight and the DST change (Prefect regression)", () => {
    expect(nextRunTimes(cron("10 0 * * *", "America/Montreal"), { start: "2023-03-12T05:10:02Z", n: 5 })).toEqual(
      at("2023-03-13T04:10:00", "2023-03-14T04:10:00", "2023-03-15T04:10:00", "2023-03-16T04:10:00", "2023-03-17T04:10:00"),
    );
  });

  it("combines day of month and day of week with OR when day_or is true, AND when false", () => {
    expect(nextRunTimes(cron("0 0 13 * fri"), { start: "2024-09-01T00:00:00Z", n: 8 })).toEqual(
      at(
        "2024-09-06T00:00:00",
        "2024-09-13T00:00:00",
        "2024-09-20T00:00:00",
        "2024-09-27T00:00:00",
        "2024-10-04T00:00:00",
        "2024-10-11T00:00:00",
        "2024-10-13T00:00:00",
        "2024-10-18T00:00:00",
      ),
    );
    expect(nextRunTimes(cron("0 0 13 * fri", null, false), { start: "2024-09-01T00:00:00Z", n: 3 })).toEqual(
      at("2024-09-13T00:00:00", "2024-12-13T00:00:00", "2025-06-13T00:00:00"),
    );
  });

  it("reads names, lists, ranges, wrapping ranges and weekday 7", () => {
    expect(nextRunTimes(cron("15,45 8 1 jan,jul *"), { start: "2024-01-01T00:00:00Z", n: 3 })).toEqual(
      at("2024-01-01T08:15:00", "2024-01-01T08:45:00", "2024-07-01T08:15:00"),
    );
    expect(nextRunTimes(cron("0 12 * * 7"), { start: "2024-09-01T00:00:00Z", n: 2 })).toEqual(at("2024-09-01T12:00:00", "2024-09-08T12:00:00"));
    expect(nextRunTimes(cron("0 0 * * FRI-MON"), { start: "2024-09-02T00:00:00Z", n: 5 })).toEqual(
      at("2024-09-02T00:00:00", "2024-09-06T00:00:00", "2024-09-07T00:00:00", "2024-09-08T00:00:00", "2024-09-09T00:00:00"),
    );
    expect(nextRunTimes(cron("30 8 * * sat-sun"), { start: "2024-09-02T00:00:00Z", n: 2 })).toEqual(at("2024-09-07T08:30:00", "2024-09-08T08:30:00"));
  });

  it("supports the last day of the month, nth weekday and last weekday", () => {
    expect(nextRunTimes(cron("0 0 L * *"), { start: "2024-01-15T00:00:00Z", n: 3 })).toEqual(
      at("2024-01-31T00:00:00", "2024-02-29T00:00:00", "2024-03-31T00:00:00"),
    );
    expect(nextRunTimes(cron("0 9 * * fri#2"), { start: "2024-09-01T00:00:00Z", n: 3 })).toEqual(
      at("2024-09-13T09:00:00", "2024-10-11T09:00:00", "2024-11-08T09:00:00"),
    );
    expect(nextRunTimes(cron("0 9 * * L5"), { start: "2024-09-01T00:00:00Z", n: 3 })).toEqual(
      at("2024-09-27T09:00:00", "2024-10-25T09:00:00", "2024-11-29T09:00:00"),
    );
  });

  it("supports aliases", () => {
    expect(nextRunTimes(cron("@hourly"), { start: "2024-01-01T00:30:00Z", n: 1 })).toEqual(at("2024-01-01T01:00:00"));
    expect(nextRunTimes(cron("@weekly"), { start: "2024-09-02T00:00:00Z", n: 1 })).toEqual(at("2024-09-08T00:00:00"));
    expect(nextRunTimes(cron("@monthly"), { start: "2024-09-02T00:00:00Z", n: 1 })).toEqual(at("2024-10-01T00:00:00"));
    expect(nextRunTimes(cron("@yearly"), { start: "2024-09-02T00:00:00Z", n: 1 })).toEqual(at("2025-01-01T00:00:00"));
    expect(nextRunTimes(cron("@DAILY"), { start: "2024-09-02T00:00:01Z", n: 1 })).toEqual(at("2024-09-03T00:00:00"));
  });

  it("supports a trailing seconds field and a year field", () => {
    expect(nextRunTimes(cron("* * * * * */20"), { start: "2024-01-01T00:00:05Z", n: 3 })).toEqual(
      at("2024-01-01T00:00:20", "2024-01-01T00:00:40", "2024-01-01T00:01:00"),
    );
    expect(nextRunTimes(cron("0 0 1 1 * 0 2030"), { start: "2024-01-01T00:00:00Z", n: 3 })).toEqual(at("2030-01-01T00:00:00"));
  });

  it("returns nothing for a date that never comes", () => {
    expect(nextRunTimes(cron("0 0 30 2 *"), { start: "2024-01-01T00:00:00Z", n: 3 })).toEqual([]);
  });

  it("answers in UTC whatever the zone of the start", () => {
    expect(nextRunTimes(cron("0 * * * *"), { start: "2020-12-31T19:00:00-05:00", n: 2 })).toEqual(at("2021-01-01T00:00:00", "2021-01-01T01:00:00"));
  });
});
