import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { log } from "../db/schema";
import { createLogs, toLog } from "../db/queries/logs";
import type { Log, LogCreate } from "../schemas/prefect.gen";
import { publishLogs } from "./publish";

/**
 * Stores logs (db/queries/logs.ts `createLogs`, unchanged) and publishes them, as stored — with
 * their ids — to /logs/out subscribers once every batch has committed. The stored rows are read
 * off the inserts `createLogs` builds, through a handle that only watches `insert(log).values()`.
 */
export async function createAndPublishLogs(env: Bindings, db: Db, logs: LogCreate[]): Promise<void> {
  const rows: (typeof log.$inferInsert)[] = [];
  const watched = new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== "insert" || typeof value !== "function") return typeof value === "function" ? value.bind(target) : value;
      return (table: unknown) => {
        const builder = value.call(target, table);
        if (table !== log) return builder;
        return new Proxy(builder, {
          get(b, p) {
            const v = Reflect.get(b, p, b);
            if (p === "values" && typeof v === "function")
              return (values: (typeof log.$inferInsert)[] | typeof log.$inferInsert) => {
                rows.push(...(Array.isArray(values) ? values : [values]));
                return v.call(b, values);
              };
            return typeof v === "function" ? v.bind(b) : v;
          },
        });
      };
    },
  }) as Db;
  await createLogs(watched, logs);
  publishLogs(rows.map((r) => toLog(r as Parameters<typeof toLog>[0]) as Log), env);
}
