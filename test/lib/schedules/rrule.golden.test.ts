/**
 * The RRULE port against Python: test/goldens/rrule.json holds what Prefect 3.8.3's server answers
 * (dateutil's rrulestr inside its RRuleSchedule procedure), written by scripts/goldens/rrule.py —
 * see that script to refresh it.
 */
import { describe, expect, it } from "vitest";
import golden from "../../goldens/rrule.json";
import { nextRunTimes, normalizeRRuleString, parseInstant, validateRRule } from "../../../src/lib/schedules";

type Case =
  | { kind: "validate"; rrule: string; expected: { error: string | null } | { raises: string } }
  | { kind: "dates"; rrule: string; timezone: string; start: string; end?: string; n: number; expected: { dates: string[] } | { error: string } }
  | { kind: "normalize"; rrule: string; timezone: string | null; now: string; expected: { rrule: string } };

const cases = golden.cases as Case[];

/** Rules dateutil accepts but cannot schedule; we refuse them when they are stored. */
const REFUSED_ON_PURPOSE: Record<string, string> = {
  "FREQ=DAILY;INTERVAL=0": "dateutil's iteration never ends (Prefect's scheduler hangs)",
  "FREQ=DAILY;INTERVAL=-1": "dateutil's iteration runs backwards until it fails",
  "FREQ=HOURLY;BYHOUR=24": "dateutil raises TypeError when iterating",
  "FREQ=MINUTELY;BYSECOND=60": "dateutil raises ValueError when iterating",
  "FREQ=SECONDLY;BYMINUTE=60": "dateutil raises ValueError when iterating",
};

/**
 * dateutil's tzfile reads only a zone file's first (32-bit) table, whose transitions end in 2037;
 * after it every date gets the zone's standard offset, so Prefect shifts summer dates of later
 * years by the DST amount. We keep the zone's real rules: those dates are compared up to 2037 only.
 */
const PAST_2037 = "2038-01-19T03:14:08.000000Z";
const of = <K extends Case["kind"]>(kind: K) => cases.filter((c): c is Extract<Case, { kind: K }> => c.kind === kind);
const short = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);

describe("rrule port against Python's answers", () => {
  it("has a few hundred cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  it.each(of("validate").map((c) => [short(c.rrule), c] as const))("validates %s", (_, c) => {
    if ("raises" in c.expected) {
      // dateutil raises something other than ValueError here (IndexError, TypeError), which
      // Prefect's validator does not catch: its server answers 500. We refuse the string instead.
      expect(validateRRule(c.rrule)).toMatch(/^Invalid RRule string /);
      return;
    }
    if (c.rrule in REFUSED_ON_PURPOSE) {
      expect(c.expected.error, REFUSED_ON_PURPOSE[c.rrule]).toBeNull();
      expect(validateRRule(c.rrule)).toMatch(/^Invalid RRule string /);
      return;
    }
    expect(validateRRule(c.rrule)).toBe(c.expected.error);
  });

  it.each(of("dates").map((c) => [`${short(c.rrule)} ${c.timezone} from ${c.start}${c.end ? ` to ${c.end}` : ""} n=${c.n}`, c] as const))(
    "next times of %s",
    (_, c) => {
      const run = () => nextRunTimes({ rrule: c.rrule, timezone: c.timezone }, { start: c.start, end: c.end, n: c.n });
      if ("error" in c.expected) {
        // Refused by validation too, so Prefect never stores such a rule.
        expect(run).toThrow();
        return;
      }
      const dates = run();
      expect(dates.length).toBe(c.expected.dates.length);
      const until2037 = (list: string[]) => (c.timezone === "UTC" ? list : list.filter((d) => d < PAST_2037));
      expect(until2037(dates)).toEqual(until2037(c.expected.dates));
    },
  );

  it.each(of("normalize").map((c) => [`${short(c.rrule)} ${c.timezone} at ${c.now}`, c] as const))("normalizes %s", (_, c) => {
    expect(normalizeRRuleString(c.rrule, { now: parseInstant(c.now), timezone: c.timezone })).toBe(c.expected.rrule);
  });
});
