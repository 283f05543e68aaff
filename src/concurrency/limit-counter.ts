// The wait settings that clamp how fast denied slots drain, as Prefect's.
import { MAX_SLOT_WAIT_SECONDS, TAG_SLOT_WAIT_SECONDS } from "./settings";
import type { LimitRow } from "../db/queries/concurrency-limits";

/**
 * The slot accounting of one global concurrency limit, as plain values and functions (no
 * platform API): what the ConcurrencyLimit object (concurrency-limit.ts) keeps and how its counts
 * move. State, as Prefect keeps it on the row: a counter of active slots (which drains at
 * `slot_decay_per_second` for rate limits), denied slots (which drain too), and the average slot
 * occupancy.
 */

export type HolderType = "flow_run" | "task_run" | "deployment";
export interface LeaseHolder {
  type: HolderType;
  id: string;
}

/** A limit as its D1 row holds it; callers pass the row they read with each call. */
export type LimitDefinition = Pick<
  LimitRow,
  "id" | "name" | "limit" | "active" | "slot_decay_per_second" | "active_slots" | "denied_slots" | "avg_slot_occupancy_seconds" | "updated"
>;

/**
 * Who took a lease: the v2 API, the v1 API, the task-run rule, the deployment rule, or a
 * provisional hold of a multi-limit increment without lease (settled into plain slots).
 */
export type LeaseKind = "api" | "v1" | "task_rule" | "deployment_rule" | "pending";

export interface LeaseSpec {
  id: string;
  /** Epoch ms; null: held until released. */
  expiresAt: number | null;
  holder: LeaseHolder | null;
  /** Every limit the lease holds slots in (this one included). */
  resourceIds: string[];
  kind: LeaseKind;
  /** Whether a lease index (`lease:<id>`) exists for it. */
  indexed: boolean;
}

export interface LeaseRef {
  id: string;
  resourceIds: string[];
  indexed: boolean;
}

/** A limit and its counts at one moment (the definition without its row clock). */
export type LimitSnapshot = Omit<LimitDefinition, "updated">;

export interface AcquireRequest {
  slots: number;
  /** Null: plain slots, held until decremented. */
  lease: LeaseSpec | null;
  /** A holder that already has a lease here keeps it and takes nothing more. */
  reuseHolder?: boolean;
  /** Count a refusal in denied_slots (the v2 API does; the v1 API and the task rule do not). */
  recordDenied: boolean;
}

export interface AcquireResult {
  acquired: boolean;
  /** The lease holding the slots (a reused one when the holder had one). */
  leaseId: string | null;
  reused: boolean;
  /** The limit as it stood before this call (denied slots decayed, not yet counting this refusal). */
  before: LimitSnapshot;
}

export interface LeaseIndexRecord {
  leaseId: string;
  resourceIds: string[];
  slots: number;
  expiresAt: number;
  createdAt: number;
}

/** Prefect weighs each occupancy sample over limit × 2 samples, never under 0.1 s per slot. */
const OCCUPANCY_SAMPLES_MULTIPLIER = 2;
const MIN_OCCUPANCY_SECONDS_PER_SLOT = 0.1;

/** The definition fields the accounting needs (the counts come from the row only when seeding). */
export type Def = Pick<LimitDefinition, "id" | "name" | "limit" | "active" | "slot_decay_per_second" | "updated">;

/** The counter as stored: each count with the clock it drained up to, a version and what D1 last got. */
export type Counts = {
  active: number;
  active_clock: number;
  denied: number;
  denied_clock: number;
  avg: number;
  version: number;
  pushed: number;
  last_write_us: number;
};

/** Microseconds since the epoch of an ISO timestamp (µs precision kept). */
export function isoMicros(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return 0;
  const frac = /\.(\d+)/.exec(iso)?.[1] ?? "0";
  return Math.floor(ms / 1000) * 1_000_000 + Number(frac.padEnd(6, "0").slice(0, 6));
}

export function microsIso(us: number): string {
  const ms = Math.floor(us / 1000);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = String(us % 1_000_000).padStart(6, "0");
  return `${base}.${frac}Z`;
}

/** Prefect drains slots by whole slots: floor(rate × elapsed). The clock keeps the remainder. */
export function drain(value: number, clock: number, rate: number, now: number): [number, number] {
  if (rate <= 0 || value <= 0) return [value, now];
  const drained = Math.floor((rate * (now - clock)) / 1000);
  if (drained <= 0) return [value, clock];
  const left = Math.max(0, value - drained);
  return left === 0 ? [0, now] : [left, clock + (drained / rate) * 1000];
}

/** The counts a limit starts from: its D1 row's, their clocks at the row's `updated`. */
export function seededCounts(def: LimitDefinition, now = Date.now()): Counts {
  const clock = Date.parse(def.updated) || now;
  return {
    active: def.active_slots,
    active_clock: clock,
    denied: def.denied_slots,
    denied_clock: clock,
    avg: def.avg_slot_occupancy_seconds,
    version: 0,
    pushed: 0,
    last_write_us: isoMicros(def.updated),
  };
}

/**
 * Counts drained up to `now`: active slots at the decay rate; denied slots at the decay rate,
 * or (without decay) one per average occupancy, clamped by the limit kind's wait setting.
 */
export function drained(def: Pick<Def, "name" | "slot_decay_per_second">, c: Counts, now: number): Counts {
  const decay = def.slot_decay_per_second;
  const [active, activeClock] = drain(c.active, c.active_clock, decay, now);
  const maxWait = def.name.startsWith("tag:") ? TAG_SLOT_WAIT_SECONDS : MAX_SLOT_WAIT_SECONDS;
  const occupancy = Math.max(MIN_OCCUPANCY_SECONDS_PER_SLOT, Math.min(c.avg, maxWait));
  const [denied, deniedClock] = drain(c.denied, c.denied_clock, decay > 0 ? decay : 1 / occupancy, now);
  return { ...c, active, active_clock: activeClock, denied, denied_clock: deniedClock };
}

export function snapshotOf(def: Def, c: Counts): LimitSnapshot {
  return {
    id: def.id,
    name: def.name,
    limit: def.limit,
    active: !!def.active,
    slot_decay_per_second: def.slot_decay_per_second,
    active_slots: c.active,
    denied_slots: c.denied,
    avg_slot_occupancy_seconds: c.avg,
  };
}

/** Takes `slots` off the counter, with an occupancy sample when one is given (Prefect's decrement). */
export function givenBack(def: Def, c: Counts, slots: number, occupancySeconds: number | null): Counts {
  const out = { ...c, active: Math.max(0, c.active - slots) };
  if (occupancySeconds && def.limit > 0 && slots > 0) {
    const perSlot = Math.max(occupancySeconds / slots, MIN_OCCUPANCY_SECONDS_PER_SLOT);
    const samples = def.limit * OCCUPANCY_SAMPLES_MULTIPLIER;
    out.avg = c.avg + perSlot / samples - c.avg / samples;
  }
  return out;
}

/** Whether `slots` more fit under an active limit (an inactive one counts nothing and refuses nothing). */
export function fits(def: Def, c: Counts, slots: number): boolean {
  return !def.active || c.active + slots <= def.limit;
}
