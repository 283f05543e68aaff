import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { readPagedRows, readPagedWith } from "../page";
import { MAX_LIMIT } from "../pagination";
import { allOf } from "../../lib/pieces";
import { automation } from "../schema";
import { toAutomation } from "./automations";
import type { Automation } from "../../schemas/prefect.gen";

/**
 * What the automations engine's in-isolate index is loaded from: the enabled automations, and a
 * snapshot of the whole table (Prefect's automation state snapshot: count and latest `updated`)
 * that changes with every create, update, enable/disable and delete, so an isolate can tell that
 * its index is stale by reading two numbers.
 */
export type AutomationSnapshot = string;

/** The snapshot query, to add to a D1 batch the caller runs anyway (see snapshotOf). */
export function automationSnapshotQuery(db: Db) {
  return db.select({ count: sql<number>`count(*)`, updated: sql<string | null>`max(${automation.updated})` }).from(automation);
}

/** The snapshot from automationSnapshotQuery's rows. */
export function snapshotOf(rows: { count: number; updated: string | null }[]): AutomationSnapshot {
  const row = rows[0];
  return `${row?.count ?? 0}|${row?.updated ?? ""}`;
}

export async function readAutomationSnapshot(db: Db): Promise<AutomationSnapshot> {
  return snapshotOf(await automationSnapshotQuery(db));
}

/**
 * The enabled automations and the snapshot they were read at: the first page in the snapshot's
 * round trip (one transaction), further pages after it, each read in pieces (page.ts). A later
 * page may be newer than the snapshot, which only makes the next check reload.
 */
export async function readEnabledAutomations(db: Db): Promise<{ automations: Automation[]; snapshot: AutomationSnapshot }> {
  const select = () => db.select().from(automation).$dynamic();
  const page = (offset: number) => ({ where: eq(automation.enabled, true), orderBy: [asc(automation.id)], limit: MAX_LIMIT, offset });
  const [first, snapshot] = await readPagedWith(db, select(), page(0), automationSnapshotQuery(db));
  const rows = await allOf(first);
  for (let last = rows.length; last === MAX_LIMIT; ) {
    const more = await readPagedRows(db, select(), page(rows.length));
    rows.push(...more);
    last = more.length;
  }
  return { automations: rows.map(toAutomation), snapshot: snapshotOf(snapshot) };
}
