import { sql, type Column, type SQL } from "drizzle-orm";

/**
 * LIKE and GLOB matching that never hands D1 a pattern over 50 bytes (production D1 refuses
 * longer ones: "LIKE or GLOB pattern too complex"), with the meaning of the original pattern:
 *
 * - a pattern without wildcards is a plain comparison (`instr`, `=`), whatever its length;
 * - a pattern with wildcards that fits in 50 bytes runs as LIKE/GLOB itself;
 * - a longer one runs through `matcher`: a recursive query that places the pattern's
 *   wildcard-separated segments left to right, each at its earliest position (which finds a match
 *   whenever there is one, since a segment has a fixed length), comparing the literal runs of a
 *   segment with `substr`.
 *
 * Prefect's `like_` is ILIKE '%value%' with the value not escaped (on SQLite `lower(col) LIKE
 * lower(pattern)`: `%` and `_` are wildcards, case folds for ASCII only); event label patterns
 * are GLOB-like (`*`, `?`, case-sensitive, `[` literal).
 */
export interface PatternSyntax {
  /** Any run of characters. */
  many: string;
  /** Exactly one character. */
  one: string;
  /** ASCII case-insensitive (as SQLite's lower() and LIKE), or exact. */
  caseInsensitive: boolean;
}

export const LIKE: PatternSyntax = { many: "%", one: "_", caseInsensitive: true };
export const GLOB: PatternSyntax = { many: "*", one: "?", caseInsensitive: false };

/** Production D1's longest LIKE/GLOB pattern, in bytes. */
export const MAX_PATTERN_BYTES = 50;

/** A pattern made of `many`-separated segments: each a character count and its literal runs at their offsets. */
interface Compiled {
  /** Anchored at the start (the pattern does not begin with `many`). */
  a: 0 | 1;
  /** Anchored at the end. */
  z: 0 | 1;
  g: [length: number, literals: [offset: number, text: string][]][];
}

const foldAscii = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

function compile(pattern: string, syntax: PatternSyntax): Compiled {
  const chars = [...pattern];
  const g: Compiled["g"] = [];
  let segment: string[] = [];
  const flush = () => {
    if (!segment.length) return;
    const literals: [number, string][] = [];
    let run: string[] = [];
    const endRun = (i: number) => {
      if (run.length) literals.push([i - run.length, run.join("")]);
      run = [];
    };
    segment.forEach((ch, i) => (ch === syntax.one ? endRun(i) : run.push(ch)));
    endRun(segment.length);
    if (syntax.caseInsensitive) for (const l of literals) l[1] = foldAscii(l[1]);
    g.push([segment.length, literals]);
    segment = [];
  };
  for (const ch of chars) {
    if (ch === syntax.many) flush();
    else segment.push(ch);
  }
  flush();
  return { a: chars[0] === syntax.many ? 0 : 1, z: chars.at(-1) === syntax.many ? 0 : 1, g };
}

const text = (col: Column | SQL, syntax: PatternSyntax): SQL => (syntax.caseInsensitive ? sql`lower(${col})` : sql`${col}`);

/** The pattern as SQLite's own LIKE/GLOB reads it (GLOB's `[` taken literally). */
const nativeOf = (pattern: string, syntax: PatternSyntax) => (syntax === GLOB ? pattern.replace(/\[/g, "[[]") : pattern);
const fitsNative = (pattern: string, syntax: PatternSyntax) =>
  new TextEncoder().encode(nativeOf(pattern, syntax)).length <= MAX_PATTERN_BYTES;

function native(col: Column | SQL, pattern: SQL, syntax: PatternSyntax): SQL {
  return syntax === GLOB ? sql`${col} GLOB ${pattern}` : sql`lower(${col}) LIKE lower(${pattern})`;
}

/**
 * The compiled pattern `p` (JSON, as `compile` makes it) matches the text `t`: one recursive step
 * per segment placed or candidate position skipped. A candidate is the earliest position (from
 * `c` on) of the segment's first literal run; the first segment of a start-anchored pattern may
 * only sit at 1 and the last of an end-anchored one only at the end.
 */
function matcher(t: SQL, p: SQL): SQL {
  return sql`EXISTS (WITH RECURSIVE m(k, c, t, p) AS (SELECT 0, 1, ${t}, ${p} UNION ALL SELECT
 CASE WHEN ok.value THEN m.k + 1 ELSE m.k END,
 CASE WHEN ok.value THEN s.value + json_extract(g.value, '$[0]') ELSE s.value + 1 END, m.t, m.p
 FROM m JOIN json_each(m.p, '$.g') AS g ON g.key = m.k
 JOIN json_each(json_array(CASE
  WHEN m.k = 0 AND json_extract(m.p, '$.a') THEN m.c
  WHEN m.k = json_array_length(m.p, '$.g') - 1 AND json_extract(m.p, '$.z') THEN
   CASE WHEN length(m.t) - json_extract(g.value, '$[0]') + 1 >= m.c THEN length(m.t) - json_extract(g.value, '$[0]') + 1 END
  WHEN json_array_length(g.value, '$[1]') = 0 THEN m.c
  ELSE nullif(instr(substr(m.t, m.c + json_extract(g.value, '$[1][0][0]')), json_extract(g.value, '$[1][0][1]')), 0) + m.c - 1
 END)) AS s
 JOIN json_each(json_array(s.value + json_extract(g.value, '$[0]') - 1 <= length(m.t) AND NOT EXISTS (
  SELECT 1 FROM json_each(g.value, '$[1]') AS l
  WHERE substr(m.t, s.value + json_extract(l.value, '$[0]'), length(json_extract(l.value, '$[1]'))) <> json_extract(l.value, '$[1]')))) AS ok
 WHERE s.value IS NOT NULL AND (ok.value OR (
  NOT (m.k = 0 AND json_extract(m.p, '$.a'))
  AND NOT (m.k = json_array_length(m.p, '$.g') - 1 AND json_extract(m.p, '$.z'))
  AND s.value + json_extract(g.value, '$[0]') <= length(m.t))))
 SELECT 1 FROM m WHERE m.t IS NOT NULL AND m.k = json_array_length(m.p, '$.g') AND (NOT json_extract(m.p, '$.z') OR m.c = length(m.t) + 1))`;
}

/** A pattern without wildcards (or with only `many` around one literal) as a plain comparison. */
function plain(t: SQL, c: Compiled): SQL | null {
  if (c.g.some(([length, literals]) => literals.length !== 1 || [...literals[0][1]].length !== length)) return null;
  if (c.g.length === 0) return c.a && c.z ? sql`${t} = ''` : sql`${t} IS NOT NULL`;
  if (c.g.length > 1) return null;
  const literal = c.g[0][1][0][1];
  if (c.a && c.z) return sql`${t} = ${literal}`;
  if (c.a) return sql`instr(${t}, ${literal}) = 1`;
  if (!c.z) return sql`instr(${t}, ${literal}) > 0`;
  return null;
}

/** `col` matches `pattern` (NULL never does), as `col LIKE/GLOB pattern` would. */
export function matches(col: Column | SQL, pattern: string, syntax: PatternSyntax): SQL {
  const compiled = compile(pattern, syntax);
  const t = text(col, syntax);
  const simple = plain(t, compiled);
  if (simple) return simple;
  if (fitsNative(pattern, syntax)) return native(col, sql`${nativeOf(pattern, syntax)}`, syntax);
  return matcher(t, sql`${JSON.stringify(compiled)}`);
}

export interface PatternItem {
  pattern: string;
  /** Matches when the pattern does not (and the text is not NULL). */
  negated?: boolean;
}

const one = (col: Column | SQL, item: PatternItem, syntax: PatternSyntax): SQL =>
  item.negated ? sql`(${col} IS NOT NULL AND NOT ${matches(col, item.pattern, syntax)})` : matches(col, item.pattern, syntax);

/** Items as two JSON lists: those SQLite may run itself (`+`/`-` and the pattern), and the longer ones, compiled. */
export function encodePatterns(items: PatternItem[], syntax: PatternSyntax): { s: string[]; l: (Compiled & { n: 0 | 1 })[] } {
  return {
    s: items.filter((i) => fitsNative(i.pattern, syntax)).map((i) => `${i.negated ? "-" : "+"}${nativeOf(i.pattern, syntax)}`),
    l: items.filter((i) => !fitsNative(i.pattern, syntax)).map((i) => ({ ...compile(i.pattern, syntax), n: i.negated ? 1 : 0 })),
  };
}

/** Some `+`/`-` pattern of the JSON list `list` (an SQL expression) matches `col`, as SQLite runs it. */
function nativeHits(col: Column | SQL, list: SQL, syntax: PatternSyntax): SQL {
  const hit = native(col, sql`substr(p.value, 2)`, syntax);
  return sql`EXISTS (SELECT 1 FROM json_each(${list}) AS p WHERE CASE WHEN substr(p.value, 1, 1) = '-' THEN NOT (${hit}) ELSE ${hit} END)`;
}

/** Some compiled pattern of the JSON list `list` matches `col` (one with `n` set: does not match). */
function compiledHits(col: Column | SQL, list: SQL, syntax: PatternSyntax): SQL {
  const t = text(col, syntax);
  const hit = matcher(t, sql`q.value`);
  return sql`EXISTS (SELECT 1 FROM json_each(${list}) AS q WHERE CASE WHEN json_extract(q.value, '$.n') THEN ${t} IS NOT NULL AND NOT ${hit} ELSE ${hit} END)`;
}

/** Some item of the encoded lists (SQL expressions of the JSON arrays `encodePatterns` makes) matches `col`. */
export function matchesEncoded(col: Column | SQL, short: SQL, long: SQL, syntax: PatternSyntax): SQL {
  return sql`(${nativeHits(col, short, syntax)} OR ${compiledHits(col, long, syntax)})`;
}

/**
 * Some item matches `col`, with any number of items in at most two bound parameters: the
 * patterns SQLite may run itself in one JSON list, the longer ones (compiled) in another.
 */
export function someMatches(col: Column | SQL, items: PatternItem[], syntax: PatternSyntax): SQL {
  if (items.length === 0) return sql`0`;
  if (items.length === 1) return one(col, items[0], syntax);
  const { s, l } = encodePatterns(items, syntax);
  const conds: SQL[] = [];
  if (s.length) conds.push(nativeHits(col, sql`${JSON.stringify(s)}`, syntax));
  if (l.length) conds.push(compiledHits(col, sql`${JSON.stringify(l)}`, syntax));
  return conds.length === 1 ? conds[0] : sql`(${sql.join(conds, sql` OR `)})`;
}

/** Every pattern matches `col` (a NULL matches none). */
export function everyMatches(col: Column | SQL, patterns: string[], syntax: PatternSyntax): SQL {
  if (patterns.length === 1) return matches(col, patterns[0], syntax);
  return sql`(${col} IS NOT NULL AND NOT ${someMatches(col, patterns.map((pattern) => ({ pattern, negated: true })), syntax)})`;
}
