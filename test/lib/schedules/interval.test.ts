import { describe, expect, it } from "vitest";
import { nextRunTimes } from "../../../src/lib/schedules";
import type { IntervalSchedule } from "../../../src/lib/schedules/types";

const DAY = 86_400;
const NY = "America/New_York";
const every = (interval: number, anchor_date: string, timezone: string | null = null): IntervalSchedule => ({ interval, anchor_date, timezone });

describe("interval schedules", () => {
  it("steps from the anchor, starting at or after start", () => {
    expect(nextRunTimes(every(DAY, "2021-01-01T00:00:00Z"), { start: "2021-02-02T00:00:00Z", n: 3 })).toEqual([
      "2021-02-02T00:00:00.000000Z",
      "2021-02-03T00:00:00.000000Z",
      "2021-02-04T00:00:00.000000Z",
    ]);
    expect(nextRunTimes(every(DAY, "2020-02-02T23:35:00Z"), { start: "2021-07-01T00:00:00Z", n: 2 })).toEqual([
      "2021-07-01T23:35:00.000000Z",
      "2021-07-02T23:35:00.000000Z",
    ]);
  });

  it("counts backwards from an anchor in the future", () => {
    expect(nextRunTimes(every(17 * 3600, "2030-02-02T05:24:00Z"), { start: "2021-07-01T00:00:00Z", n: 3 })).toEqual([
      "2021-07-01T07:24:00.000000Z",
      "2021-07-02T00:24:00.000000Z",
      "2021-07-02T17:24:00.000000Z",
    ]);
  });

  it("stops at end, inclusively", () => {
    expect(nextRunTimes(every(3600, "2024-01-01T00:00:00Z"), { start: "2024-01-01T00:00:00Z", end: "2024-01-01T03:00:00Z", n: 10 })).toEqual([
      "2024-01-01T00:00:00.000000Z",
      "2024-01-01T01:00:00.000000Z",
      "2024-01-01T02:00:00.000000Z",
      "2024-01-01T03:00:00.000000Z",
    ]);
  });

  it("keeps fractional seconds and microseconds", () => {
    expect(nextRunTimes(every(0.5, "2024-01-01T00:00:00.250000Z"), { start: "2024-01-01T00:00:01Z", n: 3 })).toEqual([
      "2024-01-01T00:00:01.250000Z",
      "2024-01-01T00:00:01.750000Z",
      "2024-01-01T00:00:02.250000Z",
    ]);
  });

  it("keeps 09:00 local through spring-forward and fall-back for daily intervals", () => {
    expect(nextRunTimes(every(DAY, "2018-03-08T09:00:00-05:00", NY), { start: "2018-03-08T14:00:00Z", n: 5 })).toEqual([
      "2018-03-08T14:00:00.000000Z",
      "2018-03-09T14:00:00.000000Z",
      "2018-03-10T14:00:00.000000Z",
      "2018-03-11T13:00:00.000000Z",
      "2018-03-12T13:00:00.000000Z",
    ]);
    expect(nextRunTimes(every(DAY, "2018-11-01T09:00:00-04:00", NY), { start: "2018-11-01T13:00:00Z", n: 5 })).toEqual([
      "2018-11-01T13:00:00.000000Z",
      "2018-11-02T13:00:00.000000Z",
      "2018-11-03T13:00:00.000000Z",
      "2018-11-04T14:00:00.000000Z",
      "2018-11-05T14:00:00.000000Z",
    ]);
  });

  it("keeps the local hour even when the anchor lies in the other DST season", () => {
    expect(nextRunTimes(every(DAY, "2024-01-01T09:00:00-05:00", NY), { start: "2024-07-01T12:00:00Z", n: 2 })).toEqual([
      "2024-07-01T13:00:00.000000Z",
      "2024-07-02T13:00:00.000000Z",
    ]);
  });

  it("moves a daily 02:30 past the spring-forward gap and fires a repeated 01:30 once", () => {
    expect(nextRunTimes(every(DAY, "2024-01-01T02:30:00-05:00", NY), { start: "2024-03-09T00:00:00Z", n: 3 })).toEqual([
      "2024-03-09T07:30:00.000000Z",
      "2024-03-10T07:30:00.000000Z",
      "2024-03-11T06:30:00.000000Z",
    ]);
    expect(nextRunTimes(every(DAY, "2024-11-01T01:30:00-04:00", NY), { start: "2024-11-01T05:30:00Z", n: 4 })).toEqual([
      "2024-11-01T05:30:00.000000Z",
      "2024-11-02T05:30:00.000000Z",
      "2024-11-03T05:30:00.000000Z",
      "2024-11-04T06:30:00.000000Z",
    ]);
  });

  it("steps hourly intervals in elapsed time across DST", () => {
    const hourly = every(3600, "2018-01-01T00:00:00Z", NY);
    expect(nextRunTimes(hourly, { start: "2018-03-10T23:00:00-05:00", n: 5 })).toEqual([
      "2018-03-11T04:00:00.000000Z",
      "2018-03-11T05:00:00.000000Z",
      "2018-03-11T06:00:00.000000Z",
      "2018-03-11T07:00:00.000000Z",
      "2018-03-11T08:00:00.000000Z",
    ]);
    expect(nextRunTimes(hourly, { start: "2018-11-03T23:00:00-04:00", n: 5 })).toEqual([
      "2018-11-04T03:00:00.000000Z",
      "2018-11-04T04:00:00.000000Z",
      "2018-11-04T05:00:00.000000Z",
      "2018-11-04T06:00:00.000000Z",
      "2018-11-04T07:00:00.000000Z",
    ]);
  });

  it("treats a missing timezone as UTC and a naive anchor as local to the timezone", () => {
    expect(nextRunTimes(every(DAY, "2024-03-09T09:00:00-05:00"), { start: "2024-03-09T00:00:00Z", n: 3 })).toEqual([
      "2024-03-09T14:00:00.000000Z",
      "2024-03-10T14:00:00.000000Z",
      "2024-03-11T14:00:00.000000Z",
    ]);
    expect(nextRunTimes(every(DAY, "2024-01-01T09:00:00", NY), { start: "2024-01-01T00:00:00Z", n: 1 })).toEqual(["2024-01-01T14:00:00.000000Z"]);
  });

  it("returns nothing for n = 0 or a non-positive interval", () => {
    expect(nextRunTimes(every(DAY, "2024-01-01T00:00:00Z"), { start: "2024-01-01T00:00:00Z", n: 0 })).toEqual([]);
    expect(nextRunTimes(every(0, "2024-01-01T00:00:00Z"), { start: "2024-01-01T00:00:00Z", n: 3 })).toEqual([]);
  });
});
