import { sql, type SQL } from "drizzle-orm";

/** An upsert's SET that takes each named column from the row the conflict refused (`excluded.<column>`). */
export function fromExcluded<K extends string>(...columns: K[]): Record<K, SQL> {
  return Object.fromEntries(columns.map((c) => [c, sql.raw(`excluded.${c}`)])) as Record<K, SQL>;
}
