import type { StoredEvent } from "../../db/queries/events";
import type { Firing, LoadedAutomation } from "./contract";

/**
 * One automation's evaluation state in its AutomationTriggers object's SQLite storage — Prefect's
 * automation_bucket and composite_trigger_child_firing rows, the causal-ordering bookkeeping
 * (events seen, followers held back) and when each proactive trigger is next evaluated.
 * Times are epoch microseconds (events carry microseconds).
 */
export interface Bucket {
  triggerId: string;
  key: string[];
  start: number;
  end: number;
  count: number;
  lastEvent: StoredEvent | null;
}

export interface HeldEvent {
  event: StoredEvent;
  heldAt: number;
}

type Row = Record<string, SqlStorageValue>;

export class TriggerState {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS bucket (
      trigger_id TEXT NOT NULL, key TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
      count INTEGER NOT NULL, last_event TEXT, proactive INTEGER NOT NULL,
      PRIMARY KEY (trigger_id, key))`);
    sql.exec(`CREATE INDEX IF NOT EXISTS bucket_end ON bucket (proactive, "end")`);
    sql.exec(`CREATE TABLE IF NOT EXISTS proactive_run (trigger_id TEXT PRIMARY KEY, at INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS child_firing (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, parent_id TEXT NOT NULL, child_id TEXT NOT NULL,
      triggered INTEGER NOT NULL, firing TEXT NOT NULL)`);
    sql.exec(`CREATE UNIQUE INDEX IF NOT EXISTS child_firing_child ON child_firing (parent_id, child_id)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS seen_event (id TEXT PRIMARY KEY, at INTEGER NOT NULL)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS seen_event_at ON seen_event (at)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS held_event (id TEXT PRIMARY KEY, leader TEXT NOT NULL, event TEXT NOT NULL, held_at INTEGER NOT NULL)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS held_event_leader ON held_event (leader)`);
  }

  private one(query: string, ...args: SqlStorageValue[]): Row | null {
    const rows = this.sql.exec(query, ...args).toArray();
    return rows[0] ?? null;
  }

  // ---- the automation this object evaluates (for its alarm) ----

  automation(): LoadedAutomation | null {
    const row = this.one(`SELECT value FROM meta WHERE key = 'automation'`);
    return row ? JSON.parse(row.value as string) : null;
  }

  saveAutomation(json: string): void {
    this.sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('automation', ?)`, json);
  }

  /** Prefect's events clock: the latest `occurred` processed (not ahead of the wall clock) and when. */
  eventsClock(): { occurred: number; updated: number } | null {
    const row = this.one(`SELECT value FROM meta WHERE key = 'events_clock'`);
    return row ? JSON.parse(row.value as string) : null;
  }

  saveEventsClock(clock: { occurred: number; updated: number }): void {
    this.sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('events_clock', ?)`, JSON.stringify(clock));
  }

  // ---- buckets ----

  private bucketOf(row: Row): Bucket {
    return {
      triggerId: row.trigger_id as string,
      key: JSON.parse(row.key as string),
      start: row.start as number,
      end: row.end as number,
      count: row.count as number,
      lastEvent: row.last_event ? JSON.parse(row.last_event as string) : null,
    };
  }

  readBucket(triggerId: string, key: string[]): Bucket | null {
    const row = this.one(`SELECT * FROM bucket WHERE trigger_id = ? AND key = ?`, triggerId, JSON.stringify(key));
    return row ? this.bucketOf(row) : null;
  }

  /** The bucket for this key, created with these values if there is none (only its last event changes). */
  ensureBucket(triggerId: string, proactive: boolean, key: string[], start: number, end: number, lastEvent: StoredEvent | null, initialCount = 0): Bucket {
    const existing = this.readBucket(triggerId, key);
    if (existing) {
      if (!lastEvent) return existing;
      this.sql.exec(`UPDATE bucket SET last_event = ? WHERE trigger_id = ? AND key = ?`, JSON.stringify(lastEvent), triggerId, JSON.stringify(key));
      return { ...existing, lastEvent };
    }
    return this.startBucket(triggerId, proactive, key, start, end, initialCount, lastEvent);
  }

  /** Replaces the key's bucket with a new window. */
  startBucket(triggerId: string, proactive: boolean, key: string[], start: number, end: number, count: number, lastEvent: StoredEvent | null): Bucket {
    this.sql.exec(
      `INSERT OR REPLACE INTO bucket (trigger_id, key, start, "end", count, last_event, proactive) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      triggerId, JSON.stringify(key), start, end, count, lastEvent ? JSON.stringify(lastEvent) : null, proactive ? 1 : 0,
    );
    return { triggerId, key, start, end, count, lastEvent };
  }

  incrementBucket(bucket: Bucket, count: number, lastEvent: StoredEvent | null): Bucket {
    const key = JSON.stringify(bucket.key);
    if (lastEvent) this.sql.exec(`UPDATE bucket SET count = count + ?, last_event = ? WHERE trigger_id = ? AND key = ?`, count, JSON.stringify(lastEvent), bucket.triggerId, key);
    else this.sql.exec(`UPDATE bucket SET count = count + ? WHERE trigger_id = ? AND key = ?`, count, bucket.triggerId, key);
    return { ...bucket, count: bucket.count + count, lastEvent: lastEvent ?? bucket.lastEvent };
  }

  removeBucket(bucket: Bucket): void {
    this.sql.exec(`DELETE FROM bucket WHERE trigger_id = ? AND key = ?`, bucket.triggerId, JSON.stringify(bucket.key));
  }

  removeBucketsReaching(triggerId: string, threshold: number): void {
    this.sql.exec(`DELETE FROM bucket WHERE trigger_id = ? AND count >= ?`, triggerId, threshold);
  }

  bucketsOf(triggerId: string): Bucket[] {
    return this.sql.exec(`SELECT * FROM bucket WHERE trigger_id = ? ORDER BY start`, triggerId).toArray().map((r) => this.bucketOf(r));
  }

  /** Proactive triggers with a window that has ended by `now`. */
  triggersWithEndedWindows(now: number): Set<string> {
    const rows = this.sql.exec(`SELECT DISTINCT trigger_id FROM bucket WHERE proactive = 1 AND "end" <= ?`, now).toArray();
    return new Set(rows.map((r) => r.trigger_id as string));
  }

  earliestProactiveEnd(): number | null {
    return (this.one(`SELECT MIN("end") AS at FROM bucket WHERE proactive = 1`)?.at as number | null) ?? null;
  }

  /** Prefect's sweep of buckets whose window closed long ago (reactive ones only, or all). */
  sweepBuckets(endedBefore: number, reactiveOnly: boolean): void {
    this.sql.exec(`DELETE FROM bucket WHERE "end" <= ?${reactiveOnly ? " AND proactive = 0" : ""}`, endedBefore);
  }

  // ---- proactive schedule ----

  proactiveRuns(): Map<string, number> {
    return new Map(this.sql.exec(`SELECT trigger_id, at FROM proactive_run`).toArray().map((r) => [r.trigger_id as string, r.at as number]));
  }

  setProactiveRun(triggerId: string, at: number): void {
    this.sql.exec(`INSERT OR REPLACE INTO proactive_run (trigger_id, at) VALUES (?, ?)`, triggerId, at);
  }

  // ---- composite triggers' child firings (latest per child) ----

  clearChildFiringsBefore(parentId: string, before: number): void {
    this.sql.exec(`DELETE FROM child_firing WHERE parent_id = ? AND triggered < ?`, parentId, before);
  }

  upsertChildFiring(parentId: string, childId: string, triggered: number, firing: Firing): void {
    this.sql.exec(`DELETE FROM child_firing WHERE parent_id = ? AND child_id = ?`, parentId, childId);
    this.sql.exec(`INSERT INTO child_firing (parent_id, child_id, triggered, firing) VALUES (?, ?, ?, ?)`, parentId, childId, triggered, JSON.stringify(firing));
  }

  /** The stored child firings, oldest first (ties in the order they were stored). */
  childFirings(parentId: string): Firing[] {
    return this.sql.exec(`SELECT firing FROM child_firing WHERE parent_id = ? ORDER BY triggered, seq`, parentId).toArray().map((r) => JSON.parse(r.firing as string));
  }

  clearChildFirings(parentId: string): void {
    this.sql.exec(`DELETE FROM child_firing WHERE parent_id = ?`, parentId);
  }

  // ---- causal ordering ----

  hasSeen(eventId: string): boolean {
    return this.one(`SELECT 1 AS x FROM seen_event WHERE id = ?`, eventId) !== null;
  }

  markSeen(eventId: string, at: number): void {
    this.sql.exec(`INSERT OR REPLACE INTO seen_event (id, at) VALUES (?, ?)`, eventId, at);
  }

  forgetSeenBefore(before: number): void {
    this.sql.exec(`DELETE FROM seen_event WHERE at < ?`, before);
  }

  hold(event: StoredEvent, at: number): void {
    this.sql.exec(`INSERT OR REPLACE INTO held_event (id, leader, event, held_at) VALUES (?, ?, ?, ?)`, event.id, event.follows!, JSON.stringify(event), at);
  }

  isHeld(eventId: string): boolean {
    return this.one(`SELECT 1 AS x FROM held_event WHERE id = ?`, eventId) !== null;
  }

  /** Takes the followers waiting for `leaderId` out of the hold, in the order they occurred. */
  releaseFollowers(leaderId: string): StoredEvent[] {
    const rows = this.sql.exec(`SELECT event FROM held_event WHERE leader = ?`, leaderId).toArray();
    if (!rows.length) return [];
    this.sql.exec(`DELETE FROM held_event WHERE leader = ?`, leaderId);
    return rows.map((r) => JSON.parse(r.event as string) as StoredEvent).sort(byOccurred);
  }

  held(): HeldEvent[] {
    return this.sql.exec(`SELECT event, held_at FROM held_event ORDER BY held_at`).toArray().map((r) => ({ event: JSON.parse(r.event as string), heldAt: r.held_at as number }));
  }

  release(eventId: string): void {
    this.sql.exec(`DELETE FROM held_event WHERE id = ?`, eventId);
  }

  earliestHold(): number | null {
    return (this.one(`SELECT MIN(held_at) AS at FROM held_event`)?.at as number | null) ?? null;
  }

  /** Forgets the state of triggers no longer in the automation (it changed without a reset). */
  keepOnlyTriggers(ids: string[]): void {
    const list = JSON.stringify(ids);
    this.sql.exec(`DELETE FROM bucket WHERE trigger_id NOT IN (SELECT value FROM json_each(?))`, list);
    this.sql.exec(`DELETE FROM proactive_run WHERE trigger_id NOT IN (SELECT value FROM json_each(?))`, list);
    this.sql.exec(`DELETE FROM child_firing WHERE parent_id NOT IN (SELECT value FROM json_each(?)) OR child_id NOT IN (SELECT value FROM json_each(?))`, list, list);
  }

  /** Forgets everything (the automation changed or went away). */
  clear(): void {
    for (const table of ["meta", "bucket", "proactive_run", "child_firing", "seen_event", "held_event"]) this.sql.exec(`DELETE FROM ${table}`);
  }
}

export function byOccurred(a: StoredEvent, b: StoredEvent): number {
  return micros(a.occurred) - micros(b.occurred);
}

/** Epoch microseconds of an ISO timestamp (fractions beyond milliseconds kept). */
export function micros(iso: string): number {
  const ms = Date.parse(iso);
  const frac = /\.(\d+)/.exec(iso)?.[1];
  if (!frac || frac.length <= 3) return ms * 1000;
  return Math.floor(ms / 1000) * 1_000_000 + Number(frac.padEnd(6, "0").slice(0, 6));
}

/** ISO-8601 UTC with microseconds, as Prefect writes timestamps. */
export function isoOfMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const frac = String(Math.floor(us) % 1_000_000).padStart(6, "0");
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}
