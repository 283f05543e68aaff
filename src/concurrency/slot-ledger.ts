import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { d1Binding } from "../db/client";
import { occupyingFlowRunIds } from "../db/queries/slot-holders";

/**
 * The slot ledger of one work queue (or of one work pool): the single, serialized place where
 * a flow run of that queue is admitted into a slot-occupying state. Each instance is a SQLite-
 * backed Durable Object keyed by `queue:<id>` / `pool:<id>`; every method runs to completion on
 * its own (synchronous SQL inside `transactionSync`), so two callers can never both take the
 * last slot — the guarantee Prefect's own server lacks when workers poll at the same moment.
 *
 * Order of writes (the ledger and D1 must agree):
 *   1. the ledger admits (slot taken here first),
 *   2. the caller writes the state to D1 (one batch),
 *   3. on a failed D1 write the caller releases; when a run leaves the slot-occupying states
 *      the caller writes D1 first, then releases here.
 * A crash between 1 and 2, or a lost release after 3, leaves the ledger ahead of D1. The alarm
 * repairs that: it reconciles the ledger with D1 (entries D1 no longer shows as occupying are
 * dropped after a grace period; runs D1 shows occupying but the ledger lacks are added), and
 * expires reservations handed to pollers that never proposed.
 */

export type LedgerScope = { kind: "queue" | "pool"; id: string };

export interface AcquireResult {
  acquired: boolean;
  /** The run already held a slot (not a reservation): nothing was taken by this call. */
  alreadyHeld?: boolean;
  /** Slots taken after this call (including this run's). */
  active: number;
}

/** How long a poller's reservation holds a slot before it must propose PENDING. */
export const RESERVATION_SECONDS = 30;
/** Entries younger than this are never dropped by reconciliation (their D1 write may be in flight). */
export const RECONCILE_GRACE_SECONDS = 60;
/** How often a non-empty ledger checks itself against D1. */
export const RECONCILE_EVERY_SECONDS = 60;

export class SlotLedger extends DurableObject<Bindings> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS slot (
      flow_run_id TEXT PRIMARY KEY,
      reserved_until INTEGER,
      acquired_at INTEGER NOT NULL,
      seq INTEGER NOT NULL
    )`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  }

  private remember(scope: LedgerScope): void {
    this.sql.exec(`INSERT OR IGNORE INTO meta (key, value) VALUES ('scope', ?)`, JSON.stringify(scope));
  }

  private scope(): LedgerScope | null {
    const row = this.sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'scope'`).toArray()[0];
    return row ? (JSON.parse(row.value) as LedgerScope) : null;
  }

  private expireReservations(now: number): void {
    this.sql.exec(`DELETE FROM slot WHERE reserved_until IS NOT NULL AND reserved_until < ?`, now);
  }

  private active(): number {
    return this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM slot`).one().n;
  }

  private holds(runId: string): boolean {
    return this.sql.exec(`SELECT 1 FROM slot WHERE flow_run_id = ?`, runId).toArray().length > 0;
  }

  private nextSeq(): number {
    return this.sql.exec<{ s: number }>(`SELECT coalesce(max(seq), 0) + 1 AS s FROM slot`).one().s;
  }

  private async ensureAlarm(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + RECONCILE_EVERY_SECONDS * 1000);
  }

  /**
   * Takes a slot for `runId` (a held slot, or a reservation when `reserveSeconds` is given) if
   * one is free under `limit` (null = unlimited). A run that already holds or reserved a slot
   * keeps it (and a reservation becomes held).
   */
  async acquire(scope: LedgerScope, runId: string, limit: number | null, reserveSeconds?: number): Promise<AcquireResult> {
    const now = Date.now();
    const result = this.ctx.storage.transactionSync(() => {
      this.remember(scope);
      this.expireReservations(now);
      const existing = this.sql.exec<{ reserved_until: number | null }>(`SELECT reserved_until FROM slot WHERE flow_run_id = ?`, runId).toArray()[0];
      if (existing) {
        if (reserveSeconds === undefined) this.sql.exec(`UPDATE slot SET reserved_until = NULL WHERE flow_run_id = ?`, runId);
        return { acquired: true, alreadyHeld: existing.reserved_until === null, active: this.active() };
      }
      const active = this.active();
      if (limit !== null && active >= limit) return { acquired: false, active };
      this.sql.exec(
        `INSERT INTO slot (flow_run_id, reserved_until, acquired_at, seq) VALUES (?, ?, ?, ?)`,
        runId,
        reserveSeconds === undefined ? null : now + reserveSeconds * 1000,
        now,
        this.nextSeq(),
      );
      return { acquired: true, active: active + 1 };
    });
    if (result.acquired) await this.ensureAlarm();
    return result;
  }

  /**
   * Hands out reservations to one poller: of `candidates` (in the order given), at most the free
   * slots and at most `max`, each reserved for `reserveSeconds`. Runs already in the ledger are skipped.
   */
  async reserve(
    scope: LedgerScope,
    candidates: string[],
    limit: number | null,
    reserveSeconds = RESERVATION_SECONDS,
    max = Infinity,
  ): Promise<string[]> {
    const now = Date.now();
    const granted = this.ctx.storage.transactionSync(() => {
      this.remember(scope);
      this.expireReservations(now);
      let free = Math.min(max, limit === null ? Infinity : Math.max(0, limit - this.active()));
      const out: string[] = [];
      let seq = this.nextSeq();
      for (const runId of candidates) {
        if (free <= 0) break;
        if (this.holds(runId)) continue;
        this.sql.exec(
          `INSERT INTO slot (flow_run_id, reserved_until, acquired_at, seq) VALUES (?, ?, ?, ?)`,
          runId,
          now + reserveSeconds * 1000,
          now,
          seq++,
        );
        out.push(runId);
        free -= 1;
      }
      return out;
    });
    if (granted.length) await this.ensureAlarm();
    return granted;
  }

  /** Gives a run's slot back (idempotent). */
  async release(runId: string): Promise<number> {
    this.sql.exec(`DELETE FROM slot WHERE flow_run_id = ?`, runId);
    return this.active();
  }

  async activeSlots(): Promise<number> {
    this.expireReservations(Date.now());
    return this.active();
  }

  /** Repairs the ledger from D1 (see the order of writes above). Returns what changed. */
  async reconcile(now = Date.now()): Promise<{ dropped: string[]; added: string[] }> {
    const scope = this.scope();
    if (!scope) return { dropped: [], added: [] };
    const occupying = new Set(await occupyingFlowRunIds(d1Binding(this.env), scope));
    return this.ctx.storage.transactionSync(() => {
      this.expireReservations(now);
      const entries = this.sql
        .exec<{ flow_run_id: string; reserved_until: number | null; acquired_at: number }>(`SELECT * FROM slot`)
        .toArray();
      const dropped: string[] = [];
      const known = new Set<string>();
      for (const e of entries) {
        known.add(e.flow_run_id);
        const stale = now - e.acquired_at > RECONCILE_GRACE_SECONDS * 1000;
        if (!occupying.has(e.flow_run_id) && e.reserved_until === null && stale) {
          this.sql.exec(`DELETE FROM slot WHERE flow_run_id = ?`, e.flow_run_id);
          dropped.push(e.flow_run_id);
        } else if (occupying.has(e.flow_run_id) && e.reserved_until !== null) {
          this.sql.exec(`UPDATE slot SET reserved_until = NULL WHERE flow_run_id = ?`, e.flow_run_id);
        }
      }
      const added: string[] = [];
      let seq = this.nextSeq();
      for (const id of occupying) {
        if (known.has(id)) continue;
        this.sql.exec(`INSERT INTO slot (flow_run_id, reserved_until, acquired_at, seq) VALUES (?, NULL, ?, ?)`, id, now, seq++);
        added.push(id);
      }
      return { dropped, added };
    });
  }

  async alarm(): Promise<void> {
    await this.reconcile();
    if (this.active() > 0) await this.ctx.storage.setAlarm(Date.now() + RECONCILE_EVERY_SECONDS * 1000);
  }
}
