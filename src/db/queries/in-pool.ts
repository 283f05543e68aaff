import { and, eq } from "drizzle-orm";
import type { SQLiteSelect } from "drizzle-orm/sqlite-core";
import type { Db } from "../client";
import { allOf } from "../../lib/pieces";
import { readPagedWith, type Page } from "../page";
import { workPool } from "../schema";

/**
 * A page of one pool's rows (its queues, its workers: `query` joins `work_pool`), narrowed to the
 * named pool; null when there is no such pool. One round trip.
 */
export async function pageInPool<Q extends SQLiteSelect>(db: Db, poolName: string, query: Q, page: Page): Promise<Awaited<Q> | null> {
  const inPool = { ...page, where: and(eq(workPool.name, poolName), page.where) };
  const [rows, pool] = await readPagedWith(db, query, inPool, db.select({ id: workPool.id }).from(workPool).where(eq(workPool.name, poolName)).limit(1));
  return pool.length ? ((await allOf(rows)) as Awaited<Q>) : null;
}
