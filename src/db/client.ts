import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as schema from "./schema";
import { rowGuardedD1 } from "./row-guard";
import { limitCheckedD1 } from "../lib/d1-limits/checked-d1";

export type Db = DrizzleD1Database<typeof schema>;

const cache = new WeakMap<D1Database, Db>();

/**
 * One drizzle handle per D1 binding: building it (the schema's relational config) costs CPU. Its
 * statements refuse values too large for a D1 row (row-guard.ts).
 */
export function getDb(d1: D1Database): Db {
  let db = cache.get(d1);
  if (!db) cache.set(d1, (db = drizzle(rowGuardedD1(d1), { schema })));
  return db;
}

/** The D1 binding under a drizzle handle, for raw prepared statements and their batches. */
export function d1Of(db: Db): D1Database {
  return (db as Db & { $client: D1Database }).$client;
}

/** The Worker's bindings as far as the database goes. */
export interface DatabaseBindings {
  DB: D1Database;
  /** Tests only: "1" refuses statements beyond production D1's limits (lib/d1-limits). */
  CHECK_D1_LIMITS?: string;
}

/** The D1 binding every part of the server uses (requests, services, Durable Objects): never `env.DB` directly. */
export function d1Binding(env: DatabaseBindings): D1Database {
  return env.CHECK_D1_LIMITS === "1" ? limitCheckedD1(env.DB) : env.DB;
}

/** The drizzle handle over `d1Binding(env)`. */
export function databaseOf(env: DatabaseBindings): Db {
  return getDb(d1Binding(env));
}
