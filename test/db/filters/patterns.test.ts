import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sql, type SQL } from "drizzle-orm";
import { getDb } from "../../../src/db/client";
import { limitCheckedD1 } from "../../../src/lib/d1-limits/checked-d1";
import { everyMatches, GLOB, LIKE, matches, someMatches, type PatternSyntax } from "../../../src/db/filters/patterns";

/**
 * Patterns of any length mean what SQLite's LIKE/GLOB make of them. SQLite refuses patterns over
 * 50 bytes (D1 sets that limit, locally too, but only when a row reaches the comparison), so the
 * oracle is a regular expression with LIKE's and GLOB's meaning; ours run through the
 * limit-checked binding, which refuses any statement handing D1 a longer pattern.
 */
const checked = getDb(limitCheckedD1(env.DB));

const foldAscii = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
function oracle(pattern: string, syntax: PatternSyntax): (text: string | null) => boolean {
  const body = [...(syntax.caseInsensitive ? foldAscii(pattern) : pattern)]
    .map((ch) => (ch === syntax.many ? ".*" : ch === syntax.one ? "." : ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  const re = new RegExp(`^${body}$`, "su");
  return (text) => text !== null && re.test(syntax.caseInsensitive ? foldAscii(text) : text);
}
const expected = (test: (text: string | null) => boolean) => TEXTS.flatMap((t, i) => (test(t) ? [i] : []));

let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = (s: string) => s[Math.floor(random() * s.length)];
const word = (alphabet: string, max: number) => Array.from({ length: Math.floor(random() * (max + 1)) }, () => pick(alphabet)).join("");

const PAD = "Lorem-ipsum-dolor-sit-amet-consectetur-adipiscing-elit"; // 54 bytes: pushes a pattern past 50
const TEXTS: (string | null)[] = [null, "", PAD, PAD.toLowerCase(), `${PAD}${PAD}`];
for (let i = 0; i < 60; i++) TEXTS.push(`${word("aAbé", 6)}${random() < 0.5 ? PAD : ""}${word("aAbé", 6)}`);

async function hits(cond: (x: SQL) => SQL): Promise<number[]> {
  const rows = await checked.all<{ key: number }>(sql`SELECT key FROM json_each(${JSON.stringify(TEXTS)}) AS src WHERE ${cond(sql`src.value`)} ORDER BY key`);
  return rows.map((r) => r.key);
}

function randomPattern(syntax: PatternSyntax): string {
  const alphabet = `aAbé[${syntax.many}${syntax.one}`;
  const parts = [word(alphabet, 4), random() < 0.7 ? PAD.slice(0, Math.floor(random() * PAD.length)) : "", word(alphabet, 4)];
  if (random() < 0.3) parts.push(syntax.many, PAD.slice(10, 30).toUpperCase());
  return parts.join("");
}

describe.each([
  ["LIKE", LIKE],
  ["GLOB", GLOB],
] as const)("%s patterns of any length", (_name, syntax) => {
  it("match what SQLite's own operator matches", async () => {
    const failures: string[] = [];
    for (let i = 0; i < 150; i++) {
      const pattern = randomPattern(syntax);
      const ours = await hits((x) => matches(x, pattern, syntax));
      const theirs = expected(oracle(pattern, syntax));
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) failures.push(`${pattern}: ${ours} vs ${theirs}`);
    }
    expect(failures).toEqual([]);
  });

  it("in lists, negated or not, any or every", async () => {
    const failures: string[] = [];
    for (let i = 0; i < 40; i++) {
      const items = Array.from({ length: 1 + Math.floor(random() * 4) }, () => ({ pattern: randomPattern(syntax), negated: random() < 0.3 }));
      const tests = items.map((it) => {
        const test = oracle(it.pattern, syntax);
        return (t: string | null) => t !== null && test(t) !== !!it.negated;
      });
      const anyOurs = await hits((x) => someMatches(x, items, syntax));
      const anyTheirs = expected((t) => tests.some((test) => test(t)));
      if (JSON.stringify(anyOurs) !== JSON.stringify(anyTheirs)) failures.push(`some ${JSON.stringify(items)}: ${anyOurs} vs ${anyTheirs}`);
      const patterns = items.map((it) => it.pattern);
      const allOurs = await hits((x) => everyMatches(x, patterns, syntax));
      const allTheirs = expected((t) => patterns.every((p) => oracle(p, syntax)(t)));
      if (JSON.stringify(allOurs) !== JSON.stringify(allTheirs)) failures.push(`every ${JSON.stringify(patterns)}: ${allOurs} vs ${allTheirs}`);
    }
    expect(failures).toEqual([]);
  });
});

describe("a 49 000-character pattern", () => {
  const long = "ab".repeat(24_500);
  it("without wildcards", async () => {
    const texts = [`x${long}y`, `x${long.toUpperCase()}`, long.slice(1)];
    const rows = await checked.all<{ key: number }>(sql`SELECT key FROM json_each(${JSON.stringify(texts)}) AS src WHERE ${matches(sql`src.value`, `%${long}%`, LIKE)}`);
    expect(rows.map((r) => r.key)).toEqual([0, 1]);
  });
  it("with wildcards", async () => {
    const pattern = `%${long.slice(0, 20_000)}_${long.slice(0, 9_000)}%b%`;
    const texts = [`${long.slice(0, 20_000)}Z${long.slice(0, 9_000)}ab`, `${long.slice(0, 20_000)}${long.slice(0, 9_000)}b`];
    const rows = await checked.all<{ key: number }>(sql`SELECT key FROM json_each(${JSON.stringify(texts)}) AS src WHERE ${matches(sql`src.value`, pattern, LIKE)}`);
    expect(rows.map((r) => r.key)).toEqual([0]);
  });
});
