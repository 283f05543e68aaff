import { asc, eq, sql, type SQLWrapper } from "drizzle-orm";
import { inList } from "../lists";
import type { Db } from "../client";
import { concurrencyLimitV2 } from "../schema";
import { integrityConflict } from "../../lib/errors";
import { normalizeUuid, uuid4 } from "../../lib/ids";
import { isoNow } from "../../lib/time";
import type { ConcurrencyLimitV2, GlobalConcurrencyLimitResponse } from "../../schemas/prefect.gen";
import { refusingViolations } from "../integrity";

/**
 * Global concurrency limits (v2) in D1: the definitions, and the counts their Durable Objects
 * last reported (src/concurrency/concurrency-limit.ts). v1 tag limits are the rows named `tag:<tag>`.
 */

export type LimitRow = typeof concurrencyLimitV2.$inferSelect;

export const TAG_PREFIX = "tag:";
export const tagLimitName = (tag: string) => `${TAG_PREFIX}${tag}`;
export const deploymentLimitName = (deploymentId: string) => `deployment:${deploymentId}`;

/** Prefect reads active slots drained at `slot_decay_per_second` since the row's `updated`. */
export function activeSlotsAfterDecay(row: Pick<LimitRow, "active_slots" | "slot_decay_per_second" | "updated">, now = Date.now()): number {
  if (!row.slot_decay_per_second) return row.active_slots;
  const elapsed = Math.max(0, (now - Date.parse(row.updated)) / 1000);
  return Math.max(0, row.active_slots - Math.floor(row.slot_decay_per_second * elapsed));
}

export function toConcurrencyLimitV2(row: LimitRow): ConcurrencyLimitV2 {
  return {
    id: row.id,
    created: row.created,
    updated: row.updated,
    active: row.active,
    name: row.name,
    limit: row.limit,
    active_slots: row.active_slots,
    denied_slots: row.denied_slots,
    slot_decay_per_second: row.slot_decay_per_second,
    avg_slot_occupancy_seconds: row.avg_slot_occupancy_seconds,
  };
}

export function toGlobalResponse(row: LimitRow, now = Date.now()): GlobalConcurrencyLimitResponse {
  const { denied_slots: _denied, avg_slot_occupancy_seconds: _occupancy, ...shared } = toConcurrencyLimitV2(row);
  return { ...shared, active_slots: activeSlotsAfterDecay(row, now) };
}

export const minimal = (row: Pick<LimitRow, "id" | "name" | "limit">, name = row.name) => ({ id: row.id, name, limit: row.limit });

/** A taken name, or a required field set to null: the database's integrity error (Prefect's 409). */
const isIntegrityViolation = (err: unknown) => /UNIQUE constraint failed|NOT NULL constraint failed/i.test(String((err as any)?.cause ?? err));

/** Pydantic's UUID forms (hyphens optional, braces, `urn:uuid:`); null when `value` is no UUID. */
export function parseUuid(value: string): string | null {
  // As Python's uuid.UUID(str): drop "urn:" / "uuid:", surrounding braces and every hyphen.
  const hex = value.replace("urn:", "").replace("uuid:", "").replace(/^[{}]+|[{}]+$/g, "").replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  return normalizeUuid(hex);
}

/** Prefect looks a path's `id_or_name` up by id when it parses as a UUID, by name otherwise. */
export function byIdOrName(idOrName: string) {
  const id = parseUuid(idOrName);
  return id ? eq(concurrencyLimitV2.id, id) : eq(concurrencyLimitV2.name, idOrName);
}

export interface LimitInput {
  name: string;
  limit: number;
  active?: boolean;
  active_slots?: number;
  denied_slots?: number;
  slot_decay_per_second?: number;
}

/** Inserts a limit; a taken name is Prefect's 409. */
export async function createLimit(db: Db, input: LimitInput): Promise<LimitRow> {
  const now = isoNow();
  const rows = await refusingViolations(
    db
      .insert(concurrencyLimitV2)
      .values({
        id: uuid4(),
        created: now,
        updated: now,
        name: input.name,
        limit: input.limit,
        active: input.active ?? true,
        active_slots: input.active_slots ?? 0,
        denied_slots: input.denied_slots ?? 0,
        slot_decay_per_second: input.slot_decay_per_second ?? 0,
      })
      .returning(),
    integrityConflict,
    isIntegrityViolation,
  );
  return rows[0];
}

export async function readLimit(db: Db, idOrName: string): Promise<LimitRow | undefined> {
  return db.select().from(concurrencyLimitV2).where(byIdOrName(idOrName)).get();
}

export async function readLimitById(db: Db, id: string): Promise<LimitRow | undefined> {
  return db.select().from(concurrencyLimitV2).where(eq(concurrencyLimitV2.id, normalizeUuid(id))).get();
}

export async function readLimitByName(db: Db, name: string): Promise<LimitRow | undefined> {
  return db.select().from(concurrencyLimitV2).where(eq(concurrencyLimitV2.name, name)).get();
}

/** The limits of these names that exist, by name. */
export async function readLimitsByNames(db: Db, names: string[]): Promise<LimitRow[]> {
  const unique = [...new Set(names)];
  if (!unique.length) return [];
  const out = await db.select().from(concurrencyLimitV2).where(inList(concurrencyLimitV2.name, unique));
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The limits of a run's tags (`tag:<tag>` for each tag in the JSON `tags` column), as one JSON
 * array column of a run's read (parse with `parseLimitRows`).
 */
export function tagLimitsJson(tags: SQLWrapper) {
  const l = concurrencyLimitV2;
  return sql<string | null>`(SELECT json_group_array(json_object('id', ${l.id}, 'created', ${l.created}, 'updated', ${l.updated}, 'active', ${l.active}, 'name', ${l.name}, 'limit', ${l.limit}, 'active_slots', ${l.active_slots}, 'denied_slots', ${l.denied_slots}, 'slot_decay_per_second', ${l.slot_decay_per_second}, 'avg_slot_occupancy_seconds', ${l.avg_slot_occupancy_seconds})) FROM ${l} WHERE ${l.name} IN (SELECT 'tag:' || value FROM json_each(${tags})))`;
}

export function parseLimitRows(json: string | null | undefined): LimitRow[] {
  if (!json) return [];
  const rows = JSON.parse(json) as (Omit<LimitRow, "active"> & { active: number | boolean })[];
  return rows.map((r) => ({ ...r, active: !!r.active })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function filterLimits(db: Db, limit: number, offset: number, namePrefix?: string): Promise<LimitRow[]> {
  return db
    .select()
    .from(concurrencyLimitV2)
    .where(namePrefix ? sql`substr(${concurrencyLimitV2.name}, 1, ${namePrefix.length}) = ${namePrefix}` : undefined)
    .orderBy(asc(concurrencyLimitV2.name))
    .limit(limit)
    .offset(offset);
}

export type LimitPatch = Partial<Record<"active" | "name" | "limit" | "active_slots" | "denied_slots" | "slot_decay_per_second", unknown>>;

/**
 * Applies the sent fields (Prefect's exclude_unset); an explicit null for one of these NOT NULL
 * columns, or a taken name, is Prefect's integrity 409. Answers the row after, or undefined.
 */
export async function updateLimit(db: Db, id: string, patch: LimitPatch): Promise<LimitRow | undefined> {
  if (Object.values(patch).some((v) => v === null)) throw integrityConflict();
  const rows = await refusingViolations(
    db
      .update(concurrencyLimitV2)
      .set({ ...(patch as Partial<LimitRow>), updated: isoNow() })
      .where(eq(concurrencyLimitV2.id, id))
      .returning(),
    integrityConflict,
    isIntegrityViolation,
  );
  return rows[0];
}

export async function deleteLimit(db: Db, id: string): Promise<LimitRow | undefined> {
  const rows = await db.delete(concurrencyLimitV2).where(eq(concurrencyLimitV2.id, id)).returning();
  return rows[0];
}

/**
 * A limit object's write-back of its counts (src/concurrency/concurrency-limit.ts): applied only
 * over an older `updated`, so write-backs landing out of order never leave older counts. True
 * when the row took it (false: the row is gone or carries a newer `updated`).
 */
export async function writeBackLimitCounts(
  d1: D1Database,
  id: string,
  counts: Pick<LimitRow, "active_slots" | "denied_slots" | "avg_slot_occupancy_seconds">,
  updated: string,
): Promise<boolean> {
  const res = await d1
    .prepare(`UPDATE concurrency_limit_v2 SET active_slots = ?, denied_slots = ?, avg_slot_occupancy_seconds = ?, updated = ? WHERE id = ? AND updated <= ?`)
    .bind(counts.active_slots, counts.denied_slots, counts.avg_slot_occupancy_seconds, updated, id, updated)
    .run();
  return (res.meta?.changes ?? 0) > 0;
}

/** The limit row's `updated`, or null when the row is gone. */
export async function limitRowUpdated(d1: D1Database, id: string): Promise<string | null> {
  const row = await d1.prepare(`SELECT updated FROM concurrency_limit_v2 WHERE id = ?`).bind(id).first<{ updated: string }>();
  return row?.updated ?? null;
}
