import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";

/**
 * Turns at changing one run's state (`flow_run:<id>` / `task_run:<id>`): what Prefect's row lock
 * does for proposals that arrive together. Writes stay optimistic (a transition is stored only
 * over the state it was decided on); a proposal that lost that race waits here for its turn, so
 * that concurrent proposals are decided one after another instead of all retrying at once.
 *
 * Only a contention-reducer, never what makes a write correct: the object keeps its queue in
 * memory, a turn is a lease that ends after TURN_LEASE_MS even if its holder never gives it back
 * (a cancelled request), and a waiter gives up after MAX_WAIT_MS — then it proposes without a
 * turn, still under the optimistic guard. Nothing waits without bound.
 *
 * The holder gives the turn back with the run's snapshot as it left it (src/db/queries/
 * flow-run-snapshot.ts): the next holder decides on it without reading the run first.
 */

export const TURN_LEASE_MS = 3_000;
export const MAX_WAIT_MS = 10_000;
/** Beyond this many waiting proposals, a proposal gets no turn (it proposes optimistically). */
export const MAX_WAITING = 256;

export interface Turn {
  token: string;
  /** What the previous holder handed over (the run's snapshot text), if anything. */
  handed: string | null;
}

interface Waiter {
  deadline: number;
  resolve(turn: Turn | null): void;
}

export class RunTurns extends DurableObject<Bindings> {
  private holder: { token: string; until: number } | null = null;
  private handed: string | null = null;
  private readonly waiting: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Tests lengthen it: on a busy machine a test's own steps may outlast a real lease. */
  private leaseMs = TURN_LEASE_MS;

  /** The turn, now or once the proposals before it are done; null after MAX_WAIT_MS or when too many wait. */
  async take(): Promise<Turn | null> {
    this.passOn();
    if (!this.holder) return this.grant();
    if (this.waiting.length >= MAX_WAITING) return null;
    return new Promise((resolve) => {
      this.waiting.push({ deadline: Date.now() + MAX_WAIT_MS, resolve });
      this.arm();
    });
  }

  /** Ends turn `token` (if it still is the current one), leaving `handover` to the next holder. */
  async give(token: string, handover: string | null): Promise<void> {
    if (this.holder?.token !== token) return;
    this.holder = null;
    this.handed = handover;
    this.passOn();
  }

  /** How many proposals hold or wait for a turn (tests). */
  async queued(): Promise<number> {
    this.passOn();
    return (this.holder ? 1 : 0) + this.waiting.length;
  }

  private grant(): Turn {
    const token = crypto.randomUUID();
    this.holder = { token, until: Date.now() + this.leaseMs };
    this.arm();
    return { token, handed: this.handed };
  }

  /** Ends an expired lease, turns away waiters past their deadline, and grants the next turn. */
  private passOn(): void {
    const now = Date.now();
    if (this.holder && this.holder.until <= now) this.holder = null;
    // Waiters queue in deadline order.
    while (this.waiting.length && this.waiting[0].deadline <= now) this.waiting.shift()!.resolve(null);
    if (!this.holder && this.waiting.length) this.waiting.shift()!.resolve(this.grant());
    this.arm();
  }

  /** Wakes at the next lease end or waiter deadline (while anything waits). */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.waiting.length) return;
    const next = Math.min(this.holder?.until ?? Infinity, this.waiting[0].deadline);
    this.timer = setTimeout(() => this.passOn(), Math.max(0, next - Date.now()));
  }
}
