import { toIso } from "../../lib/time";

/**
 * What one cron pass of a vacuum task may spend: D1 round trips (a Worker invocation may make
 * 1 000 queries, shared by every service of the pass) and time (the next pass starts a minute
 * later). Each round trip deletes at most a batch of rows, so a pass is bounded however large the
 * backlog; what it leaves, the next pass takes.
 */
export class PassBudget {
  private readonly deadline: number;

  constructor(
    private roundTrips: number,
    seconds = PASS_SECONDS,
  ) {
    this.deadline = Date.now() + seconds * 1000;
  }

  /** Takes one round trip; false once the budget is spent. */
  take(): boolean {
    if (this.roundTrips <= 0 || Date.now() > this.deadline) return false;
    this.roundTrips -= 1;
    return true;
  }
}

/** A pass stops starting round trips after this long. */
export const PASS_SECONDS = 30;

/**
 * Repeats `step` (one round trip deleting at most `limit` rows, answering how many it deleted)
 * while the budget lasts, until a step deletes fewer than `limit`. `done`: nothing is left.
 */
export async function drain(budget: PassBudget, limit: number, step: () => Promise<number>): Promise<{ deleted: number; done: boolean }> {
  let deleted = 0;
  while (budget.take()) {
    const n = await step();
    deleted += n;
    if (n < limit) return { deleted, done: true };
  }
  return { deleted, done: false };
}

const EARLIEST = Date.UTC(1, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The ISO instant `seconds` before `now` (clamped to years 1–9999, as stored timestamps are). */
export function cutoff(now: number, seconds: number): string {
  const at = now - seconds * 1000;
  const clamped = Number.isFinite(at) ? Math.min(Math.max(at, EARLIEST), LATEST) : at > 0 ? LATEST : EARLIEST;
  return toIso(clamped);
}
