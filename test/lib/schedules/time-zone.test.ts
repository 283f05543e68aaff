import { describe, expect, it } from "vitest";
import { isValidTimezone, offsetAt, toWall, wallToInstant } from "../../../src/lib/schedules/time-zone";
import { formatInstant, formatPythonDatetime, parseInstant } from "../../../src/lib/schedules/instant";

const NY = "America/New_York";
const wall = (iso: string) => Date.parse(`${iso}Z`);

describe("isValidTimezone", () => {
  it("accepts IANA names as zoneinfo spells them", () => {
    for (const tz of ["America/New_York", "UTC", "Europe/Amsterdam", "Asia/Tokyo", "Etc/GMT+5", "US/Pacific"]) {
      expect(isValidTimezone(tz), tz).toBe(true);
    }
  });

  it("rejects unknown names, wrong case, offsets and non-strings", () => {
    for (const tz of ["fake", "america/new_york", "+05:00", "-04:00", "", "Mars/Olympus_Mons", null, 5]) {
      expect(isValidTimezone(tz), String(tz)).toBe(false);
    }
  });
});

describe("zone arithmetic", () => {
  it("knows standard and daylight offsets", () => {
    expect(offsetAt(Date.parse("2024-01-15T12:00:00Z"), NY)).toBe(-5 * 3600_000);
    expect(offsetAt(Date.parse("2024-07-15T12:00:00Z"), NY)).toBe(-4 * 3600_000);
    expect(toWall(Date.parse("2024-07-15T12:00:00Z"), NY)).toBe(wall("2024-07-15T08:00:00"));
  });

  it("maps a skipped local time forward or backward by the jump", () => {
    expect(new Date(wallToInstant(wall("2024-03-10T02:30:00"), NY, "forward")).toISOString()).toBe("2024-03-10T07:30:00.000Z");
    expect(new Date(wallToInstant(wall("2024-03-10T02:30:00"), NY, "backward")).toISOString()).toBe("2024-03-10T06:30:00.000Z");
  });

  it("maps a repeated local time to its first occurrence", () => {
    for (const gap of ["forward", "backward"] as const) {
      expect(new Date(wallToInstant(wall("2024-11-03T01:30:00"), NY, gap)).toISOString()).toBe("2024-11-03T05:30:00.000Z");
    }
    expect(new Date(wallToInstant(wall("2024-11-03T02:30:00"), NY, "forward")).toISOString()).toBe("2024-11-03T07:30:00.000Z");
  });
});

describe("instants", () => {
  it("reads offsets, Z, microseconds and naive times in a zone", () => {
    expect(formatInstant(parseInstant("2024-01-01T09:00:00-05:00"))).toBe("2024-01-01T14:00:00.000000Z");
    expect(formatInstant(parseInstant("2024-01-01T00:00:00.123456Z"))).toBe("2024-01-01T00:00:00.123456Z");
    expect(formatInstant(parseInstant("2024-01-01T09:00:00", NY))).toBe("2024-01-01T14:00:00.000000Z");
    expect(formatInstant(parseInstant("2024-01-01 09:00:00+00:00"))).toBe("2024-01-01T09:00:00.000000Z");
    expect(formatInstant(parseInstant(new Date("2024-01-01T00:00:00.5Z")))).toBe("2024-01-01T00:00:00.500000Z");
  });

  it("prints datetimes as Python's str() does", () => {
    expect(formatPythonDatetime(parseInstant("2024-03-10T13:00:00Z"), NY)).toBe("2024-03-10 09:00:00-04:00");
    expect(formatPythonDatetime(parseInstant("2024-01-01T00:00:00Z"), "UTC")).toBe("2024-01-01 00:00:00+00:00");
    expect(formatPythonDatetime(parseInstant("2024-01-01T00:00:00.25Z"), "UTC")).toBe("2024-01-01 00:00:00.250000+00:00");
    expect(formatPythonDatetime(parseInstant("2024-01-01T00:00:00Z"), "Asia/Kolkata")).toBe("2024-01-01 05:30:00+05:30");
  });
});
