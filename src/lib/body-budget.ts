/**
 * An isolate-wide budget for the large request bodies being handled at once. A request holds
 * several times its body while it is handled (text, parsed JSON, validated copy, rows: a 6 MB log
 * post peaks near 40 MB), and an isolate has 128 MB in production: three such posts at once would
 * take the isolate down, and every request in it. A body of at least 1/LARGE_SHARE of the maximum
 * (1 MiB of the default 8 MiB) is handled only while the large bodies being handled total at most
 * twice the maximum (so one body of the maximum size always fits); otherwise it waits, in turn,
 * up to WAIT_MS for room, then gets 503 with Retry-After (the Prefect client retries it). Smaller
 * bodies never wait.
 */

export const LARGE_SHARE = 8;
export const CAPACITY_IN_MAXIMA = 2;
export const WAIT_MS = 3_000;
/** Seconds a refused client is told to wait (Retry-After). */
export const RETRY_AFTER_S = 2;

interface Waiter {
  bytes: number;
  grant: () => void;
}

export class BodyBudget {
  private used = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly capacity: number) {}

  /** Bytes taken now (for tests and diagnostics). */
  get inUse(): number {
    return this.used;
  }

  /**
   * Takes `bytes` of the budget, waiting up to `waitMs` for room (after whoever waits already):
   * answers the function that gives them back, or null when no room came in time.
   */
  async take(bytes: number, waitMs: number): Promise<(() => void) | null> {
    const amount = Math.min(bytes, this.capacity);
    if (!this.waiting.length && this.used + amount <= this.capacity) return this.grant(amount);
    return new Promise((resolve) => {
      const waiter: Waiter = { bytes: amount, grant: () => (clearTimeout(timer), resolve(this.grant(amount))) };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        resolve(null);
        this.admit(); // a large waiter gone may let smaller ones behind it in
      }, waitMs);
      this.waiting.push(waiter);
    });
  }

  private grant(amount: number): () => void {
    this.used += amount;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.used -= amount;
      this.admit();
    };
  }

  /** Lets waiters in, in turn, while they fit. */
  private admit(): void {
    while (this.waiting.length && this.used + this.waiting[0]!.bytes <= this.capacity) this.waiting.shift()!.grant();
  }
}

const budgets = new Map<number, BodyBudget>();

/** This isolate's budget for bodies of at most `maxBodyBytes` each. */
export function bodyBudgetFor(maxBodyBytes: number): BodyBudget {
  let budget = budgets.get(maxBodyBytes);
  if (!budget) budgets.set(maxBodyBytes, (budget = new BodyBudget(CAPACITY_IN_MAXIMA * maxBodyBytes)));
  return budget;
}

/** Whether a body of `bytes` counts against the budget. */
export const isLargeBody = (bytes: number, maxBodyBytes: number) => bytes >= maxBodyBytes / LARGE_SHARE;
