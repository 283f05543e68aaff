import { count, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteSelect, SQLiteTable } from "drizzle-orm/sqlite-core";
import { D1_LIMITS } from "../lib/d1-limits/limits";
import type { Db } from "./client";

/**
 * The one filter/sort/page machine of the read endpoints: what a listing selects is its `where`,
 * its `orderBy` and a `limit`/`offset` window. The builders below return drizzle queries (not
 * promises), so a caller can await them or put them in a `db.batch` (page and count in one round
 * trip); the SQL is exactly `SELECT … WHERE … ORDER BY … LIMIT ? OFFSET ?` and `SELECT count(*) … WHERE …`
 * (a page over several values of an indexed column narrows its WHERE to the rows of merged
 * ordered reads, see pageOf).
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

/**
 * A filter that requires one of several values of a column leading an index whose next column is
 * the sort's key — `state_type IN (…)` sorted by start time, over (state_type, start time) — can be
 * read in order value by value, but not across values: SQLite then either sorts every match or
 * reads the sort's own index until the page is full (to its end when few rows match: seconds at
 * a million rows). `branches` are that filter with one value each in place of the list (disjoint;
 * together, the filter). Each branch reads its first `offset + limit` rows in order through the
 * index and stops; the page is chosen among those rows (the true page's rows are in them, ties
 * included, since every order ends in the unique rowid). Still one statement; beyond D1's limits
 * (the branches repeat the filter's parameters) or MERGED_ROWS, the plain page.
 */
export function pageOf<Q extends SQLiteSelect>(select: () => Q, table: SQLiteTable, page: Page, branches?: SQL[]): Q {
  const rows = page.offset + page.limit;
  if (branches && branches.length > 1 && rows <= MERGED_ROWS) {
    const merged = paged(select(), { ...page, where: mergedWhere(table, branches, page.orderBy, rows) });
    if (fitsD1(merged.toSQL())) return merged;
  }
  return paged(select(), page);
}

/** The most rows a merged page reads per branch (offset + limit): the row ids it collects stay small. */
export const MERGED_ROWS = 10_000;

function mergedWhere(table: SQLiteTable, branches: SQL[], orderBy: (SQL | SQLiteColumn)[], rows: number): SQL {
  const rowid = sql`${table}.rowid`;
  const order = sql.join(orderBy, sql`, `);
  const reads = branches.map((branch) => sql`SELECT r FROM (SELECT ${rowid} AS r FROM ${table} WHERE ${branch} ORDER BY ${order} LIMIT ${rows})`);
  return sql`${rowid} IN (${unionAll(reads)})`;
}

/** D1 (as workerd) allows at most 5 terms in one compound SELECT: more are nested in groups. */
const COMPOUND_TERMS = 5;

function unionAll(reads: SQL[]): SQL {
  if (reads.length <= COMPOUND_TERMS) return sql.join(reads, sql` UNION ALL `);
  const per = Math.ceil(reads.length / COMPOUND_TERMS);
  const groups: SQL[] = [];
  for (let i = 0; i < reads.length; i += per) groups.push(sql`SELECT r FROM (${unionAll(reads.slice(i, i + per))})`);
  return sql.join(groups, sql` UNION ALL `);
}

const utf8 = new TextEncoder();
const fitsD1 = (q: { sql: string; params: unknown[] }): boolean =>
  q.params.length <= D1_LIMITS.boundParameters && utf8.encode(q.sql).length <= D1_LIMITS.statementBytes;

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
 * from its WHERE and ORDER BY and the mapping of its rows (called once a page's rows are read), and
 * the branches of a filter that a merged page reads faster (see pageOf).
 */
export function listing<T extends SQLiteTable, F, S, R>(
  table: T,
  where: (filters: F) => SQL | undefined,
  order: (sort: S) => (SQL | SQLiteColumn)[],
  toResults: (rows: T["$inferSelect"][]) => R[],
  branches?: (filters: F, sort: S) => SQL[] | undefined,
) {
  const page = (db: Db, filters: F, sort: S, limit: number, offset: number) =>
    pageOf(() => db.select().from(table).$dynamic(), table, { where: where(filters), orderBy: order(sort), limit, offset }, branches?.(filters, sort));
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
