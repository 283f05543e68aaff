import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { d1Binding } from "../db/client";
import { limitRowUpdated, writeBackLimitCounts } from "../db/queries/concurrency-limits";
import { runIdsInStates } from "../db/queries/slot-holders";
import { HOLDING_RULE_LEASE } from "../schemas/states";
import {
  drained,
  fits,
  givenBack,
  isoMicros,
  microsIso,
  seededCounts,
  snapshotOf,
  type AcquireRequest,
  type AcquireResult,
  type Counts,
  type Def,
  type HolderType,
  type LeaseHolder,
  type LeaseIndexRecord,
  type LeaseRef,
  type LimitDefinition,
  type LimitSnapshot,
} from "./limit-counter";

/**
 * One global concurrency limit (v2; tag limits are v2 limits named `tag:<tag>`, deployment
 * limits `deployment:<id>`): the only place its slots are taken and given back. Each limit is a
 * SQLite-backed Durable Object keyed by the limit's id (`idFromName(<limit id>)`); every method
 * does its accounting inside one `transactionSync`, so concurrent callers are serialized and a
 * limit of 5 never holds a 6th slot.
 *
 * The counter and how it moves are limit-counter.ts (plain functions); this object stores it in
 * SQLite, serializes its callers and keeps D1 in step (its SQL: db/queries/concurrency-limits.ts
 * and slot-holders.ts). Leases are records beside the counter (id, slots, expiry, holder, the
 * other limits the lease spans); releasing one takes its slots off the counter. A lease that is not renewed
 * expires on time: the object's alarm is always set to the earliest expiry, and expiring gives
 * the slots back — there is no sweep over all limits.
 *
 * The same class, named `lease:<lease id>`, is a lease's index (which limits it spans, its
 * expiry), for the calls that bring nothing but a lease id (renew, decrement-with-lease).
 *
 * D1 keeps each limit's definition (name, limit, active, decay) and the counts last reported.
 * Order of writes:
 *   1. definitions are written to D1 first (create/update), then pushed here (`configure`);
 *   2. slot changes happen here first; after each, the current counts are written back to the
 *      D1 row before the call answers (so an API read after an increment sees it);
 *   3. write-backs carry a strictly increasing `updated` and only apply over an older one, so
 *      two write-backs landing out of order never leave the older counts in D1.
 * A lost write-back (D1 error, eviction between the two writes) leaves D1 behind: the counts
 * here are marked unpushed and the alarm pushes them again a few seconds later (and any later
 * change pushes the whole current state anyway). A limit whose D1 row is gone wipes itself.
 * Leases taken by orchestration rules are also checked against D1 by the alarm: a lease whose
 * run D1 no longer shows in a slot-occupying state (the state write that took it failed, or the
 * run left the state without the release reaching here) is given back after a grace period.
 */

/** A write-back that failed is retried this much later. */
export const REPUSH_SECONDS = 5;
/** Rule leases whose run D1 no longer shows in a slot-occupying state are given back once older than this. */
export const RECONCILE_GRACE_SECONDS = 60;
export const RECONCILE_EVERY_SECONDS = 60;

type LeaseRow = {
  id: string;
  slots: number;
  counted: number;
  expires_at: number | null;
  created_at: number;
  holder_type: string | null;
  holder_id: string | null;
  resource_ids: string;
  kind: string;
  indexed: number;
};

export class ConcurrencyLimit extends DurableObject<Bindings> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.init();
  }

  private init(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS counts (
      k INTEGER PRIMARY KEY CHECK (k = 1),
      active REAL NOT NULL, active_clock INTEGER NOT NULL,
      denied REAL NOT NULL, denied_clock INTEGER NOT NULL,
      avg REAL NOT NULL, version INTEGER NOT NULL, pushed INTEGER NOT NULL, last_write_us INTEGER NOT NULL
    )`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS lease (
      id TEXT PRIMARY KEY, slots INTEGER NOT NULL, counted INTEGER NOT NULL,
      expires_at INTEGER, created_at INTEGER NOT NULL,
      holder_type TEXT, holder_id TEXT, resource_ids TEXT NOT NULL, kind TEXT NOT NULL, indexed INTEGER NOT NULL
    )`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS lease_holder ON lease (holder_id)`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS lease_expiry ON lease (expires_at)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS lease_index (
      id TEXT PRIMARY KEY, resource_ids TEXT NOT NULL, slots INTEGER NOT NULL, expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL
    )`);
  }

  // ---------------------------------------------------------------- state

  private meta(key: string): string | null {
    return this.sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = ?`, key).toArray()[0]?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value);
  }

  private definition(): Def | null {
    const raw = this.meta("def");
    return raw ? (JSON.parse(raw) as Def) : null;
  }

  /** Remembers the definition the caller read (the alarm works from the last one seen). */
  private remember(def: LimitDefinition): void {
    this.setMeta("role", "limit");
    const { id, name, limit, active, slot_decay_per_second, updated } = def;
    this.setMeta("def", JSON.stringify({ id, name, limit, active: !!active, slot_decay_per_second, updated }));
  }

  /** The counts, first seeded from the D1 row (its counts, drained from its `updated`). */
  private counts(def: LimitDefinition | null): Counts | null {
    const row = this.sql.exec<Counts & { k: number }>(`SELECT * FROM counts WHERE k = 1`).toArray()[0];
    if (row) return row;
    if (!def) return null;
    const seeded = seededCounts(def);
    this.sql.exec(
      `INSERT INTO counts (k, active, active_clock, denied, denied_clock, avg, version, pushed, last_write_us) VALUES (1, ?, ?, ?, ?, ?, 0, 0, ?)`,
      seeded.active,
      seeded.active_clock,
      seeded.denied,
      seeded.denied_clock,
      seeded.avg,
      seeded.last_write_us,
    );
    return seeded;
  }

  private store(c: Counts): void {
    this.sql.exec(
      `UPDATE counts SET active = ?, active_clock = ?, denied = ?, denied_clock = ?, avg = ?, version = version + 1 WHERE k = 1`,
      c.active,
      c.active_clock,
      c.denied,
      c.denied_clock,
      c.avg,
    );
  }

  private lease(id: string): LeaseRow | null {
    return this.sql.exec<LeaseRow>(`SELECT * FROM lease WHERE id = ?`, id).toArray()[0] ?? null;
  }

  private refOf(row: LeaseRow): LeaseRef {
    return { id: row.id, resourceIds: JSON.parse(row.resource_ids) as string[], indexed: !!row.indexed };
  }

  /** Drops a lease, giving its counted slots back; answers the counts after. */
  private dropLease(def: Def, c: Counts, row: LeaseRow, now: number, withOccupancy: boolean): Counts {
    this.sql.exec(`DELETE FROM lease WHERE id = ?`, row.id);
    if (!row.counted) return c;
    return givenBack(def, c, row.slots, withOccupancy ? (now - row.created_at) / 1000 : null);
  }

  /** Expires leases due by `now` (Prefect's repossessor: released with their occupancy). */
  private expireDue(def: Def, c: Counts, now: number): { counts: Counts; expired: LeaseRef[] } {
    const due = this.sql.exec<LeaseRow>(`SELECT * FROM lease WHERE expires_at IS NOT NULL AND expires_at <= ?`, now).toArray();
    let counts = c;
    for (const row of due) counts = this.dropLease(def, counts, row, now, true);
    return { counts, expired: due.map((r) => this.refOf(r)) };
  }

  /**
   * Opens the limit for one change: remembers the definition, seeds the counts, expires due
   * leases and drains. Runs inside the caller's transaction.
   */
  private open(def: LimitDefinition, now: number): Counts {
    this.remember(def);
    return drained(def, this.expireStored(def, this.counts(def)!, now), now);
  }

  /** As `open`, for calls that bring no definition: null when this limit holds nothing yet. */
  private openExisting(now: number): { def: Def; counts: Counts } | null {
    const def = this.definition();
    const seeded = this.counts(null);
    if (!def || !seeded) return null;
    return { def, counts: drained(def, this.expireStored(def, seeded, now), now) };
  }

  /** Expires due leases and stores what that gave back (whatever the call goes on to do). */
  private expireStored(def: Def, c: Counts, now: number): Counts {
    const { counts, expired } = this.expireDue(def, c, now);
    if (!expired.length) return c;
    this.store(counts);
    this.expiredInCall = true;
    return { ...counts, version: counts.version + 1 };
  }

  /** Set when a call expired leases on its way (it must then write back even if it changes nothing else). */
  private expiredInCall = false;

  private takeExpired(): boolean {
    const expired = this.expiredInCall;
    this.expiredInCall = false;
    return expired;
  }

  // ---------------------------------------------------------------- write-back and alarm

  /**
   * Writes the current counts to the D1 row (see the order of writes above). Never throws: a
   * write that fails leaves the counts unpushed for the alarm to retry.
   */
  private async push(): Promise<void> {
    const def = this.definition();
    const c = this.counts(null);
    if (!def || !c || c.pushed >= c.version) return;
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const current = this.counts(null)!;
        const floor = attempt === 0 ? isoMicros(def.updated) : await this.d1UpdatedMicros(def.id);
        if (floor === null) return this.markOrphan();
        const us = Math.max(Date.now() * 1000, current.last_write_us + 1, floor + 1);
        this.sql.exec(`UPDATE counts SET last_write_us = ? WHERE k = 1`, us);
        const now = Date.now();
        const latest = drained(def, current, now);
        const iso = microsIso(us);
        const counts = { active_slots: Math.round(latest.active), denied_slots: Math.round(latest.denied), avg_slot_occupancy_seconds: latest.avg };
        if (await writeBackLimitCounts(d1Binding(this.env), def.id, counts, iso)) {
          this.sql.exec(`UPDATE counts SET pushed = max(pushed, ?) WHERE k = 1`, current.version);
          return;
        }
        // Nothing updated: the row is gone, or it carries a newer `updated` than ours (a
        // definition change, or a later write-back of ours) — retry once above it.
      }
    } catch (err) {
      console.error(`concurrency limit ${def.id}: write-back to D1 failed`, err);
    }
    await this.schedule();
  }

  private async d1UpdatedMicros(id: string): Promise<number | null> {
    const updated = await limitRowUpdated(d1Binding(this.env), id);
    return updated === null ? null : isoMicros(updated);
  }

  private async markOrphan(): Promise<void> {
    this.setMeta("orphan", "1");
    await this.ctx.storage.setAlarm(Date.now());
  }

  /** The alarm goes off at the earliest of: the next lease expiry, a due re-push, a due reconciliation. */
  private async schedule(): Promise<void> {
    const role = this.meta("role");
    let next: number | null = null;
    const consider = (t: number | null) => {
      if (t !== null && (next === null || t < next)) next = t;
    };
    if (role === "index") {
      consider(this.sql.exec<{ e: number | null }>(`SELECT min(expires_at) AS e FROM lease_index`).one().e);
    } else {
      consider(this.sql.exec<{ e: number | null }>(`SELECT min(expires_at) AS e FROM lease WHERE expires_at IS NOT NULL`).one().e);
      const c = this.counts(null);
      if (c && c.pushed < c.version) consider(Date.now() + REPUSH_SECONDS * 1000);
      const rule = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM lease WHERE kind IN ('task_rule', 'deployment_rule')`).one().n;
      if (rule > 0) {
        if (!this.meta("reconcile_at")) this.setMeta("reconcile_at", String(Date.now() + RECONCILE_EVERY_SECONDS * 1000));
        consider(Number(this.meta("reconcile_at")));
      }
      if (this.meta("orphan")) consider(Date.now());
    }
    // Past the last representable date there is nothing to wake up for.
    if (next !== null && next > 8.64e15) next = null;
    const current = await this.ctx.storage.getAlarm();
    if (next === null) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
    } else if (current === null || current !== next) {
      await this.ctx.storage.setAlarm(next);
    }
  }

  private async settle(): Promise<void> {
    this.expiredInCall = false;
    await this.push();
    await this.schedule();
  }

  async alarm(): Promise<void> {
    if (this.meta("role") === "index") {
      this.sql.exec(`DELETE FROM lease_index WHERE expires_at <= ?`, Date.now());
      if (this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM lease_index`).one().n === 0) return this.wipe();
      return this.schedule();
    }
    const def = this.definition();
    if (!def) return this.wipe();
    if (this.meta("orphan")) {
      if ((await this.d1UpdatedMicros(def.id)) === null) return this.wipe();
      this.sql.exec(`DELETE FROM meta WHERE key = 'orphan'`);
    }
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      const c = this.counts(null);
      if (!c) return;
      const { counts, expired } = this.expireDue(def, c, now);
      if (expired.length) this.store(counts);
    });
    if (Number(this.meta("reconcile_at") ?? 0) <= now) await this.reconcile(now);
    await this.settle();
  }

  /** Forgets everything (the tables come back empty for later calls to this instance). */
  private async wipe(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.init();
  }

  /**
   * Gives back rule leases whose run D1 no longer shows in a slot-occupying state (RUNNING or
   * CANCELLING for task runs; PENDING, RUNNING or CANCELLING for flow runs), once they are older
   * than the grace period. Answers the leases dropped.
   */
  async reconcile(now = Date.now()): Promise<string[]> {
    this.setMeta("reconcile_at", String(now + RECONCILE_EVERY_SECONDS * 1000));
    const def = this.definition();
    if (!def) return [];
    const rows = this.sql
      .exec<LeaseRow>(`SELECT * FROM lease WHERE kind IN ('task_rule', 'deployment_rule') AND created_at <= ?`, now - RECONCILE_GRACE_SECONDS * 1000)
      .toArray();
    if (!rows.length) return [];
    const occupying = new Set<string>();
    for (const table of ["task_run", "flow_run"] as const) {
      const ids = rows.filter((r) => r.holder_type === table && r.holder_id).map((r) => r.holder_id!);
      for (const id of await runIdsInStates(d1Binding(this.env), table, ids, HOLDING_RULE_LEASE[table])) occupying.add(id);
    }
    const stale = rows.filter((r) => !r.holder_id || !occupying.has(r.holder_id)).map((r) => r.id);
    if (!stale.length) return [];
    this.ctx.storage.transactionSync(() => {
      let c = this.counts(null)!;
      for (const id of stale) {
        const row = this.lease(id);
        if (row) c = this.dropLease(def, c, row, now, false);
      }
      this.store(c);
    });
    return stale;
  }

  // ---------------------------------------------------------------- limit role

  /**
   * Takes `slots` if, after draining, they fit under the limit (an inactive limit takes nothing
   * and refuses nothing). A lease, when asked for, records them.
   */
  async acquire(def: LimitDefinition, req: AcquireRequest): Promise<AcquireResult> {
    const now = Date.now();
    const result = this.ctx.storage.transactionSync((): AcquireResult & { changed: boolean } => {
      const c = this.open(def, now);
      const before = snapshotOf(def, c);
      const lease = req.lease;
      if (req.reuseHolder && lease?.holder) {
        const held = this.sql
          .exec<LeaseRow>(`SELECT * FROM lease WHERE holder_type = ? AND holder_id = ? ORDER BY created_at LIMIT 1`, lease.holder.type, lease.holder.id)
          .toArray()[0];
        if (held) {
          if (held.expires_at !== null && (lease.expiresAt === null || lease.expiresAt > held.expires_at))
            this.sql.exec(`UPDATE lease SET expires_at = ? WHERE id = ?`, lease.expiresAt, held.id);
          this.store(c);
          return { acquired: true, leaseId: held.id, reused: true, before, changed: true };
        }
      }
      const counted = !!def.active;
      if (!fits(def, c, req.slots)) {
        if (!req.recordDenied) return { acquired: false, leaseId: null, reused: false, before, changed: false };
        this.store({ ...c, denied: c.denied + req.slots });
        return { acquired: false, leaseId: null, reused: false, before, changed: true };
      }
      if (lease) {
        this.sql.exec(
          `INSERT INTO lease (id, slots, counted, expires_at, created_at, holder_type, holder_id, resource_ids, kind, indexed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          lease.id,
          req.slots,
          counted ? 1 : 0,
          lease.expiresAt,
          now,
          lease.holder?.type ?? null,
          lease.holder?.id ?? null,
          JSON.stringify(lease.resourceIds),
          lease.kind,
          lease.indexed ? 1 : 0,
        );
      }
      this.store(counted ? { ...c, active: c.active + req.slots } : c);
      return { acquired: true, leaseId: lease?.id ?? null, reused: false, before, changed: true };
    });
    const { changed, ...out } = result;
    if (this.takeExpired() || changed) await this.settle();
    return out;
  }

  /** One change of the counts, serialized with every other by the storage transaction, then settled. */
  private async change<T>(apply: (now: number) => T): Promise<T> {
    const result = this.ctx.storage.transactionSync(() => apply(Date.now()));
    await this.settle();
    return result;
  }

  /** Counts a refusal made elsewhere (another limit of the same bulk increment was full). */
  async deny(def: LimitDefinition, slots: number): Promise<LimitSnapshot> {
    return this.change((now) => {
      const c = this.open(def, now);
      if (def.active) this.store({ ...c, denied: c.denied + slots });
      return snapshotOf(def, c);
    });
  }

  /**
   * Releases a lease held here: its counted slots go back (with an occupancy sample when asked,
   * as Prefect's decrement-with-lease does). `denied` also counts a refusal (rolling back a bulk
   * increment another limit refused). False when no such lease is held (idempotent).
   */
  async release(leaseId: string, opts: { occupancy?: boolean; denied?: number } = {}): Promise<boolean> {
    const now = Date.now();
    const found = this.ctx.storage.transactionSync(() => {
      const open = this.openExisting(now);
      if (!open) return null;
      let c = open.counts;
      const row = this.lease(leaseId);
      if (row) c = this.dropLease(open.def, c, row, now, !!opts.occupancy);
      if (opts.denied && open.def.active) c = { ...c, denied: c.denied + opts.denied };
      this.store(c);
      return !!row;
    });
    if (found === null) return false;
    await this.settle();
    return found;
  }

  /** Releases every lease of `holder` held here; answers them (they may span other limits). */
  async releaseHolder(holder: LeaseHolder): Promise<LeaseRef[]> {
    const now = Date.now();
    const released = this.ctx.storage.transactionSync(() => {
      const open = this.openExisting(now);
      if (!open) return [];
      let c = open.counts;
      const rows = this.sql.exec<LeaseRow>(`SELECT * FROM lease WHERE holder_type = ? AND holder_id = ?`, holder.type, holder.id).toArray();
      for (const row of rows) c = this.dropLease(open.def, c, row, now, false);
      if (rows.length) this.store(c);
      return rows.map((r) => this.refOf(r));
    });
    if (this.takeExpired() || released.length) await this.settle();
    return released;
  }

  /** Moves a live lease's expiry; false when it is not held (never was, released, expired). */
  async renew(leaseId: string, expiresAt: number): Promise<boolean> {
    return this.change((now) => {
      const open = this.openExisting(now);
      if (!open) return false;
      // Leases past their expiry are given back first: a late renewal finds nothing.
      this.store(open.counts);
      const row = this.lease(leaseId);
      if (!row) return false;
      if (row.expires_at !== null) this.sql.exec(`UPDATE lease SET expires_at = ? WHERE id = ?`, expiresAt, leaseId);
      return true;
    });
  }

  /**
   * Keeps a lease's slots but stops it expiring (Prefect revokes the deployment lease of a client
   * too old to renew it; the slots stay taken until the run's release).
   */
  async detach(leaseId: string): Promise<boolean> {
    const found = this.sql.exec(`UPDATE lease SET expires_at = NULL, indexed = 0 WHERE id = ?`, leaseId).rowsWritten > 0;
    if (found) await this.schedule();
    return found;
  }

  /** Turns a provisional lease into plain slots (a multi-limit increment without lease succeeded). */
  async settleLease(leaseId: string): Promise<boolean> {
    const found = this.sql.exec(`DELETE FROM lease WHERE id = ?`, leaseId).rowsWritten > 0;
    if (found) await this.schedule();
    return found;
  }

  /**
   * Prefect's bulk decrement of plain slots: an active limit's counter goes down by `slots`
   * (never under 0), with an occupancy sample when given. With `unleasedOnly`, only slots no
   * lease records are taken (a deployment run's release without a lease id).
   */
  async decrement(def: LimitDefinition, slots: number, occupancySeconds: number | null, unleasedOnly = false): Promise<LimitSnapshot> {
    return this.change((now) => {
      let c = this.open(def, now);
      if (def.active) {
        let take = slots;
        if (unleasedOnly) {
          const leased = this.sql.exec<{ n: number }>(`SELECT coalesce(sum(slots), 0) AS n FROM lease WHERE counted = 1`).one().n;
          take = Math.min(slots, Math.max(0, c.active - leased));
        }
        c = givenBack(def, c, take, occupancySeconds);
      }
      this.store(c);
      return snapshotOf(def, c);
    });
  }

  /**
   * Takes in a definition change (and the counts a PATCH or create sets). Answers the limit
   * after it.
   */
  async configure(def: LimitDefinition, set: { active_slots?: number; denied_slots?: number } = {}): Promise<LimitSnapshot> {
    return this.change((now) => {
      const c = this.open(def, now);
      if (set.active_slots !== undefined) {
        c.active = set.active_slots;
        c.active_clock = now;
      }
      if (set.denied_slots !== undefined) {
        c.denied = set.denied_slots;
        c.denied_clock = now;
      }
      this.store(c);
      return snapshotOf(def, c);
    });
  }

  /**
   * v1 reset: every lease here is revoked and the counter cleared; then each of `holders`
   * (task runs) gets a one-slot lease until `expiresAt`. Answers the revoked leases.
   */
  async reset(def: LimitDefinition, holders: string[], expiresAt: number): Promise<LeaseRef[]> {
    return this.change((now) => {
      const c = this.open(def, now);
      const rows = this.sql.exec<LeaseRow>(`SELECT * FROM lease`).toArray();
      this.sql.exec(`DELETE FROM lease`);
      for (const holder of holders) {
        this.sql.exec(
          `INSERT INTO lease (id, slots, counted, expires_at, created_at, holder_type, holder_id, resource_ids, kind, indexed) VALUES (?, 1, 1, ?, ?, 'task_run', ?, ?, 'v1', 0)`,
          crypto.randomUUID(),
          expiresAt,
          now,
          holder,
          JSON.stringify([def.id]),
        );
      }
      this.store({ ...c, active: holders.length, active_clock: now });
      return rows.map((r) => this.refOf(r));
    });
  }

  /** The limit is deleted: everything here goes; answers the leases it held. */
  async drop(): Promise<LeaseRef[]> {
    const rows = this.sql.exec<LeaseRow>(`SELECT * FROM lease`).toArray();
    await this.wipe();
    return rows.map((r) => this.refOf(r));
  }

  /** The holders of the live leases here, oldest first (v1 answers task-run holders as active_slots). */
  async holders(): Promise<{ leaseId: string; holder: LeaseHolder }[]> {
    const rows = this.sql
      .exec<LeaseRow>(
        `SELECT * FROM lease WHERE holder_id IS NOT NULL AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at, id`,
        Date.now(),
      )
      .toArray();
    return rows.map((r) => ({ leaseId: r.id, holder: { type: r.holder_type as HolderType, id: r.holder_id! } }));
  }

  /** The limit now (drained), with its live leases; null when nothing was ever recorded here. */
  async inspect(): Promise<(LimitSnapshot & { leases: { id: string; slots: number; expiresAt: number | null; kind: string }[] }) | null> {
    const def = this.definition();
    const c = this.counts(null);
    if (!def || !c) return null;
    const d = drained(def, c, Date.now());
    const leases = this.sql.exec<LeaseRow>(`SELECT * FROM lease ORDER BY created_at, id`).toArray();
    return {
      ...snapshotOf(def, d),
      leases: leases.map((l) => ({ id: l.id, slots: l.slots, expiresAt: l.expires_at, kind: l.kind })),
    };
  }

  // ---------------------------------------------------------------- lease index role

  async indexPut(rec: LeaseIndexRecord): Promise<void> {
    this.setMeta("role", "index");
    this.sql.exec(
      `INSERT OR REPLACE INTO lease_index (id, resource_ids, slots, expires_at, created_at) VALUES (?, ?, ?, ?, ?)`,
      rec.leaseId,
      JSON.stringify(rec.resourceIds),
      rec.slots,
      rec.expiresAt,
      rec.createdAt,
    );
    await this.schedule();
  }

  private indexRow(): LeaseIndexRecord | null {
    const row = this.sql
      .exec<{ id: string; resource_ids: string; slots: number; expires_at: number; created_at: number }>(`SELECT * FROM lease_index LIMIT 1`)
      .toArray()[0];
    if (!row || row.expires_at <= Date.now()) return null;
    return { leaseId: row.id, resourceIds: JSON.parse(row.resource_ids), slots: row.slots, expiresAt: row.expires_at, createdAt: row.created_at };
  }

  async indexGet(): Promise<LeaseIndexRecord | null> {
    return this.indexRow();
  }

  /** Moves the lease's expiry; null when the lease is unknown or already expired. */
  async indexRenew(expiresAt: number): Promise<LeaseIndexRecord | null> {
    const rec = this.indexRow();
    if (!rec) return null;
    this.sql.exec(`UPDATE lease_index SET expires_at = ?`, expiresAt);
    await this.schedule();
    return { ...rec, expiresAt };
  }

  /** Removes the index (the lease is being released or revoked); answers what it held. */
  async indexTake(): Promise<LeaseIndexRecord | null> {
    const rec = this.indexRow();
    await this.wipe();
    return rec;
  }
}
