/**
 * The cron port against Python: test/goldens/cron.json holds what Prefect 3.8.3's server answers
 * (its vendored croniter, its CronSchedule.get_dates procedure), written by
 * scripts/goldens/cron.py — see that script to refresh it.
 */
import { describe, expect, it } from "vitest";
import golden from "../../goldens/cron.json";
import { nextRunTimes, validateCron } from "../../../src/lib/schedules";

type Case =
  | { kind: "validate"; cron: string; expected: { error: string | null } }
  | {
      kind: "dates";
      cron: string;
      timezone: string | null;
      day_or: boolean;
      start: string;
      end?: string;
      n: number;
      expected: { dates: string[]; error?: string };
    };

const cases = golden.cases as Case[];

function label(c: Case): string {
  if (c.kind === "validate") return JSON.stringify(c.cron);
  return `${JSON.stringify(c.cron)} ${c.timezone ?? "-"} day_or=${c.day_or} from ${c.start}${c.end ? ` to ${c.end}` : ""} n=${c.n}`;
}

describe("cron port against Python's answers", () => {
  it("has a few hundred cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  it.each(cases.filter((c) => c.kind === "validate").map((c) => [label(c), c] as const))("validates %s", (_, c) => {
    expect(validateCron(c.cron)).toBe(c.expected.error);
  });

  it.each(cases.filter((c) => c.kind === "dates").map((c) => [label(c), c] as const))("next times of %s", (_, c) => {
    if (c.kind !== "dates") return;
    // Where croniter raised (nothing matches within 50 years of the last match), Prefect's get_dates
    // fails and its scheduler pass with it; our port deliberately ends the occurrences there, so
    // one exhausted schedule cannot stop the scheduler. The dates before the error still match.
    const dates = nextRunTimes({ cron: c.cron, timezone: c.timezone, day_or: c.day_or }, { start: c.start, end: c.end, n: c.n });
    expect(dates).toEqual(c.expected.dates);
  });
});
