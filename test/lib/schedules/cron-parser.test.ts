import { describe, expect, it } from "vitest";
import { parseCron, validateCron } from "../../../src/lib/schedules";

describe("validateCron", () => {
  it("accepts what croniter accepts", () => {
    for (const expr of [
      "5 4 * * *",
      "@yearly",
      "@weekly",
      "@daily",
      "@hourly",
      "@annually",
      "@midnight",
      "* * * * MON",
      "30 8 * * sat-sun",
      "* * * * mon,wed,fri",
      "*/15 9-17 * jan-mar,dec 1-5",
      "0 0 ? * mon",
      "0 0 L * *",
      "0 0 15-L * *",
      "0 0 * * 7",
      "0 0 * * 5#3",
      "0 0 * * mon-wed#1",
      "0 0 * * L5",
      "* * * * * *",
      "* * * * * * 2030",
      "10/5 * * * *",
    ]) {
      expect(validateCron(expr), expr).toBeNull();
    }
  });

  it("words errors as Prefect's validator does", () => {
    expect(validateCron("invalid cron")).toBe('Invalid cron string: "invalid cron"');
    expect(validateCron("5 4 R * *")).toBe('Random and Hashed expressions are unsupported, received: "5 4 R * *"');
    expect(validateCron("5 4 H * *")).toBe('Invalid cron string: "5 4 H * *"');
  });

  it("rejects malformed expressions", () => {
    for (const expr of [
      "",
      "* * * *",
      "* * * * * * * *",
      "60 * * * *",
      "* 24 * * *",
      "* * 0 * *",
      "* * 32 * *",
      "* * * 13 *",
      "* * * * 8",
      "* * * * 7 0",
      "*/0 * * * *",
      "-5 * * * *",
      "? * * * *",
      "0 0 1? * *",
      "L * * * *",
      "0 0 * * mon#6",
      "0 0 * * mon#2,tue",
      "0 0 * * L",
      "* * * * funday",
      "0 0 1 1 * 0 1969",
    ]) {
      expect(validateCron(expr), expr).not.toBeNull();
    }
  });
});

describe("parseCron", () => {
  it("expands fields as croniter does", () => {
    const spec = parseCron("*/20 9-11 1,15 * mon-fri");
    expect(spec.minutes).toEqual([0, 20, 40]);
    expect(spec.hours).toEqual([9, 10, 11]);
    expect([...spec.daysOfMonth!.days].sort((a, b) => a - b)).toEqual([1, 15]);
    expect([...spec.daysOfWeek!].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(spec.months).toBeNull();
    expect(spec.seconds).toEqual([0]);
  });

  it("treats a same-value range as the whole field, like croniter", () => {
    expect(parseCron("5-5 * * * *").minutes).toHaveLength(60);
  });

  it("keeps a full day-of-month list restricted when the weekday field is not a wildcard", () => {
    expect(parseCron("0 0 1-31 * *").daysOfMonth).toBeNull();
    expect(parseCron("0 0 1-31 * mon").daysOfMonth).not.toBeNull();
  });
});
