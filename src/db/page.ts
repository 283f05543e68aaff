import { count, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteSelect, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/**
 * The one filter/sort/page machine of the read endpoints: what a listing selects is its `where`,
 * its `orderBy` and a `limit`/`offset` window. The builders below return drizzle queries (not
 * promises), so a caller can await them or put them in a `db.batch` (page and count in one round
 * trip); the SQL is exactly `SELECT … WHERE … ORDER BY … LIMIT ? OFFSET ?` and `SELECT count(*) … WHERE …`.
 */
export interface Page {
  where: SQL | undefined;
  orderBy: (SQL | SQLiteColumn)[];
  limit: number;
  offset: number;
}

/** Adds the page's WHERE, ORDER BY, LIMIT and OFFSET to a select the caller started (its columns, its joins). */
export function paged<Q extends SQLiteSelect>(query: Q, page: Page): Q {
  return query
    .where(page.where)
    .orderBy(...page.orderBy)
    .limit(page.limit)
    .offset(page.offset);
}

/** One page of a table's rows, every column. */
export function selectPage<T extends SQLiteTable>(db: Db, table: T, page: Page) {
  return paged(db.select().from(table).$dynamic(), page);
}

/** The count of a table's rows matching `where`, as a query (`.get()` it, or batch it and read `countOf`). */
export function countQuery(db: Db, table: SQLiteTable, where: SQL | undefined) {
  return db.select({ n: count() }).from(table).where(where);
}

/** A page of results and the count of all that match. */
export type Paginated<T> = { results: T[]; count: number };

/** The number a batched `countQuery` answered. */
export const countOf = (rows: { n: number }[]): number => rows[0]?.n ?? 0;

/** How many of a table's rows match `where`. */
export async function countWhere(db: Db, table: SQLiteTable, where: SQL | undefined): Promise<number> {
  return (await countQuery(db, table, where).get())?.n ?? 0;
}

/**
 * The filter, count and paginate reads of a table whose listing takes filters and a sort: built
 * from its WHERE and ORDER BY and the mapping of its rows (called once a page's rows are read).
 */
export function listing<T extends SQLiteTable, F, S, R>(
  table: T,
  where: (filters: F) => SQL | undefined,
  order: (sort: S) => (SQL | SQLiteColumn)[],
  toResults: (rows: T["$inferSelect"][]) => R[],
) {
  const page = (db: Db, filters: F, sort: S, limit: number, offset: number) =>
    selectPage(db, table, { where: where(filters), orderBy: order(sort), limit, offset });
  return {
    filter: async (db: Db, filters: F, sort: S, limit: number, offset: number): Promise<R[]> => toResults(await page(db, filters, sort, limit, offset)),
    count: (db: Db, filters: F): Promise<number> => countWhere(db, table, where(filters)),
    /** One page and the total, in one round trip. */
    paginate: async (db: Db, filters: F, sort: S, limit: number, offset: number): Promise<Paginated<R>> => {
      const [rows, counted] = await db.batch([page(db, filters, sort, limit, offset), countQuery(db, table, where(filters))]);
      return { results: toResults(rows as T["$inferSelect"][]), count: countOf(counted) };
    },
  };
}
