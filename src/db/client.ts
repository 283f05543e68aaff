import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = DrizzleD1Database<typeof schema>;

export function getDb(d1: D1Database): Db {
  return drizzle(d1, { schema });
}

/** The D1 binding under a drizzle handle, for raw prepared statements and their batches. */
export function d1Of(db: Db): D1Database {
  return (db as Db & { $client: D1Database }).$client;
}
