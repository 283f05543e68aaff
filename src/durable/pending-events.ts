import type { StoredEvent } from "../db/queries/events";
import { bulkInsertEventStatements } from "../db/queries/events";

/** Events written to D1 per batch when the buffer drains. */
const EVENTS_PER_FLUSH = 200;

/**
 * A durable buffer of server-made events on their way to D1, kept in a Durable Object's own
 * SQLite storage: appending is a local write, and the buffer drains to D1 in bulk (two statements
 * per EVENTS_PER_FLUSH events) instead of two D1 statements per event on the request's path —
 * the role of Prefect's event persister, which also stores events in batches. Draining is
 * idempotent (event ids), so a drain cut short is simply repeated.
 */
export class PendingEvents {
  private draining: Promise<void> = Promise.resolve();
  private count: number;

  constructor(
    private readonly sql: SqlStorage,
    private readonly d1: D1Database,
  ) {
    sql.exec("CREATE TABLE IF NOT EXISTS pending_event (seq INTEGER PRIMARY KEY AUTOINCREMENT, events TEXT NOT NULL, n INTEGER NOT NULL)");
    this.count = Number(sql.exec("SELECT coalesce(sum(n), 0) AS n FROM pending_event").one().n);
  }

  /** Events waiting to reach D1. */
  get size(): number {
    return this.count;
  }

  /** Appends `n` events given as their JSON array (kept as sent: no parse on this path). */
  add(eventsJson: string, n: number): void {
    if (!n) return;
    this.sql.exec("INSERT INTO pending_event (events, n) VALUES (?, ?)", eventsJson, n);
    this.count += n;
  }

  /** Writes every buffered event to D1; resolves once those present when called are stored. */
  flush(): Promise<void> {
    const next = this.draining.catch(() => undefined).then(() => this.drain());
    this.draining = next;
    return next;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const rows = this.sql
        .exec<{ seq: number; events: string; n: number }>("SELECT seq, events, n FROM pending_event ORDER BY seq LIMIT ?", EVENTS_PER_FLUSH)
        .toArray();
      if (!rows.length) return;
      const chunk: StoredEvent[] = [];
      let last = 0;
      for (const row of rows) {
        if (chunk.length && chunk.length + row.n > EVENTS_PER_FLUSH) break;
        chunk.push(...(JSON.parse(row.events) as StoredEvent[]));
        last = row.seq;
      }
      await this.d1.batch(bulkInsertEventStatements(this.d1, chunk));
      this.sql.exec("DELETE FROM pending_event WHERE seq <= ?", last);
      this.count = Math.max(0, this.count - chunk.length);
    }
  }
}
