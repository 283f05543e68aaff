/**
 * Datetime fields against pydantic: test/goldens/datetime.json holds what Prefect 3.8.3's server
 * makes of a JSON value sent for a datetime field (pydantic 2's lax datetime, naive read as UTC),
 * written by scripts/goldens/datetime.py — see that script to refresh it. Each case: the accepted
 * value as Prefect echoes it (pydantic's JSON form) and stores it (UTC), or pydantic's error.
 */
import { describe, expect, it } from "vitest";
import golden from "../goldens/datetime.json";
import { datetimeUtc, parseDatetime } from "../../src/lib/datetime";

interface Case {
  input: string;
  expected: { json: string; utc: string | null } | { error: { type: string; msg: string; ctx?: { error: string } } };
}

const cases = golden.cases as Case[];
const short = (text: string) => (text.length > 70 ? `${text.slice(0, 70)}…` : text);

describe("datetime fields against pydantic's answers", () => {
  it("has a few hundred cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
  });

  it.each(cases.map((c) => [short(c.input), c] as const))("reads %s", (_, c) => {
    const r = parseDatetime(JSON.parse(c.input));
    if ("error" in c.expected) {
      expect(r.ok ? { accepted: r.json } : { type: r.error.type, msg: r.error.msg, ctx: r.error.error === undefined ? undefined : { error: r.error.error } }).toEqual(
        c.expected.error,
      );
      return;
    }
    expect(r.ok && r.json).toBe(c.expected.json);
    if (r.ok && c.expected.utc !== null) expect(datetimeUtc(r.fields)).toBe(c.expected.utc);
  });
});
