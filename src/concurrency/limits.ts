import type { Context } from "hono";
import type { Bindings } from "../env";
import type { Db } from "../db/client";
import * as q from "../db/queries/concurrency-limits";
import type { LimitRow } from "../db/queries/concurrency-limits";
import { ApiError, unprocessable, integrityConflict } from "../lib/errors";
import { normalizeUuid, uuid4 } from "../lib/ids";
import type { LeaseHolder } from "./limit-counter";
import type { ConcurrencyLimit as V1Limit, MinimalConcurrencyLimitResponse } from "../schemas/prefect.gen";
import {
  acquireSlots,
  definitionOf,
  finishRevoking,
  limitStub,
  releaseHolder,
  releaseLease,
  renewLease,
  retryAfterSeconds,
  taskRunHolders,
} from "./slots";
import { TAG_SLOT_WAIT_SECONDS, V1_LEASE_SECONDS } from "./settings";
import { pyFloatRepr, pyStrRepr } from "../lib/python";
import { emitEvents } from "../events/outbox";
import { type ServerEvent } from "../db/queries/event-outbox";

/**
 * The v1 and v2 concurrency-limit operations, as Prefect 3.8's API answers them, over the one
 * mechanism of src/concurrency/slots.ts.
 */

/** A refused increment: 423 with Prefect's body and Retry-After. */
export class Locked extends ApiError {
  constructor(
    readonly retryAfter: string | null,
    detail = "Locked",
  ) {
    super(423, detail);
  }

  toResponse(c: Context): Response {
    const res = c.json({ detail: this.detail }, 423);
    if (this.retryAfter !== null) res.headers.set("Retry-After", this.retryAfter);
    return res;
  }
}

// ---------------------------------------------------------------- v2 definitions

/** Prefect's `prefect.concurrency-limit.{created,updated,deleted}` lifecycle event. */
function lifecycleEvent(action: "created" | "updated" | "deleted", row: LimitRow): ServerEvent {
  return {
    event: `prefect.concurrency-limit.${action}`,
    resource: { "prefect.resource.id": `prefect.concurrency-limit.${row.id}`, "prefect.resource.name": row.name },
    payload: { name: row.name, limit: row.limit, active: !!row.active, slot_decay_per_second: row.slot_decay_per_second },
  };
}

export async function createLimit(env: Bindings, db: Db, input: q.LimitInput): Promise<LimitRow> {
  const row = await q.createLimit(db, input);
  await emitEvents([lifecycleEvent("created", row)], env);
  return row;
}

/** A PATCH: D1 first, then the limit's object takes the new definition (and any counts sent). */
export async function updateLimit(env: Bindings, db: Db, row: LimitRow, patch: q.LimitPatch): Promise<LimitRow | undefined> {
  const after = await q.updateLimit(db, row.id, patch);
  if (!after) return undefined;
  await limitStub(env, after.id).configure(definitionOf(after), {
    ...(typeof patch.active_slots === "number" ? { active_slots: patch.active_slots } : {}),
    ...(typeof patch.denied_slots === "number" ? { denied_slots: patch.denied_slots } : {}),
  });
  await emitEvents([lifecycleEvent("updated", after)], env);
  return after;
}

/** Deletes the definition, then everything the limit's object held (leases spanning other limits are revoked there too). */
export async function deleteLimit(env: Bindings, db: Db, row: LimitRow): Promise<boolean> {
  const deleted = await q.deleteLimit(db, row.id);
  if (!deleted) return false;
  const refs = await limitStub(env, row.id).drop();
  await finishRevoking(env, row.id, refs);
  await emitEvents([lifecycleEvent("deleted", deleted)], env);
  return true;
}

// ---------------------------------------------------------------- v2 slots

export type Mode = "concurrency" | "rate_limit";

/** Prefect's checks before taking slots: every active limit can hold them; rate limits decay. */
function checkAcquirable(rows: LimitRow[], slots: number, mode: Mode): void {
  const active = rows.filter((r) => r.active);
  if (active.some((r) => r.limit < slots)) throw unprocessable("Slots requested is greater than the limit");
  const nonDecaying = active.filter((r) => r.slot_decay_per_second === 0).map((r) => r.name);
  if (mode === "rate_limit" && nonDecaying.length) {
    throw unprocessable(
      `Only concurrency limits with slot decay can be used for rate limiting. The following limits do not have a decay configured: ${pyStrRepr(nonDecaying.join(","))}`,
    );
  }
}

export interface IncrementRequest {
  names: string[];
  slots: number;
  mode: Mode;
  /** With a lease: its duration (seconds) and holder. */
  lease?: { duration: number; holder: LeaseHolder | null };
}

/**
 * Takes `slots` in every named limit that exists (all or none; inactive ones take nothing).
 * Answers the limits (Prefect lists inactive ones too) and the lease; 423 with Retry-After when
 * one is full. Names without a limit are skipped: no limit at all still answers a lease, so that
 * the SDK's tagged tasks run.
 */
export async function increment(env: Bindings, db: Db, req: IncrementRequest): Promise<{ limits: MinimalConcurrencyLimitResponse[]; leaseId: string | null }> {
  const rows = await q.readLimitsByNames(db, req.names);
  checkAcquirable(rows, req.slots, req.mode);
  const limits = rows.map((r) => q.minimal(r));
  if (!rows.length) return { limits, leaseId: req.lease ? uuid4() : null };
  const outcome = await acquireSlots(env, rows, {
    slots: req.slots,
    lease: req.lease ? { ttlSeconds: req.lease.duration, holder: req.lease.holder, kind: "api", indexed: true } : null,
    recordDenied: true,
  });
  if (!outcome.acquired) throw new Locked(pyFloatRepr(retryAfterSeconds(outcome.blocking, req.slots)));
  return { limits, leaseId: outcome.leaseId };
}

/** Gives `slots` back to every named active limit (plain slots, as Prefect's counter). */
export async function decrement(env: Bindings, db: Db, names: string[], slots: number, occupancySeconds: number | null): Promise<MinimalConcurrencyLimitResponse[]> {
  const rows = await q.readLimitsByNames(db, names);
  await Promise.all(rows.filter((r) => r.active).map((r) => limitStub(env, r.id).decrement(definitionOf(r), slots, occupancySeconds)));
  return rows.map((r) => q.minimal(r));
}

/** Releases a lease's slots with its occupancy (nothing when the lease is unknown). */
export async function decrementWithLease(env: Bindings, leaseId: string): Promise<void> {
  await releaseLease(env, normalizeUuid(leaseId), { occupancy: true });
}

export async function renew(env: Bindings, leaseId: string, duration: number): Promise<boolean> {
  return renewLease(env, normalizeUuid(leaseId), duration);
}

// ---------------------------------------------------------------- v1 (tag limits as `tag:<tag>` v2 limits)

export async function toV1(env: Bindings, row: LimitRow, holders?: string[]): Promise<V1Limit> {
  return {
    id: row.id,
    created: row.created,
    updated: row.updated,
    tag: row.name.slice(q.TAG_PREFIX.length),
    concurrency_limit: row.limit,
    active_slots: holders ?? (await taskRunHolders(env, row.id)),
  };
}

/** Prefect 3's v1 create: an upsert of the `tag:<tag>` limit (201 new, 200 existing). */
export async function upsertTagLimit(env: Bindings, db: Db, tag: string, limit: number): Promise<{ limit: V1Limit; created: boolean }> {
  const name = q.tagLimitName(tag);
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await q.readLimitByName(db, name);
    if (existing) {
      const after = (await updateLimit(env, db, existing, { limit })) ?? existing;
      return { limit: await toV1(env, after), created: false };
    }
    try {
      const row = await createLimit(env, db, { name, limit, active: true });
      return { limit: await toV1(env, row, []), created: true };
    } catch (err) {
      // A concurrent create won the name: answer as an update of it.
      if (!(err instanceof ApiError) || err.status !== 409 || attempt > 0) throw err;
    }
  }
  throw integrityConflict();
}

export async function readTagLimitById(env: Bindings, db: Db, id: string): Promise<V1Limit | null> {
  const row = await q.readLimitById(db, id);
  return row && row.name.startsWith(q.TAG_PREFIX) ? toV1(env, row) : null;
}

export async function readTagLimit(env: Bindings, db: Db, tag: string): Promise<V1Limit | null> {
  const row = await q.readLimitByName(db, q.tagLimitName(tag));
  return row ? toV1(env, row) : null;
}

/**
 * The tag limits by name, one page. (Prefect pages over all v2 limits and drops the non-tag ones
 * afterwards, so its pages come up short when other limits sort first; here the page is of tag
 * limits.)
 */
export async function filterTagLimits(env: Bindings, db: Db, limit: number, offset: number): Promise<V1Limit[]> {
  const rows = await q.filterLimits(db, limit, offset, q.TAG_PREFIX);
  return Promise.all(rows.map((r) => toV1(env, r)));
}

/** v1 reset: the limit's leases are revoked and its slots cleared; `override` task runs hold one each. */
export async function resetTagLimit(env: Bindings, db: Db, tag: string, override: string[] | null | undefined): Promise<boolean> {
  const row = await q.readLimitByName(db, q.tagLimitName(tag));
  if (!row) return false;
  const holders = (override ?? []).map(normalizeUuid);
  const refs = await limitStub(env, row.id).reset(definitionOf(row), holders, Date.now() + V1_LEASE_SECONDS * 1000);
  await finishRevoking(env, row.id, refs);
  return true;
}

/** Prefect's v1 delete by id removes whichever v2 limit has the id. */
export async function deleteLimitById(env: Bindings, db: Db, id: string): Promise<boolean> {
  const row = await q.readLimitById(db, id);
  return row ? deleteLimit(env, db, row) : false;
}

export async function deleteTagLimit(env: Bindings, db: Db, tag: string): Promise<boolean> {
  const row = await q.readLimitByName(db, q.tagLimitName(tag));
  return row ? deleteLimit(env, db, row) : false;
}

const zeroLimit = (tag: string) => `The concurrency limit on tag "${tag}" is 0 and will deadlock if the task tries to run again.`;

/**
 * v1 increment: a slot of every active tag limit for the task run (all or none), held until the
 * run decrements (a task run asking again keeps the slot it holds). A zero limit is refused
 * outright; a full one answers 423 with the tag wait setting as Retry-After.
 */
export async function incrementTags(env: Bindings, db: Db, tags: string[], taskRunId: string): Promise<MinimalConcurrencyLimitResponse[]> {
  const rows = await q.readLimitsByNames(db, tags.map(q.tagLimitName));
  const byName = new Map(rows.map((r) => [r.name, r]));
  for (const tag of tags) if (byName.get(q.tagLimitName(tag))?.limit === 0) throw new Locked(null, zeroLimit(tag));
  const order: { tag: string; row: LimitRow }[] = [];
  const seen = new Set<string>();
  for (const tag of tags) {
    const row = byName.get(q.tagLimitName(tag));
    if (!row || !row.active || seen.has(row.id)) continue;
    seen.add(row.id);
    order.push({ tag, row });
  }
  if (!order.length) return [];
  const outcome = await acquireSlots(
    env,
    order.map((o) => o.row),
    {
      slots: 1,
      lease: { ttlSeconds: V1_LEASE_SECONDS, holder: { type: "task_run", id: normalizeUuid(taskRunId) }, kind: "v1", indexed: false },
      reuseHolder: true,
      recordDenied: false,
    },
  );
  if (!outcome.acquired) throw new Locked(pyFloatRepr(TAG_SLOT_WAIT_SECONDS), `Concurrency limit for the ${order[0].tag} tag has been reached`);
  return order.map((o) => q.minimal(o.row, o.tag));
}

/** v1 decrement: the task run's leases on these tags are released (and wherever else they hold slots). */
export async function decrementTags(env: Bindings, db: Db, tags: string[], taskRunId: string): Promise<MinimalConcurrencyLimitResponse[]> {
  const rows = await q.readLimitsByNames(db, tags.map(q.tagLimitName));
  if (!rows.length) return [];
  await releaseHolder(
    env,
    rows.map((r) => r.id),
    { type: "task_run", id: normalizeUuid(taskRunId) },
  );
  return rows.map((r) => q.minimal(r));
}
