import { describe, expect, it } from "vitest";
import goldens from "../../goldens/fnmatch.json";
import { eventPattern, fnmatch, labelMatches } from "../../../src/events/automations/matching";

/** Python's fnmatchcase and Prefect's event-name regex are the oracle (scripts/goldens/fnmatch_globs.py). */
describe("globs as Python answers them", () => {
  it("fnmatchcase", () => {
    const wrong = goldens.globs.filter((c) => fnmatch(c.value, c.pattern) !== c.fnmatch);
    expect(wrong).toEqual([]);
  });

  it("Prefect's expect/after regex (escaped, * → .+, anchored at the start only)", () => {
    const wrong = goldens.globs.filter((c) => eventPattern({ type: "event", expect: [c.pattern] }).test(c.value) !== c.regex);
    expect(wrong).toEqual([]);
  });

  it("label values with ! negation; a missing label never matches", () => {
    const wrong = goldens.labels.filter((c) => labelMatches(c.expected, c.value) !== c.matches);
    expect(wrong).toEqual([]);
  });
});
