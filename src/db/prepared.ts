import { is, Param, Placeholder, SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Statement } from "./batch";
import { d1Of, type Db } from "./client";
import { BoundedCache } from "../lib/bounded-cache";

/**
 * Statements whose SQL drizzle builds once per D1 handle (its query builder costs more CPU than
 * a D1 round trip for a many-column statement), declared with `sql.placeholder(...)` and bound
 * with their values on each use. For hot paths only; elsewhere the builder is clearer.
 */

/** A drizzle query prepared once per handle (SQL and result mapping built once): run it with its placeholder values. */
export function preparedQuery<P>(build: (db: Db) => P): (db: Db) => P {
  const cache = new WeakMap<Db, P>();
  return (db) => {
    let prepared = cache.get(db);
    if (!prepared) cache.set(db, (prepared = build(db)));
    return prepared;
  };
}

type Buildable = { toSQL(): { sql: string; params: unknown[] } } | SQL;
const dialect = new SQLiteAsyncDialect();

/** How each bound parameter gets its value: a constant, or a placeholder's value (encoded or not). */
type Binder = (values: Record<string, unknown>) => unknown;

interface Built {
  stmt: D1PreparedStatement;
  binders: Binder[];
}
/** Per handle; the keys are made by code (a statement and its column set), so a few dozen in practice. */
const statements = new WeakMap<Db, BoundedCache<Built>>();
export const PREPARED_PER_HANDLE = 500;

/**
 * A D1 statement whose SQL `build` makes the first time `key` is used on this handle.
 * Placeholders standing for a column's value are encoded as the column does (e.g. JSON), except
 * null (or undefined), which is NULL — as drizzle's builder writes it, not JSON's `null`.
 */
export function preparedStatement(db: Db, key: string, build: () => Buildable, values: Record<string, unknown>): D1PreparedStatement {
  let byKey = statements.get(db);
  if (!byKey) statements.set(db, (byKey = new BoundedCache(PREPARED_PER_HANDLE)));
  const built = byKey.getOrSet(key, () => {
    const source = build();
    const query = is(source, SQL) ? dialect.sqlToQuery(source) : source.toSQL();
    return { stmt: d1Of(db).prepare(query.sql), binders: query.params.map(binder) };
  });
  return built.stmt.bind(...built.binders.map((bind) => bind(values)));
}

/** How many statements handle `db` keeps (for tests). */
export function preparedStatementsHeld(db: Db): number {
  return statements.get(db)?.size ?? 0;
}

function binder(param: unknown): Binder {
  if (is(param, Placeholder)) return (values) => values[param.name] ?? null;
  if (is(param, Param) && is(param.value, Placeholder)) {
    const { name } = param.value;
    const { encoder } = param;
    return (values) => {
      const value = values[name];
      return value == null ? null : encoder.mapToDriverValue(value);
    };
  }
  return () => param;
}

/** Anything a write batch holds: drizzle's builders or D1 statements. */
export type Write = Statement | D1PreparedStatement;

function toD1(db: Db, item: Write): D1PreparedStatement {
  if ("toSQL" in item && typeof item.toSQL === "function") {
    const query = item.toSQL();
    return d1Of(db).prepare(query.sql).bind(...query.params);
  }
  return item as D1PreparedStatement;
}

/** Runs writes in one D1 batch (one round trip, one transaction); answers each statement's result. */
export async function runWrites(db: Db, items: Write[]): Promise<D1Result[]> {
  return items.length ? d1Of(db).batch(items.map((item) => toD1(db, item))) : [];
}
