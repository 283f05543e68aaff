import type { SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/* One row by WHERE: read it, or delete it. (Listings and counts are page.ts.) */

/** The first row of a table matching `where`, mapped; undefined when none does. */
export async function readOne<T extends SQLiteTable, R>(db: Db, table: T, where: SQL | undefined, map: (row: T["$inferSelect"]) => R): Promise<R | undefined> {
  const row = await db.select().from(table).where(where).get();
  return row && map(row);
}

/** Deletes a table's rows matching `where`; true when there was one. */
export async function deleteWhere(db: Db, table: SQLiteTable & { id: SQLiteColumn }, where: SQL | undefined): Promise<boolean> {
  const rows = await db.delete(table).where(where).returning({ id: table.id });
  return rows.length > 0;
}
