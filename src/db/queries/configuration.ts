import { eq } from "drizzle-orm";
import type { Db } from "../client";
import { configuration } from "../schema";
import { uuid4 } from "../../lib/ids";
import { isoNow } from "../../lib/time";

/** The server's stored configuration: one JSON value per key (e.g. the default result storage). */
export async function readConfiguration(db: Db, key: string): Promise<Record<string, any> | undefined> {
  const row = await db.select().from(configuration).where(eq(configuration.key, key)).get();
  return row?.value ?? undefined;
}

export async function writeConfiguration(db: Db, key: string, value: Record<string, unknown>): Promise<void> {
  const now = isoNow();
  await db
    .insert(configuration)
    .values({ id: uuid4(), created: now, updated: now, key, value })
    .onConflictDoUpdate({ target: configuration.key, set: { value, updated: now } });
}

export async function deleteConfiguration(db: Db, key: string): Promise<void> {
  await db.delete(configuration).where(eq(configuration.key, key));
}
