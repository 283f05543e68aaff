import { toIso } from "../../lib/time";
import { and, inArray, isNotNull, isNull, notInArray, or, sql, type Column, type SQL } from "drizzle-orm";

/**
 * The one filter machinery every resource shares. Prefect's filter grammar is uniform:
 * a resource filter (e.g. FlowRunFilter) holds sub-filters per field (e.g. `name`), each with
 * operators named the same everywhere (`any_`, `not_any_`, `like_`, `before_` …) and an optional
 * `operator` (and_/or_) that combines its criteria. A resource describes its fields once
 * (FilterSpec) and `whereOf` turns a parsed filter into one drizzle condition.
 */

export type Cond = SQL | undefined;
export type Operator = "and_" | "or_";

export function combine(operator: Operator | undefined, conds: Cond[]): Cond {
  const present = conds.filter((c): c is SQL => c !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return operator === "or_" ? or(...present) : and(...present);
}

/** Every criterion true means no constraint; `IN ()` must still mean "nothing" as in SQL. */
const FALSE = sql`0`;

function anyOf(col: Column | SQL, values: unknown[]): SQL {
  return values.length === 0 ? FALSE : inArray(col as Column, values);
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/** Case-insensitive substring match, as Prefect's `like_` (ILIKE %value%). */
export function ilike(col: Column | SQL, value: string): SQL {
  return sql`lower(${col}) LIKE ${`%${escapeLike(value.toLowerCase())}%`} ESCAPE '\\'`;
}

export function startsWith(col: Column | SQL, value: string): SQL {
  return sql`${col} LIKE ${`${escapeLike(value)}%`} ESCAPE '\\'`;
}

/** Conditions for a scalar column, from whichever of Prefect's operators the sub-filter carries. */
export function scalarConds(col: Column | SQL, f: Record<string, any>): Cond[] {
  const out: Cond[] = [];
  if (f.any_ !== undefined && f.any_ !== null) out.push(anyOf(col, f.any_));
  if (f.not_any_ !== undefined && f.not_any_ !== null && f.not_any_.length)
    out.push(sql`(${col} IS NULL OR ${notInArray(col as Column, f.not_any_)})`);
  if (f.eq_ !== undefined && f.eq_ !== null) out.push(sql`${col} = ${f.eq_}`);
  if (f.like_) out.push(ilike(col, f.like_));
  if (f.startswith_) out.push(startsWith(col, f.startswith_));
  if (f.before_) out.push(sql`${col} <= ${toIso(f.before_)}`);
  if (f.after_) out.push(sql`${col} >= ${toIso(f.after_)}`);
  if (f.ge_ !== undefined && f.ge_ !== null) out.push(sql`${col} >= ${f.ge_}`);
  if (f.le_ !== undefined && f.le_ !== null) out.push(sql`${col} <= ${f.le_}`);
  if (f.gt_ !== undefined && f.gt_ !== null) out.push(sql`${col} > ${f.gt_}`);
  if (f.lt_ !== undefined && f.lt_ !== null) out.push(sql`${col} < ${f.lt_}`);
  if (f.is_null_ !== undefined && f.is_null_ !== null)
    out.push(f.is_null_ ? isNull(col as Column) : isNotNull(col as Column));
  return out;
}

/** Conditions for a JSON-array column (tags): all_ = superset, any_ = overlap, is_null_ = empty. */
export function arrayConds(col: Column | SQL, f: Record<string, any>): Cond[] {
  const out: Cond[] = [];
  if (f.all_ && f.all_.length) {
    for (const tag of new Set<string>(f.all_))
      out.push(sql`EXISTS (SELECT 1 FROM json_each(${col}) WHERE json_each.value = ${tag})`);
  }
  if (f.any_ !== undefined && f.any_ !== null) {
    out.push(
      f.any_.length === 0
        ? FALSE
        : sql`EXISTS (SELECT 1 FROM json_each(${col}) WHERE json_each.value IN (${sql.join(
            f.any_.map((t: string) => sql`${t}`),
            sql`, `,
          )}))`,
    );
  }
  if (f.not_any_ && f.not_any_.length) {
    out.push(
      sql`NOT EXISTS (SELECT 1 FROM json_each(${col}) WHERE json_each.value IN (${sql.join(
        f.not_any_.map((t: string) => sql`${t}`),
        sql`, `,
      )}))`,
    );
  }
  if (f.is_null_ !== undefined && f.is_null_ !== null)
    out.push(f.is_null_ ? sql`json_array_length(${col}) = 0` : sql`json_array_length(${col}) > 0`);
  return out;
}

/** How one field of a resource filter becomes conditions. */
export type FieldRule = (sub: Record<string, any>) => Cond[];

export const scalar = (col: Column | SQL): FieldRule => (sub) => scalarConds(col, sub);
export const array = (col: Column | SQL): FieldRule => (sub) => arrayConds(col, sub);

export type FilterSpec = Record<string, FieldRule>;

/**
 * One resource filter → one condition. Each sub-filter's own criteria are combined with its own
 * `operator` (default and_), then the sub-filters with the resource filter's `operator`.
 */
export function whereOf(spec: FilterSpec, filter: Record<string, any> | null | undefined): Cond {
  if (!filter) return undefined;
  const parts: Cond[] = [];
  for (const [field, rule] of Object.entries(spec)) {
    const sub = filter[field];
    if (sub === undefined || sub === null) continue;
    parts.push(combine(sub.operator, rule(sub)));
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
