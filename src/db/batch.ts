import type { BatchItem } from "drizzle-orm/batch";

/**
 * One statement of a D1 batch, as drizzle builds it (insert, update, delete, select, raw `sql`):
 * what `db.batch` takes, and with prepared D1 statements what `runWrites` takes (prepared.ts).
 */
export type Statement = BatchItem<"sqlite">;

/** drizzle's `db.batch` wants a non-empty tuple; the batches built here are lists. */
export type Batch = [Statement, ...Statement[]];
