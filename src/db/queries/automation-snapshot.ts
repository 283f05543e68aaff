import { eq, sql } from "drizzle-orm";
import type { Db } from "../client";
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

/** The enabled automations and the snapshot they were read at (one round trip, one transaction). */
export async function readEnabledAutomations(db: Db): Promise<{ automations: Automation[]; snapshot: AutomationSnapshot }> {
  const [rows, snapshot] = await db.batch([db.select().from(automation).where(eq(automation.enabled, true)), automationSnapshotQuery(db)]);
  return { automations: rows.map(toAutomation), snapshot: snapshotOf(snapshot) };
}
