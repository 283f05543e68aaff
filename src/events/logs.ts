import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { createLogs, toLog } from "../db/queries/logs";
import type { LogCreate } from "../schemas/prefect.gen";
import { publishLogs } from "./publish";

/**
 * Stores logs (db/queries/logs.ts `createLogs`) and publishes them, as stored — with their ids —
 * to /logs/out subscribers, each batch once it has committed.
 */
export async function createAndPublishLogs(env: Bindings, db: Db, logs: LogCreate[]): Promise<void> {
  await createLogs(db, logs, (rows) => publishLogs(rows.map(toLog), env));
}
