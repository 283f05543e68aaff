import * as drizzleOrm from "drizzle-orm";
import { and, count, getTableName, is, sql, Column, SQL, type SQL as Sql } from "drizzle-orm";
import { SQLiteAsyncDialect, type SQLiteColumn, type SQLiteSelect, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { D1_LIMITS } from "../lib/d1-limits/limits";
import { d1Of, type Db } from "./client";
import { inList } from "./lists";
import { allOf, mapPieces, type Pieces } from "../lib/pieces";

/**
 * The one filter/sort/page machine of the read endpoints: what a listing selects is its `where`,
 * its `orderBy` and a `limit`/`offset` window (`SELECT … WHERE … ORDER BY … LIMIT ? OFFSET ?`; a
 * page over several values of an indexed column narrows its WHERE to the rows of merged ordered
 * reads, see pageOf).
 *
 * A page is read in pieces bounded by bytes: a row may hold up to ~1.9 MB (row-guard.ts), so 200
 * of them would be a 380 MB result, which production D1 refuses (50 MB per result) and an isolate
 * (128 MB) could not hold. The page's query is wrapped so that it also answers each row's width
 * (the bytes of its text, JSON and blob values) and answers those values only for rows whose width
 * is at most PIECE_BYTES / limit: the result stays under PIECE_BYTES whatever the rows, and a page
 * of ordinary rows is complete in that one query. The rows it left out (their ids and widths
 * known) are read again by id, a run of them at a time under PIECE_BYTES.
 */
export interface Page {
  where: Sql | undefined;
  orderBy: (Sql | SQLiteColumn)[];
  limit: number;
  offset: number;
}

/**
 * Bytes of column values one piece holds at most. Far under D1's 50 MB result limit, and small
 * enough that a piece, its mapped objects and its JSON text fit an isolate's 128 MB together; a
 * full page (200 rows) of rows up to 40 KB each is still one query.
 */
export const PIECE_BYTES = 8_000_000;

/** Adds the page's WHERE, ORDER BY, LIMIT and OFFSET to a select the caller started (its columns, its joins). */
export function paged<Q extends SQLiteSelect>(query: Q, page: Page): Q {
  return query
    .where(page.where)
    .orderBy(...page.orderBy)
    .limit(page.limit)
    .offset(page.offset);
}

type Row<Q> = Q extends PromiseLike<(infer R)[]> ? R : never;

type Fields = { path: string[]; field: unknown }[];

/** drizzle's own row mapping (exported at run time; its type declarations leave it out). */
const { mapResultRow, orderSelectedFields } = drizzleOrm as unknown as {
  mapResultRow(fields: Fields, row: unknown[], joinsNotNullableMap: Record<string, boolean>): unknown;
  orderSelectedFields(fields: Record<string, unknown>): Fields;
};

/** What the page's select holds that the wrapper needs: drizzle's SQL, its fields in order, and its row mapping. */
function selectParts(query: SQLiteSelect) {
  const built = query as unknown as { toSQL(): { sql: string; params: unknown[] }; config: { fields: Record<string, unknown> }; joinsNotNullableMap: Record<string, boolean> };
  const fields = orderSelectedFields(built.config.fields) as Fields;
  return {
    ...built.toSQL(),
    fields,
    map: (rows: unknown[][]) => rows.map((row) => mapResultRow(fields, row, built.joinsNotNullableMap)),
  };
}

const dialect = new SQLiteAsyncDialect();
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** Columns whose values can be large: text, JSON and blobs (numbers and booleans are not counted)… */
const WIDE_TYPES = new Set(["string", "json", "buffer", "custom", "array"]);
/**
 * …but for text the API only takes in a fixed form: ids (UUIDs; an event's resource id is free
 * text), timestamps and state types. Leaving them out keeps the wrapper cheap (each counted column
 * costs a copy per row); a row holds at most a few hundred bytes of them.
 */
const FIXED_FORM = /^(id|created|updated|state_type)$|(?<!resource)_id$|_time$|_timestamp$/;
const isWide = (column: Column) => WIDE_TYPES.has(column.dataType) && !FIXED_FORM.test(column.name);

interface Shape {
  /** The SQL of a row's width (with its parameters), over the selected values that can be large. */
  width: { sql: string; params: unknown[] };
  /** The result columns by name, and whether each is counted (and left out of a row over the cap). */
  columns: { name: string; wide: boolean }[];
  /** The selected `id` column, if any, and its position: rows left out are read again by it. */
  key: { column: Column; index: number } | null;
}

/** Shapes of selections of table columns only, by their tables' and columns' names (built once). */
const shapes = new Map<string, Shape>();

function shapeOf(fields: Fields): Shape {
  let key = "";
  for (const { field } of fields) {
    if (!is(field, Column)) return buildShape(fields);
    key += `${getTableName(field.table)}.${field.name},`;
  }
  let shape = shapes.get(key);
  if (!shape) {
    if (shapes.size >= 200) shapes.clear();
    shapes.set(key, (shape = buildShape(fields)));
  }
  return shape;
}

function buildShape(fields: Fields): Shape {
  const parts: Sql[] = [];
  const columns: Shape["columns"] = [];
  let key: Shape["key"] = null;
  for (const { field } of fields) {
    if (is(field, Column)) {
      if (field.name === "id" && !key) key = { column: field, index: columns.length };
      const wide = isWide(field);
      if (wide) parts.push(sql`coalesce(octet_length(${field}), 0)`);
      columns.push({ name: field.name, wide });
    } else if (is(field, SQL.Aliased)) {
      parts.push(sql`coalesce(octet_length(${field.sql}), 0)`);
      columns.push({ name: field.fieldAlias, wide: true });
    } else throw new Error("page.ts: a paged select's fields are columns or aliased SQL");
  }
  const names = new Set(columns.map((c) => c.name));
  // The wrapper names the inner select's columns; SQLite renames duplicates (see the caller's select).
  if (names.size !== columns.length) throw new Error(`page.ts: a paged select names a result column twice (${columns.map((c) => c.name)})`);
  const width = parts.length ? dialect.sqlToQuery(sql.join(parts, sql` + `)) : { sql: "0", params: [] };
  return { width, columns, key };
}

/**
 * One query of a page: the page's rows, each with its width, whose large values are answered only
 * when the width is at most `cap`.
 */
function pieceQuery<Q extends SQLiteSelect>(db: Db, query: Q, page: Page, cap: number) {
  const inner = selectParts(paged(query, page));
  if (!inner.sql.startsWith("select ") || inner.sql.startsWith("select distinct ")) throw new Error("page.ts: a paged query is a plain select");
  const { width, columns, key } = shapeOf(inner.fields);
  const outer = columns.map(({ name, wide }) => (wide ? `case when "_w" <= ${cap} then ${quote(name)} end` : quote(name)));
  // An OFFSET keeps SQLite from flattening the page into the wrapper, which would compute the
  // width once per reference to "_w" (drizzle leaves out OFFSET 0).
  const rows = inner.sql.endsWith(" offset ?") ? inner.sql : `${inner.sql} offset 0`;
  const text = `select "_w", ${outer.join(", ")} from (select ${width.sql} as "_w", ${rows.slice("select ".length)})`;
  return {
    stmt: d1Of(db).prepare(text).bind(...width.params, ...inner.params),
    key: key?.column ?? null,
    /** The rows' widths and keys, and the rows mapped (those over the cap are not: `undefined`). */
    read(raw: unknown[][]): Read<Q> {
      const widths = raw.map((r) => Number(r[0]));
      const keys = key ? raw.map((r) => r[key.index + 1]) : [];
      const mapped = inner.map(raw.filter((r, i) => widths[i] <= cap).map((r) => r.slice(1))) as Row<Q>[];
      let next = 0;
      return { widths, keys, rows: widths.map((w) => (w <= cap ? mapped[next++] : undefined)) };
    },
  };
}

type Read<Q> = { widths: number[]; keys: unknown[]; rows: (Row<Q> | undefined)[] };

/** The cap of a page's first query: its rows together stay under PIECE_BYTES. */
const capOf = (page: Page) => Math.floor(PIECE_BYTES / Math.max(1, page.limit));

/**
 * A page from its first query's answer: the rows it holds, and those it left out read again — by
 * their ids (a run of consecutive ones whose widths sum to at most PIECE_BYTES per query; reading
 * by position would sort the whole page again each time), or by position when the select has no id.
 */
function piecesOf<Q extends SQLiteSelect>(db: Db, query: Q, page: Page, first: Read<Q>, key: Column | null): Pieces<Row<Q>> {
  const { widths, keys, rows } = first;
  const firstLeftOut = rows.findIndex((r) => r === undefined);
  if (firstLeftOut < 0) return { first: rows as Row<Q>[] };
  async function* rest(): AsyncGenerator<Row<Q>[]> {
    let i = firstLeftOut;
    while (i < rows.length) {
      let j = i;
      if (rows[i] !== undefined) {
        while (j < rows.length && rows[j] !== undefined) j++;
        yield rows.slice(i, j) as Row<Q>[];
        rows.fill(undefined, i, j);
        i = j;
        continue;
      }
      let bytes = widths[j++];
      while (j < rows.length && rows[j] === undefined && bytes + widths[j] <= PIECE_BYTES) bytes += widths[j++];
      const ids = keys.slice(i, j);
      const again = key
        ? pieceQuery(db, query, { ...page, where: and(page.where, inList(key, ids)), limit: j - i, offset: 0 }, PIECE_BYTES)
        : pieceQuery(db, query, { ...page, offset: page.offset + i, limit: j - i }, PIECE_BYTES);
      const read = again.read(await again.stmt.raw());
      // Rows are at most D1's 2 MB, under this cap; one deleted meanwhile is left out.
      yield read.rows.filter((r): r is Row<Q> => r !== undefined);
      i = j;
    }
  }
  return { first: rows.slice(0, firstLeftOut) as Row<Q>[], rest: rest() };
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
 * (the branches repeat the filter's parameters) or MERGED_ROWS, the plain page. Answers the page
 * to read (its WHERE the merged one or the filter's): a part of it, read by position, stays right.
 */
export function pageOf<Q extends SQLiteSelect>(select: () => Q, table: SQLiteTable, page: Page, branches?: Sql[]): Page {
  const rows = page.offset + page.limit;
  if (branches && branches.length > 1 && rows <= MERGED_ROWS) {
    const merged = { ...page, where: mergedWhere(table, branches, page.orderBy, rows) };
    if (fitsD1(paged(select(), merged).toSQL())) return merged;
  }
  return page;
}

/** The most rows a merged page reads per branch (offset + limit): the row ids it collects stay small. */
export const MERGED_ROWS = 10_000;

function mergedWhere(table: SQLiteTable, branches: Sql[], orderBy: (Sql | SQLiteColumn)[], rows: number): Sql {
  const rowid = sql`${table}.rowid`;
  const order = sql.join(orderBy, sql`, `);
  const reads = branches.map((branch) => sql`SELECT r FROM (SELECT ${rowid} AS r FROM ${table} WHERE ${branch} ORDER BY ${order} LIMIT ${rows})`);
  return sql`${rowid} IN (${unionAll(reads)})`;
}

/** D1 (as workerd) allows at most 5 terms in one compound SELECT: more are nested in groups. */
const COMPOUND_TERMS = 5;

function unionAll(reads: Sql[]): Sql {
  if (reads.length <= COMPOUND_TERMS) return sql.join(reads, sql` UNION ALL `);
  const per = Math.ceil(reads.length / COMPOUND_TERMS);
  const groups: Sql[] = [];
  for (let i = 0; i < reads.length; i += per) groups.push(sql`SELECT r FROM (${unionAll(reads.slice(i, i + per))})`);
  return sql.join(groups, sql` UNION ALL `);
}

const utf8 = new TextEncoder();
const fitsD1 = (q: { sql: string; params: unknown[] }): boolean =>
  q.params.length <= D1_LIMITS.boundParameters && utf8.encode(q.sql).length <= D1_LIMITS.statementBytes;

/** A page of a select the caller started, in pieces bounded by bytes (one query unless the page is large). */
export async function readPaged<Q extends SQLiteSelect>(db: Db, query: Q, page: Page): Promise<Pieces<Row<Q>>> {
  if (page.limit <= 0) return { first: [] };
  const first = pieceQuery(db, query, page, capOf(page));
  return piecesOf(db, query, page, first.read(await first.stmt.raw()), first.key);
}

/** A page's rows in one list: read in pieces (no D1 result over the limit), held together. */
export async function readPagedRows<Q extends SQLiteSelect>(db: Db, query: Q, page: Page): Promise<Row<Q>[]> {
  return allOf(await readPaged(db, query, page));
}

/**
 * A page (in pieces) and another select's rows (e.g. the count of all that match), in one round
 * trip: the page's first query and the other in one batch.
 */
export async function readPagedWith<Q extends SQLiteSelect, O extends PromiseLike<unknown>>(db: Db, query: Q, page: Page, other: O): Promise<[Pieces<Row<Q>>, Awaited<O>]> {
  const second = selectParts(other as unknown as SQLiteSelect);
  const otherStmt = d1Of(db).prepare(second.sql).bind(...second.params);
  // A batch answers rows as objects; their values are in column order (the names are distinct).
  const valuesOf = (result: D1Result) => (result.results as Record<string, unknown>[]).map((r) => Object.values(r));
  if (page.limit <= 0) return [{ first: [] }, second.map(await otherStmt.raw()) as Awaited<O>];
  const first = pieceQuery(db, query, page, capOf(page));
  const [pieceResult, otherResult] = await d1Of(db).batch([first.stmt, otherStmt]);
  return [piecesOf(db, query, page, first.read(valuesOf(pieceResult)), first.key), second.map(valuesOf(otherResult)) as Awaited<O>];
}

/** One page of a table's rows, every column, in pieces bounded by bytes. */
export function selectPieces<T extends SQLiteTable>(db: Db, table: T, page: Page): Promise<Pieces<T["$inferSelect"]>> {
  return readPaged(db, db.select().from(table as SQLiteTable).$dynamic(), page) as Promise<Pieces<T["$inferSelect"]>>;
}

/** One page of a table's rows, every column, in one list (read in pieces). */
export function selectPage<T extends SQLiteTable>(db: Db, table: T, page: Page): Promise<T["$inferSelect"][]> {
  return readPagedRows(db, db.select().from(table as SQLiteTable).$dynamic(), page) as Promise<T["$inferSelect"][]>;
}

/** The count of a table's rows matching `where`, as a query (`.get()` it, or batch it and read `countOf`). */
export function countQuery(db: Db, table: SQLiteTable, where: Sql | undefined) {
  return db.select({ n: count() }).from(table).where(where);
}

/** A page of results and the count of all that match. */
export type Paginated<T> = { results: T[]; count: number };

/** The number a batched `countQuery` answered. */
export const countOf = (rows: { n: number }[]): number => rows[0]?.n ?? 0;

/** How many of a table's rows match `where`. */
export async function countWhere(db: Db, table: SQLiteTable, where: Sql | undefined): Promise<number> {
  return (await countQuery(db, table, where).get())?.n ?? 0;
}

/**
 * The filter, count and paginate reads of a table whose listing takes filters and a sort: built
 * from its WHERE and ORDER BY, the mapping of its rows (called on each piece as it is read), and
 * the branches of a filter that a merged page reads faster (see pageOf).
 * `filter` and `paginate` answer their rows in pieces (see above); a route streams them.
 */
export function listing<T extends SQLiteTable, F, S, R>(
  table: T,
  where: (filters: F) => Sql | undefined,
  order: (sort: S) => (Sql | SQLiteColumn)[],
  toResults: (rows: T["$inferSelect"][]) => R[],
  branches?: (filters: F, sort: S) => Sql[] | undefined,
) {
  const select = (db: Db) => db.select().from(table as SQLiteTable).$dynamic();
  const pageFor = (db: Db, filters: F, sort: S, limit: number, offset: number): Page =>
    pageOf(() => select(db), table, { where: where(filters), orderBy: order(sort), limit, offset }, branches?.(filters, sort));
  const mapped = (pieces: Pieces<T["$inferSelect"]>): Pieces<R> => mapPieces(pieces as Pieces<T["$inferSelect"]>, toResults);
  return {
    filter: async (db: Db, filters: F, sort: S, limit: number, offset: number): Promise<Pieces<R>> =>
      mapped((await readPaged(db, select(db), pageFor(db, filters, sort, limit, offset))) as Pieces<T["$inferSelect"]>),
    count: (db: Db, filters: F): Promise<number> => countWhere(db, table, where(filters)),
    /** One page (its first piece) and the total, in one round trip. */
    paginate: async (db: Db, filters: F, sort: S, limit: number, offset: number): Promise<{ results: Pieces<R>; count: number }> => {
      const [pieces, counted] = await readPagedWith(db, select(db), pageFor(db, filters, sort, limit, offset), countQuery(db, table, where(filters)));
      return { results: mapped(pieces as Pieces<T["$inferSelect"]>), count: countOf(counted) };
    },
  };
}
