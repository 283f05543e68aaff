import { d1Of, type Db } from "../db/client";

/**
 * Keeps SQLite's query-planner statistics current: `PRAGMA optimize` runs ANALYZE on the tables
 * whose size changed enough since they were last analyzed (milliseconds when none did), as D1's
 * guide advises — with mask 0x10002, every table (the plain form only looks at tables the
 * connection's recent queries used, and so may never get to them). Without statistics the planner filters runs through the most selective-looking
 * index and sorts every match (100 000 runs: tens of ms per page) where reading the sort
 * column's index in order and stopping at the page's end takes well under one.
 */
export async function refreshPlannerStatistics(db: Db): Promise<void> {
  const d1 = d1Of(db);
  try {
    await d1.prepare("PRAGMA optimize=0x10002").run();
  } catch (err) {
    console.warn("planner statistics: PRAGMA optimize=0x10002 refused; running the plain form", err);
    await d1.prepare("PRAGMA optimize").run();
  }
}
