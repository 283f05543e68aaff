import type { Bindings } from "../env";
import type { ConcurrencyLimit } from "./concurrency-limit";
import type { LeaseHolder, LeaseKind, LeaseRef, LimitDefinition, LimitSnapshot } from "./limit-counter";
import type { LimitRow } from "../db/queries/concurrency-limits";
import { uuid4 } from "../lib/ids";
import { clampedPoissonInterval, MAX_SLOT_WAIT_SECONDS, PENDING_HOLD_SECONDS, TAG_SLOT_WAIT_SECONDS } from "./settings";

/**
 * The one mechanism behind v1 tag limits, v2 global limits, deployment limits and the
 * orchestration rules: slots are taken and given back only in each limit's Durable Object
 * (src/concurrency/concurrency-limit.ts); this module spans several limits.
 *
 * A bulk increment over several limits is all-or-nothing, as Prefect's single transaction is:
 * limits are taken one after the other in a stable order (by id), and when one refuses, those
 * already taken are given back. Slots taken without a lease over several limits are first held
 * under a provisional lease (which would expire if this worker died half-way) and settled into
 * plain slots once all are taken.
 */

export function limitStub(env: Bindings, limitId: string): DurableObjectStub<ConcurrencyLimit> {
  return env.CONCURRENCY_LIMIT.get(env.CONCURRENCY_LIMIT.idFromName(limitId));
}

export function leaseIndexStub(env: Bindings, leaseId: string): DurableObjectStub<ConcurrencyLimit> {
  return env.CONCURRENCY_LIMIT.get(env.CONCURRENCY_LIMIT.idFromName(`lease:${leaseId}`));
}

/** The limit as its object is told it: the row's definition and the counts D1 last reported. */
export function definitionOf(row: LimitRow): LimitDefinition {
  const { id, name, limit, active, slot_decay_per_second, active_slots, denied_slots, avg_slot_occupancy_seconds, updated } = row;
  return { id, name, limit, active: !!active, slot_decay_per_second, active_slots, denied_slots, avg_slot_occupancy_seconds, updated };
}

export interface LeaseRequest {
  /** Seconds; null: the lease never expires. */
  ttlSeconds: number | null;
  holder: LeaseHolder | null;
  kind: LeaseKind;
  /** Keep a lease index so the lease can be renewed and released by its id alone. */
  indexed: boolean;
}

export interface AcquireOptions {
  slots: number;
  lease: LeaseRequest | null;
  /** A holder already holding a lease in a limit keeps it there (idempotent orchestration). */
  reuseHolder?: boolean;
  recordDenied: boolean;
}

export type AcquireOutcome =
  /** `reused`: the holder already held this lease (a single limit); nothing new was taken. */
  | { acquired: true; leaseId: string | null; reused?: boolean }
  /** `blocking`: every active limit as it stood, for the caller's retry interval. */
  | { acquired: false; refusedBy: LimitRow; blocking: LimitSnapshot[] };

const byId = (a: LimitRow, b: LimitRow) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Takes `slots` in every active limit of `rows`, or in none. Inactive limits take nothing. With a
 * lease request, a lease holds them (and, when indexed, is findable by id even when it spans no
 * active limit — Prefect answers such a lease too).
 */
export async function acquireSlots(env: Bindings, rows: LimitRow[], opts: AcquireOptions): Promise<AcquireOutcome> {
  const active = rows.filter((r) => r.active).sort(byId);
  const now = Date.now();
  const provisional = !opts.lease && active.length > 1;
  const leaseId = opts.lease || provisional ? uuid4() : null;
  const expiresAt = opts.lease
    ? opts.lease.ttlSeconds === null
      ? null
      : now + opts.lease.ttlSeconds * 1000
    : provisional
      ? now + PENDING_HOLD_SECONDS * 1000
      : null;
  const resourceIds = active.map((r) => r.id);
  const taken: { row: LimitRow; leaseId: string | null; reused: boolean }[] = [];
  const snapshots: LimitSnapshot[] = [];
  let refusedAt = -1;
  try {
    for (let i = 0; i < active.length; i++) {
      const row = active[i];
      const res = await limitStub(env, row.id).acquire(definitionOf(row), {
        slots: opts.slots,
        lease: leaseId
          ? {
              id: leaseId,
              expiresAt,
              holder: opts.lease?.holder ?? null,
              resourceIds,
              kind: opts.lease?.kind ?? "pending",
              indexed: !!opts.lease?.indexed,
            }
          : null,
        reuseHolder: opts.reuseHolder,
        recordDenied: opts.recordDenied,
      });
      snapshots.push(res.before);
      if (!res.acquired) {
        refusedAt = i;
        break;
      }
      taken.push({ row, leaseId: res.leaseId, reused: res.reused });
    }
  } catch (err) {
    await giveBackTaken(env, taken, 0);
    throw err;
  }
  if (refusedAt >= 0) {
    // All or nothing: what was taken goes back; the limits not reached count the refusal too.
    const later = active.slice(refusedAt + 1);
    const denied = opts.recordDenied ? opts.slots : 0;
    const [, laterSnapshots] = await Promise.all([
      giveBackTaken(env, taken, denied),
      Promise.all(later.map((r) => (denied ? limitStub(env, r.id).deny(definitionOf(r), denied) : Promise.resolve(snapshotOfRow(r))))),
    ]);
    return { acquired: false, refusedBy: active[refusedAt], blocking: [...snapshots, ...laterSnapshots] };
  }
  if (provisional) {
    await Promise.all(taken.map((t) => limitStub(env, t.row.id).settleLease(leaseId!)));
    return { acquired: true, leaseId: null };
  }
  // A holder that already held its lease (a single limit) keeps that lease id.
  const reused = taken.length === 1 && taken[0].reused ? taken[0].leaseId : null;
  const answered = reused ?? leaseId;
  if (opts.lease?.indexed && answered) {
    try {
      await leaseIndexStub(env, answered).indexPut({
        leaseId: answered,
        resourceIds,
        slots: opts.slots,
        expiresAt: expiresAt ?? Number.MAX_SAFE_INTEGER,
        createdAt: now,
      });
    } catch (err) {
      if (!reused) await giveBackTaken(env, taken, 0);
      throw err;
    }
  }
  return { acquired: true, leaseId: answered, reused: reused !== null };
}

async function giveBackTaken(env: Bindings, taken: { row: LimitRow; leaseId: string | null; reused: boolean }[], denied: number): Promise<void> {
  await Promise.allSettled(
    taken.map((t) =>
      t.reused || !t.leaseId
        ? denied
          ? limitStub(env, t.row.id).deny(definitionOf(t.row), denied)
          : Promise.resolve()
        : limitStub(env, t.row.id).release(t.leaseId, { denied }),
    ),
  );
}

function snapshotOfRow(row: LimitRow): LimitSnapshot {
  const { updated: _updated, ...snapshot } = definitionOf(row);
  return snapshot;
}

/**
 * Prefect's Retry-After for a refused v2 increment: the limit with the most blocking slots sets
 * it — for a rate limit, a slot per 1/decay seconds; otherwise the average occupancy (capped at
 * the wait setting) per slot over the limit, capped at that setting — then jittered.
 */
export function retryAfterSeconds(blocking: LimitSnapshot[], slots: number, random = Math.random): number {
  const active = blocking.filter((l) => l.active);
  if (!active.length) return 0;
  const blockingSlots = (l: LimitSnapshot) => (l.slot_decay_per_second > 0 ? slots + l.denied_slots : (slots + l.denied_slots) / Math.max(l.limit, 1e-9));
  const worst = active.reduce((a, b) => (blockingSlots(b) > blockingSlots(a) ? b : a));
  let average: number;
  if (worst.slot_decay_per_second === 0) {
    const maxWait = worst.name.startsWith("tag:") ? TAG_SLOT_WAIT_SECONDS : MAX_SLOT_WAIT_SECONDS;
    average = Math.min(Math.min(worst.avg_slot_occupancy_seconds, maxWait) * blockingSlots(worst), maxWait);
  } else {
    average = (1 / worst.slot_decay_per_second) * blockingSlots(worst);
  }
  return clampedPoissonInterval(average, 0.3, random);
}

/** Releases the lease in every limit it spans; answers whether any limit held it. */
export async function releaseLeaseIn(env: Bindings, leaseId: string, resourceIds: string[], opts: { occupancy?: boolean } = {}): Promise<boolean> {
  const found = await Promise.all(resourceIds.map((id) => limitStub(env, id).release(leaseId, opts)));
  return found.some(Boolean);
}

/**
 * Releases a lease known by its id alone (its index says where it is held). `hint`: limits it is
 * known to span (a deployment's own limit), released even if the index is gone. False when the
 * lease is unknown.
 */
export async function releaseLease(env: Bindings, leaseId: string, opts: { occupancy?: boolean; hint?: string[] } = {}): Promise<boolean> {
  const rec = await leaseIndexStub(env, leaseId).indexTake();
  const resources = [...new Set([...(rec?.resourceIds ?? []), ...(opts.hint ?? [])])];
  const held = resources.length ? await releaseLeaseIn(env, leaseId, resources, { occupancy: opts.occupancy }) : false;
  return !!rec || held;
}

/**
 * Moves a lease's expiry `ttlSeconds` ahead in its index and every limit it spans. False when the
 * lease is unknown or expired — or no longer held everywhere (a limit reset or deleted revoked
 * it), in which case the rest of it is released too.
 */
export async function renewLease(env: Bindings, leaseId: string, ttlSeconds: number): Promise<boolean> {
  const expiresAt = Date.now() + ttlSeconds * 1000;
  const index = leaseIndexStub(env, leaseId);
  const rec = await index.indexRenew(expiresAt);
  if (!rec) return false;
  const renewed = await Promise.all(rec.resourceIds.map((id) => limitStub(env, id).renew(leaseId, expiresAt)));
  if (renewed.every(Boolean)) return true;
  await Promise.all([index.indexTake(), releaseLeaseIn(env, leaseId, rec.resourceIds)]);
  return false;
}

/** Keeps the slots of a lease but stops it expiring; its index goes (it can no longer be renewed). */
export async function detachLease(env: Bindings, leaseId: string, hint: string[] = []): Promise<void> {
  const rec = await leaseIndexStub(env, leaseId).indexTake();
  const resources = [...new Set([...(rec?.resourceIds ?? []), ...hint])];
  await Promise.all(resources.map((id) => limitStub(env, id).detach(leaseId)));
}

/** Finishes revoking leases one limit gave up (reset, deletion, holder release) in the other limits they span. */
export async function finishRevoking(env: Bindings, fromLimitId: string, refs: LeaseRef[]): Promise<void> {
  await Promise.allSettled(
    refs.flatMap((ref) => [
      ...ref.resourceIds.filter((id) => id !== fromLimitId).map((id) => limitStub(env, id).release(ref.id)),
      ...(ref.indexed ? [leaseIndexStub(env, ref.id).indexTake()] : []),
    ]),
  );
}

/** Releases every lease `holder` holds in these limits (and in the other limits those leases span). */
export async function releaseHolder(env: Bindings, limitIds: string[], holder: LeaseHolder): Promise<LeaseRef[]> {
  const perLimit = await Promise.all(limitIds.map(async (id) => ({ id, refs: await limitStub(env, id).releaseHolder(holder) })));
  const done = new Set(limitIds);
  const seen = new Map<string, LeaseRef>();
  for (const { refs } of perLimit) for (const ref of refs) seen.set(ref.id, ref);
  await Promise.allSettled(
    [...seen.values()].flatMap((ref) => [
      ...ref.resourceIds.filter((id) => !done.has(id)).map((id) => limitStub(env, id).release(ref.id)),
      ...(ref.indexed ? [leaseIndexStub(env, ref.id).indexTake()] : []),
    ]),
  );
  return [...seen.values()];
}

/** Task-run ids holding slots in a limit (v1's `active_slots`). */
export async function taskRunHolders(env: Bindings, limitId: string): Promise<string[]> {
  const holders = await limitStub(env, limitId).holders();
  return holders.filter((h) => h.holder.type === "task_run").map((h) => h.holder.id);
}
