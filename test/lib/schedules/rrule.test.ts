import { describe, expect, it } from "vitest";
import { nextRunTimes, normalizeRRuleString, parseInstant, validateRRule } from "../../../src/lib/schedules";
import type { RRuleSchedule } from "../../../src/lib/schedules/types";

const NY = "America/New_York";
const rrule = (text: string, timezone: string | null = "UTC"): RRuleSchedule => ({ rrule: text, timezone });
const at = (...isos: string[]) => isos.map((iso) => `${iso}.000000Z`);
const next = (text: string, start: string, n: number, timezone: string | null = "UTC", end?: string) =>
  nextRunTimes(rrule(text, timezone), { start, n, end });

describe("rrule schedules", () => {
  it("anchors rules without DTSTART at 2020-01-01T00:00 local", () => {
    expect(next("FREQ=DAILY", "2024-01-01T12:00:00Z", 2)).toEqual(at("2024-01-02T00:00:00", "2024-01-03T00:00:00"));
    expect(next("RRULE:FREQ=DAILY", "2024-01-01T00:00:00Z", 1, NY)).toEqual(at("2024-01-01T05:00:00"));
  });

  it("keeps local wall-clock times through DST", () => {
    expect(next("DTSTART:20180308T090000\nRRULE:FREQ=DAILY", "2018-03-08T14:00:00Z", 5, NY)).toEqual(
      at("2018-03-08T14:00:00", "2018-03-09T14:00:00", "2018-03-10T14:00:00", "2018-03-11T13:00:00", "2018-03-12T13:00:00"),
    );
    expect(next("DTSTART:20181103T230000\nRRULE:FREQ=HOURLY", "2018-11-04T03:00:00Z", 5, NY)).toEqual(
      at("2018-11-04T03:00:00", "2018-11-04T04:00:00", "2018-11-04T05:00:00", "2018-11-04T07:00:00", "2018-11-04T08:00:00"),
    );
    expect(next("DTSTART:20180310T230000\nRRULE:FREQ=HOURLY", "2018-03-11T04:00:00Z", 5, NY)).toEqual(
      at("2018-03-11T04:00:00", "2018-03-11T05:00:00", "2018-03-11T06:00:00", "2018-03-11T07:00:00", "2018-03-11T08:00:00"),
    );
  });

  it("reads a skipped local time with the offset after the jump, as dateutil does", () => {
    expect(next("DTSTART:20240101T023000\nRRULE:FREQ=DAILY", "2024-03-09T00:00:00Z", 3, NY)).toEqual(
      at("2024-03-09T07:30:00", "2024-03-10T06:30:00", "2024-03-11T06:30:00"),
    );
  });

  it("uses the schedule's timezone, not DTSTART's TZID or Z", () => {
    expect(next("DTSTART;TZID=Europe/Berlin:20240101T090000\nRRULE:FREQ=DAILY", "2024-01-01T00:00:00Z", 1, NY)).toEqual(at("2024-01-01T14:00:00"));
    expect(next("DTSTART:20240101T090000Z\nRRULE:FREQ=DAILY", "2024-01-01T00:00:00Z", 1, NY)).toEqual(at("2024-01-01T14:00:00"));
  });

  it("supports BYDAY ordinals", () => {
    expect(next("DTSTART:20240101T090000\nRRULE:FREQ=MONTHLY;BYDAY=1MO", "2024-01-01T00:00:00Z", 3)).toEqual(
      at("2024-01-01T09:00:00", "2024-02-05T09:00:00", "2024-03-04T09:00:00"),
    );
    expect(next("DTSTART:20240101T090000\nRRULE:FREQ=MONTHLY;BYDAY=-1FR", "2024-01-01T00:00:00Z", 3)).toEqual(
      at("2024-01-26T09:00:00", "2024-02-23T09:00:00", "2024-03-29T09:00:00"),
    );
    expect(next("DTSTART:20240101T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "2024-01-01T00:00:00Z", 3)).toEqual(
      at("2024-03-31T02:00:00", "2025-03-30T02:00:00", "2026-03-29T02:00:00"),
    );
  });

  it("supports BYSETPOS", () => {
    const weekdays = "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR";
    expect(next(`DTSTART:20240101T170000\n${weekdays};BYSETPOS=-1`, "2024-01-01T00:00:00Z", 3)).toEqual(
      at("2024-01-31T17:00:00", "2024-02-29T17:00:00", "2024-03-29T17:00:00"),
    );
    expect(next(`DTSTART:20240101T170000\n${weekdays};BYSETPOS=2`, "2024-01-01T00:00:00Z", 3)).toEqual(
      at("2024-01-02T17:00:00", "2024-02-02T17:00:00", "2024-03-04T17:00:00"),
    );
  });

  it("counts COUNT from DTSTART and stops at UNTIL inclusively", () => {
    expect(next("DTSTART:20240101T000000\nRRULE:FREQ=WEEKLY;COUNT=3", "2024-01-10T00:00:00Z", 10)).toEqual(at("2024-01-15T00:00:00"));
    expect(next("DTSTART:20240101T000000\nRRULE:FREQ=DAILY;UNTIL=20240103T000000", "2023-12-01T00:00:00Z", 10)).toEqual(
      at("2024-01-01T00:00:00", "2024-01-02T00:00:00", "2024-01-03T00:00:00"),
    );
    expect(next("DTSTART:20240101T000000Z\nRRULE:FREQ=DAILY;UNTIL=20240102T000000Z", "2023-12-01T00:00:00Z", 10)).toEqual(
      at("2024-01-01T00:00:00", "2024-01-02T00:00:00"),
    );
  });

  it("supports INTERVAL, negative BYMONTHDAY, BYWEEKNO and yearly defaults", () => {
    expect(next("DTSTART:20240101T000000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR", "2024-01-01T00:00:00Z", 4)).toEqual(
      at("2024-01-01T00:00:00", "2024-01-05T00:00:00", "2024-01-15T00:00:00", "2024-01-19T00:00:00"),
    );
    expect(next("DTSTART:20240101T000000\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1", "2024-01-01T00:00:00Z", 3)).toEqual(
      at("2024-01-31T00:00:00", "2024-02-29T00:00:00", "2024-03-31T00:00:00"),
    );
    expect(next("DTSTART:20240131T000000\nRRULE:FREQ=MONTHLY", "2024-01-01T00:00:00Z", 3)).toEqual(
      at("2024-01-31T00:00:00", "2024-03-31T00:00:00", "2024-05-31T00:00:00"),
    );
    expect(next("DTSTART:20240101T000000\nRRULE:FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO", "2024-01-01T00:00:00Z", 3)).toEqual(
      at("2024-01-01T00:00:00", "2024-12-30T00:00:00", "2025-12-29T00:00:00"),
    );
    expect(next("DTSTART:20200229T120000\nRRULE:FREQ=YEARLY", "2021-01-01T00:00:00Z", 2)).toEqual(
      at("2024-02-29T12:00:00", "2028-02-29T12:00:00"),
    );
  });

  it("applies RDATE, EXDATE and EXRULE", () => {
    expect(next("DTSTART:20240101T090000\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE:20240102T090000\nRDATE:20240110T090000", "2024-01-01T00:00:00Z", 10)).toEqual(
      at("2024-01-01T09:00:00", "2024-01-03T09:00:00", "2024-01-10T09:00:00"),
    );
    expect(next("DTSTART:20240101T000000\nRRULE:FREQ=DAILY;COUNT=7\nEXRULE:FREQ=WEEKLY;BYDAY=SA,SU", "2024-01-01T00:00:00Z", 10)).toEqual(
      at("2024-01-01T00:00:00", "2024-01-02T00:00:00", "2024-01-03T00:00:00", "2024-01-04T00:00:00", "2024-01-05T00:00:00"),
    );
  });

  it("jumps ahead through high-frequency rules anchored long ago", () => {
    // 2,322,720 minutes separate 2020-01-01 and 2024-06-01; the 7-minute grid lands a minute before.
    expect(next("FREQ=MINUTELY;INTERVAL=7", "2024-06-01T00:00:00Z", 2)).toEqual(at("2024-06-01T00:06:00", "2024-06-01T00:13:00"));
    expect(next("FREQ=SECONDLY;INTERVAL=30;BYHOUR=9", "2024-06-01T00:00:00Z", 2)).toEqual(at("2024-06-01T09:00:00", "2024-06-01T09:00:30"));
  });

  it("stops at end", () => {
    expect(next("FREQ=HOURLY", "2024-01-01T00:00:00Z", 10, "UTC", "2024-01-01T02:00:00Z")).toEqual(
      at("2024-01-01T00:00:00", "2024-01-01T01:00:00", "2024-01-01T02:00:00"),
    );
  });
});

describe("validateRRule", () => {
  it("accepts rules and rule sets dateutil accepts", () => {
    for (const text of [
      "FREQ=DAILY",
      "RRULE:FREQ=DAILY",
      "FREQ=WEEKLY;BYDAY=MO,WE,FR;INTERVAL=2",
      "DTSTART:20240101T090000\nRRULE:FREQ=MONTHLY;BYDAY=-1FR",
      "DTSTART;TZID=America/New_York:20240101T090000\nRRULE:FREQ=DAILY;UNTIL=20240201T000000Z",
      "DTSTART:20240101T090000\nRRULE:FREQ=DAILY;COUNT=5\nEXDATE:20240102T090000",
      "freq=daily;byhour=9,17",
      "FREQ=MONTHLY;BYDAY=MO(+1)",
    ]) {
      expect(validateRRule(text), text).toBeNull();
    }
  });

  it("rejects malformed rules with Prefect's message shape", () => {
    expect(validateRRule("FREQ=SOMETIMES")).toBe(`Invalid RRule string "FREQ=SOMETIMES": invalid 'FREQ': SOMETIMES`);
    expect(validateRRule("FREQ=DAILY;FOO=1")).toBe(`Invalid RRule string "FREQ=DAILY;FOO=1": unknown parameter 'FOO'`);
    for (const text of [
      "",
      "INTERVAL=2",
      "FREQ=DAILY;",
      "FREQ=DAILY;UNTIL=20240101T000000Z",
      "DTSTART:20240101T000000Z\nRRULE:FREQ=DAILY;UNTIL=20240102T000000",
      "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0",
      "FREQ=DAILY;BYHOUR=24",
      "FREQ=MONTHLY;BYDAY=0MO",
      "FREQ=MONTHLY;BYDAY=XX",
      "FREQ=HOURLY;INTERVAL=2;BYHOUR=3",
      "X-FOO:BAR\nRRULE:FREQ=DAILY",
      "DTSTART:20240101T000000",
      "DTSTART:20241301T000000\nRRULE:FREQ=DAILY",
    ]) {
      expect(validateRRule(text), text).toMatch(/^Invalid RRule string/);
    }
  });

  it("limits the length", () => {
    const long = `DTSTART:20240101T000000\nRRULE:FREQ=DAILY\nRDATE:${Array.from({ length: 500 }, () => "20240101T000000").join(",")}`;
    expect(validateRRule(long)).toBe(`Invalid RRule string "${long.slice(0, 40)}..."\nMax length is 6500, got ${long.length}`);
  });
});

describe("normalizeRRuleString", () => {
  const now = parseInstant("2024-06-01T00:00:00Z");

  it("gives rules without DTSTART Prefect's 2020 anchor", () => {
    expect(normalizeRRuleString("FREQ=DAILY", { now })).toBe("DTSTART:20200101T000000\nFREQ=DAILY");
    expect(normalizeRRuleString("FREQ=MINUTELY;COUNT=5", { now })).toBe("DTSTART:20200101T000000\nFREQ=MINUTELY;COUNT=5");
  });

  it("moves high-frequency anchors to the latest phase-equivalent start", () => {
    expect(normalizeRRuleString("FREQ=MINUTELY;INTERVAL=7", { now })).toBe("DTSTART:20240531T235900\nFREQ=MINUTELY;INTERVAL=7");
    expect(normalizeRRuleString("FREQ=MINUTELY;INTERVAL=7", { now, timezone: NY })).toBe("DTSTART:20240531T195400\nFREQ=MINUTELY;INTERVAL=7");
  });

  it("leaves anchored or invalid text alone", () => {
    expect(normalizeRRuleString("DTSTART:20240101T000000\nRRULE:FREQ=DAILY", { now })).toBe("DTSTART:20240101T000000\nRRULE:FREQ=DAILY");
    expect(normalizeRRuleString("FREQ=NEVER", { now })).toBe("FREQ=NEVER");
  });
});

describe("rules that never match", () => {
  it("give up quietly", () => {
    expect(next("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "2024-01-01T00:00:00Z", 3)).toEqual([]);
    expect(next("DTSTART:20240101T000000\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3", "2024-01-01T00:00:00Z", 3)).toEqual([]);
  });
});
