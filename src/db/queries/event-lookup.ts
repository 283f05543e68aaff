import type { StoredEvent } from "./events";

/**
 * An event the server has received, by id: stored in `event`, or still in an `event_outbox`
 * row waiting to be moved there (one D1 round trip).
 */
export async function receivedEventById(d1: D1Database, id: string): Promise<StoredEvent | null> {
  const [stored, pending] = await d1.batch<Record<string, string | null>>([
    d1.prepare(`SELECT id, occurred, received, event, resource, related, payload, follows FROM event WHERE id = ?`).bind(id),
    d1.prepare(`SELECT r.value AS e FROM event_outbox AS o, json_each(o.events) AS r WHERE json_extract(r.value, '$.id') = ? LIMIT 1`).bind(id),
  ]);
  const row = stored.results[0];
  if (row) {
    return {
      id: row.id!,
      occurred: row.occurred!,
      received: row.received!,
      event: row.event!,
      resource: JSON.parse(row.resource ?? "{}"),
      related: JSON.parse(row.related ?? "[]"),
      payload: JSON.parse(row.payload ?? "{}"),
      follows: row.follows ?? null,
    };
  }
  const raw = pending.results[0]?.e;
  if (!raw) return null;
  const e = JSON.parse(raw);
  return { id: e.id, occurred: e.occurred, received: e.received, event: e.event, resource: e.resource, related: e.related ?? [], payload: e.payload ?? {}, follows: e.follows ?? null };
}
