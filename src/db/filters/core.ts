import { toIso } from "../../lib/time";
import { normalizeUuid } from "../../lib/ids";
import { LIKE, matches } from "./patterns";
import { inList } from "../lists";
import { isNotNull, isNull, sql, type Column, type SQL } from "drizzle-orm";

/**
 * The one filter machinery every resource shares. Prefect's filter grammar is uniform:
 * a resource filter (e.g. FlowRunFilter) holds sub-filters per field (e.g. `name`), each with
 * operators named the same everywhere (`any_`, `not_any_`, `like_`, `before_` …) and an optional
 * `operator` (and_/or_) that combines its criteria. A resource describes its fields once
 * (FilterSpec) and `whereOf` turns a parsed filter into one drizzle condition.
 *
 * Semantics follow Prefect's server (as it answers on SQLite):
 * - a sub-filter that is sent but carries no criterion counts as TRUE (it matters under or_);
 * - `any_: []` matches nothing; `not_any_: []` and `all_: []` constrain nothing;
 * - `not_any_` is SQL `NOT IN`, so rows whose column is NULL do not match it;
 * - `like_` is a case-insensitive `%value%` LIKE and `startswith_` a case-insensitive `value%`
 *   LIKE; as in Prefect the value is not escaped, so `%` and `_` in it are wildcards (patterns.ts
 *   keeps that meaning within production D1's 50-byte LIKE patterns);
 * - every list is bound as one JSON parameter (D1 binds at most 100 per statement).
 */

export type Cond = SQL | undefined;
export type Operator = "and_" | "or_";

export function combine(operator: Operator | undefined, conds: Cond[]): Cond {
  const present = conds.filter((c): c is SQL => c !== undefined);
  if (present.length === 0) return undefined;
  return balanced(present, operator === "or_" ? "OR" : "AND");
}

/**
 * `a AND b AND c …` as a balanced tree of parenthesized halves: SQLite nests a chain one level
 * per term, and D1 refuses expressions more than 100 levels deep (filters nest in filters).
 */
export function balanced(conds: SQL[], op: "AND" | "OR"): SQL {
  if (conds.length === 1) return conds[0];
  const half = Math.ceil(conds.length / 2);
  return sql`(${balanced(conds.slice(0, half), op)}) ${sql.raw(op)} (${balanced(conds.slice(half), op)})`;
}

export const TRUE = sql`1`;
/** `IN ()` must still mean "nothing" as in SQL. */
export const FALSE = sql`0`;

/** A filter (or one of its fields) that was sent: neither absent nor null. */
export const present = <T>(f: T | null | undefined): f is T => f !== undefined && f !== null;

/** SQLite has no boolean type: booleans bind as 1/0, as the boolean columns store them. */
const bindable = (v: unknown): unknown => (typeof v === "boolean" ? (v ? 1 : 0) : v);

/**
 * One value is `col = ?`: SQLite then searches an index on (col, sort key) and reads it in the
 * sort's order from that value's first entry (an IN list reads its values' ranges one after the
 * other, so not in order).
 */
export function anyOf(col: Column | SQL, values: unknown[]): SQL {
  if (values.length === 1) return sql`${col} = ${bindable(values[0])}`;
  return values.length === 0 ? FALSE : inList(col, values.map(bindable));
}

/** Case-insensitive substring match, as Prefect's `like_` (ILIKE '%value%', wildcards live). */
export function ilike(col: Column | SQL, value: string): SQL {
  return matches(col, `%${value}%`, LIKE);
}

/** Case-insensitive prefix match, as Prefect's `startswith_` (ILIKE 'value%'). */
export function istartsWith(col: Column | SQL, value: string): SQL {
  return matches(col, `${value}%`, LIKE);
}

/** Conditions for a scalar column, from whichever of Prefect's operators the sub-filter carries. */
export function scalarConds(col: Column | SQL, f: Record<string, any>): Cond[] {
  const out: Cond[] = [];
  if (present(f.any_)) out.push(anyOf(col, f.any_));
  if (present(f.not_any_) && f.not_any_.length) out.push(sql`NOT (${inList(col, f.not_any_.map(bindable))})`);
  if (present(f.eq_)) out.push(sql`${col} = ${bindable(f.eq_)}`);
  if (f.like_) out.push(ilike(col, f.like_));
  if (f.startswith_) out.push(istartsWith(col, f.startswith_));
  if (present(f.before_)) out.push(sql`${col} <= ${toIso(f.before_)}`);
  if (present(f.after_)) out.push(sql`${col} >= ${toIso(f.after_)}`);
  if (present(f.ge_)) out.push(sql`${col} >= ${f.ge_}`);
  if (present(f.le_)) out.push(sql`${col} <= ${f.le_}`);
  if (present(f.gt_)) out.push(sql`${col} > ${f.gt_}`);
  if (present(f.lt_)) out.push(sql`${col} < ${f.lt_}`);
  if (present(f.is_null_)) out.push(f.is_null_ ? isNull(col as Column) : isNotNull(col as Column));
  return out;
}

/** Ids arrive in any form pydantic accepts (upper case, no hyphens); they are stored canonical. */
export function uuidValues(values: string[] | null | undefined): string[] | null | undefined {
  return values ? values.map(normalizeUuid) : values;
}

/** scalarConds for a UUID column: `any_` / `not_any_` values compared in their canonical form. */
export function uuidConds(col: Column | SQL, f: Record<string, any>): Cond[] {
  return scalarConds(col, { ...f, any_: uuidValues(f.any_), not_any_: uuidValues(f.not_any_) });
}

/** Elements of the JSON array `col` that are in the list (bound as one JSON parameter). */
const elementsIn = (col: Column | SQL, values: string[]) =>
  sql`SELECT 1 FROM json_each(${col}) AS e WHERE e.value IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;

/** Conditions for a JSON-array column (tags): all_ = superset, any_ = overlap, is_null_ = empty. */
export function arrayConds(col: Column | SQL, f: Record<string, any>): Cond[] {
  const out: Cond[] = [];
  if (f.all_ && f.all_.length) {
    const needles = JSON.stringify([...new Set<string>(f.all_)]);
    out.push(sql`NOT EXISTS (SELECT 1 FROM json_each(${needles}) AS n WHERE NOT EXISTS (SELECT 1 FROM json_each(${col}) AS e WHERE e.value = n.value))`);
  }
  if (present(f.any_)) out.push(f.any_.length === 0 ? FALSE : sql`EXISTS (${elementsIn(col, f.any_)})`);
  if (f.not_any_ && f.not_any_.length) out.push(sql`NOT EXISTS (${elementsIn(col, f.not_any_)})`);
  if (present(f.is_null_))
    out.push(f.is_null_ ? sql`json_array_length(${col}) = 0` : sql`json_array_length(${col}) > 0`);
  return out;
}

/**
 * How one field of a resource filter becomes conditions. A rule marked `spliced` adds its
 * conditions straight to the resource filter's list (no own operator, nothing when empty), as
 * Prefect does for the log text search and for fields it accepts but ignores.
 */
export type FieldRule = ((sub: Record<string, any>) => Cond[]) & { spliced?: boolean };

export const scalar = (col: Column | SQL): FieldRule => (sub) => scalarConds(col, sub);
export const uuid = (col: Column | SQL): FieldRule => (sub) => uuidConds(col, sub);
export const array = (col: Column | SQL): FieldRule => (sub) => arrayConds(col, sub);
export const spliced = (rule: (sub: Record<string, any>) => Cond[]): FieldRule => Object.assign(rule, { spliced: true });
/** A field Prefect still accepts but no longer filters on (e.g. DeploymentFilter.concurrency_limit). */
export const ignored: FieldRule = spliced(() => []);

export type FilterSpec = Record<string, FieldRule>;

/**
 * One resource filter → one condition. Each sub-filter's own criteria are combined with its own
 * `operator` (default and_), then the sub-filters with the resource filter's `operator`.
 * Undefined means "no constraint".
 */
export function whereOf(spec: FilterSpec, filter: Record<string, any> | null | undefined): Cond {
  if (!filter) return undefined;
  const parts: Cond[] = [];
  for (const [field, rule] of Object.entries(spec)) {
    const sub = filter[field];
    if (!present(sub)) continue;
    if (rule.spliced) parts.push(...rule(sub));
    else parts.push(combine(sub.operator, rule(sub)) ?? TRUE);
  }
  return combine(filter.operator, parts);
}

/** `col IN (SELECT idCol FROM table WHERE cond)`: how one resource's filter constrains another. */
export function inSubquery(col: Column, idCol: Column, table: SQL, cond: Cond): Cond {
  if (!cond) return undefined;
  return sql`${col} IN (SELECT ${idCol} FROM ${table} WHERE ${cond})`;
}

export function allOf(...conds: Cond[]): Cond {
  return combine("and_", conds);
}
