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

/**
 * A pattern as its `many`-separated segments (`c` of them), each with its length in characters,
 * its literal runs (offset, text) and where it may sit: `f` 1 = at the start, 2 = at the end,
 * 3 = both (the whole text), 0 = anywhere after the previous one. `w`: no segments and both ends
 * anchored (only the empty text matches).
 */
interface Segment {
  n: number;
  f: number;
  /** The first literal run's offset and text ("" when the segment is all `one`s): candidates are found by it. */
  o: number;
  l: string;
  L: [offset: number, text: string][];
}
interface Compiled {
  g: Segment[];
  c: number;
  w: 0 | 1;
}

const foldAscii = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

function compile(pattern: string, syntax: PatternSyntax): Compiled {
  const chars = [...pattern];
  const segments: string[][] = [[]];
  for (const ch of chars) {
    if (ch === syntax.many) segments.push([]);
    else segments.at(-1)!.push(ch);
  }
  const atStart = chars[0] !== syntax.many;
  const atEnd = chars.at(-1) !== syntax.many;
  const g: Segment[] = [];
  segments.forEach((segment, i) => {
    if (!segment.length) return;
    const L: [number, string][] = [];
    let run: string[] = [];
    const endRun = (at: number) => {
      if (run.length) L.push([at - run.length, syntax.caseInsensitive ? foldAscii(run.join("")) : run.join("")]);
      run = [];
    };
    segment.forEach((ch, at) => (ch === syntax.one ? endRun(at) : run.push(ch)));
    endRun(segment.length);
    const f = (i === 0 && atStart ? 1 : 0) | (i === segments.length - 1 && atEnd ? 2 : 0);
    g.push({ n: segment.length, f, o: L[0]?.[0] ?? 0, l: L[0]?.[1] ?? "", L });
  });
  return { g, c: g.length, w: !g.length && atStart && atEnd ? 1 : 0 };
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
 * The compiled pattern `p` (JSON, as `compile` makes it, with at least one segment) matches the
 * text `t`: a recursive query placing segment `k` at candidate `c`, one step per segment placed
 * or candidate skipped; the next candidate is the next position of the segment's first literal
 * run. Kept shallow (about 20 levels): D1 refuses expressions more than 100 levels deep, and
 * this one sits inside others. A NULL text matches nothing.
 */
function matcher(t: SQL, p: SQL): SQL {
  const n = sql.raw(`json_extract(g.value, '$.n')`);
  const f = sql.raw(`json_extract(g.value, '$.f')`);
  const literalsHold = sql`NOT EXISTS (SELECT 1 FROM json_each(g.value, '$.L') AS l WHERE substr(m.t, m.c + json_extract(l.value, '$[0]'), length(json_extract(l.value, '$[1]'))) <> json_extract(l.value, '$[1]'))`;
  const ok = sql`m.c + ${n} - 1 <= length(m.t) AND (${f} & 1 = 0 OR m.c = 1) AND (${f} & 2 = 0 OR m.c + ${n} - 1 = length(m.t)) AND ${literalsHold}`;
  const next = sql`m.c + coalesce(nullif(instr(substr(m.t, m.c + 1 + json_extract(g.value, '$.o')), json_extract(g.value, '$.l')), 0), length(m.t))`;
  return sql`EXISTS (WITH RECURSIVE m(k, c, t, p) AS (SELECT 0, 1, ${t}, ${p} UNION ALL
 SELECT m.k + ok.value, CASE WHEN ok.value THEN m.c + ${n} ELSE ${next} END, m.t, m.p
 FROM m JOIN json_each(m.p, '$.g') AS g ON g.key = m.k JOIN json_each(json_array(${ok})) AS ok
 WHERE ok.value OR (${f} & 1 = 0 AND m.c + ${n} <= length(m.t)))
 SELECT 1 FROM m WHERE m.k = json_extract(m.p, '$.c'))`;
}

/** A pattern without wildcards (or with only `many` around one literal) as a plain comparison. */
function plain(t: SQL, c: Compiled): SQL | null {
  if (c.g.some((g) => g.L.length !== 1 || [...g.l].length !== g.n)) return null;
  if (c.g.length === 0) return c.w ? sql`${t} = ''` : sql`${t} IS NOT NULL`;
  if (c.g.length > 1) return null;
  const [{ f, l }] = c.g;
  if (f === 3) return sql`${t} = ${l}`;
  if (f === 1) return sql`instr(${t}, ${l}) = 1`;
  if (f === 0) return sql`instr(${t}, ${l}) > 0`;
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
  // A NULL column matches no pattern, negated or not (the comparison is NULL).
  return sql`EXISTS (SELECT 1 FROM json_each(${list}) AS p WHERE (${native(col, sql`substr(p.value, 2)`, syntax)}) <> (substr(p.value, 1, 1) = '-'))`;
}

/** Some compiled pattern of the JSON list `list` matches `col` (one with `n` set: does not match). */
function compiledHits(col: Column | SQL, list: SQL, syntax: PatternSyntax): SQL {
  const t = text(col, syntax);
  return sql`EXISTS (SELECT 1 FROM json_each(${list}) AS q WHERE ${t} IS NOT NULL AND ${matcher(t, sql`q.value`)} <> json_extract(q.value, '$.n'))`;
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
