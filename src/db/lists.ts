import { sql, type Column, type SQL } from "drizzle-orm";

/**
 * `col IN (…values)` with the whole list bound as one JSON parameter: D1 binds at most 100
 * parameters per statement, and lists (from clients or from earlier reads) may be longer.
 * An empty list matches nothing, as `IN ()` would.
 */
export function inList(col: Column | SQL, values: readonly unknown[]): SQL {
  return sql`${col} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}

/** `col NOT IN (…values)`, bound as one JSON parameter (a NULL `col` matches nothing unless the list is empty). */
export function notInList(col: Column | SQL, values: readonly unknown[]): SQL {
  return sql`${col} NOT IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}
