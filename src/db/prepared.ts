import { is, Param, Placeholder } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { d1Of, type Db } from "./client";

/**
 * Statements whose SQL drizzle builds once per D1 handle (its query builder costs more CPU than
 * a D1 round trip for a many-column statement), declared with `sql.placeholder(...)` and bound
 * with their values on each use. For hot paths only; elsewhere the builder is clearer.
 */

/** A read prepared once per handle: run it with its placeholder values. */
export function preparedQuery<P>(build: (db: Db) => P): (db: Db) => P {
  const cache = new WeakMap<Db, P>();
  return (db) => {
    let prepared = cache.get(db);
    if (!prepared) cache.set(db, (prepared = build(db)));
    return prepared;
  };
}

interface Built {
  stmt: D1PreparedStatement;
  params: unknown[];
}
const writes = new WeakMap<Db, Map<string, Built>>();

/**
 * A write as a D1 statement, its SQL built by `build` the first time `key` is used on this handle.
 * Placeholders standing for a column's value are encoded as the column does (e.g. JSON), except
 * null (or undefined), which is NULL — as drizzle's builder writes it, not JSON's `null`.
 */
export function preparedWrite(db: Db, key: string, build: () => { toSQL(): { sql: string; params: unknown[] } }, values: Record<string, unknown>): D1PreparedStatement {
  let byKey = writes.get(db);
  if (!byKey) writes.set(db, (byKey = new Map()));
  let built = byKey.get(key);
  if (!built) {
    const query = build().toSQL();
    byKey.set(key, (built = { stmt: d1Of(db).prepare(query.sql), params: query.params }));
  }
  return built.stmt.bind(...built.params.map((p) => bindValue(p, values)));
}

function bindValue(param: unknown, values: Record<string, unknown>): unknown {
  if (is(param, Placeholder)) return values[param.name] ?? null;
  if (is(param, Param) && is(param.value, Placeholder)) {
    const value = values[param.value.name];
    return value == null ? null : param.encoder.mapToDriverValue(value);
  }
  return param;
}

/** Anything a write batch holds: drizzle's builders or D1 statements. */
export type Write = BatchItem<"sqlite"> | D1PreparedStatement;

function toD1(db: Db, item: Write): D1PreparedStatement {
  if ("toSQL" in item && typeof item.toSQL === "function") {
    const query = item.toSQL();
    return d1Of(db).prepare(query.sql).bind(...query.params);
  }
  return item as D1PreparedStatement;
}

/** Runs writes in one D1 batch (one round trip, one transaction). */
export async function runWrites(db: Db, items: Write[]): Promise<void> {
  if (items.length) await d1Of(db).batch(items.map((item) => toD1(db, item)));
}
