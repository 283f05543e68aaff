/**
 * The Jinja port against Python: test/goldens/jinja.json holds what Prefect 3.8.3's
 * validate_user_template answers (jinja2's sandboxed parser plus its for-loop limits), written by
 * scripts/goldens/jinja.py — see that script to refresh it. These cases are the check alone
 * (rendering has its own goldens: jinja.render.golden.test.ts): each template's error message and
 * line, or none.
 */
import { describe, expect, it } from "vitest";
import golden from "../goldens/jinja.json";
import { templateError } from "../../src/lib/jinja";

interface Case {
  template: string;
  expected: { error: { message: string; lineno: number } | null };
}

const cases = golden.cases as Case[];

/**
 * jinja2 before 3.1.5 refuses these, 3.1.6 (Prefect's) parses them: a namespace attribute may stand
 * inside a `set`/`for` target tuple. Kept for goldens written by an older jinja2.
 */
const NEWER_JINJA_ACCEPTS = new Set(["{% set a.b, c = 1 %}"]);

const short = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);

describe("Jinja port against Python's answers", () => {
  it("has a few hundred cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  it.each(cases.map((c) => [short(c.template), c] as const))("checks %s", (_, c) => {
    const error = templateError(c.template);
    if (NEWER_JINJA_ACCEPTS.has(c.template) && golden.oracle.includes("jinja2 3.1.2")) {
      expect(c.expected.error).not.toBeNull();
      expect(error).toBeNull();
      return;
    }
    expect(error && { message: error.message, lineno: error.lineno }).toEqual(c.expected.error);
  });
});
