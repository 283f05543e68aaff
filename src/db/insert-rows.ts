import { getTableColumns } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Statement } from "./batch";
import type { Db } from "./client";

/** D1 binds at most 100 parameters per statement. */
const MAX_PARAMS = 100;

/** Rows per multi-row INSERT into `table`: as many as its columns' parameters fit in one statement. */
export function rowsPerInsert(table: SQLiteTable): number {
  return Math.max(1, Math.floor(MAX_PARAMS / Object.keys(getTableColumns(table)).length));
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The INSERTs of `rows` into `table`, each within D1's bound parameters (for one batch). */
export function insertsOf<T extends SQLiteTable>(db: Db, table: T, rows: T["$inferInsert"][]): Statement[] {
  return chunks(rows, rowsPerInsert(table)).map((c) => db.insert(table).values(c) as unknown as Statement);
}
