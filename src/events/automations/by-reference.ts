import type { StoredEvent } from "../../db/queries/events";
import { receivedEventById } from "../../db/queries/event-lookup";
import type { AutomationMessage, Firing } from "./contract";

/**
 * A queue message holds at most 128 KB, an event up to Prefect's 1.5 MB. A message too large
 * travels with its events by reference — each keeps its id, name and times, loses its
 * resources and payload — and the consumer reads them back from D1 (where the server stored
 * them before routing them), so a large event's automation still runs its actions.
 */
const MARK = "__by_reference";

function stub(e: StoredEvent): StoredEvent {
  return { id: e.id, occurred: e.occurred, received: e.received, event: e.event, resource: {}, related: [], payload: { [MARK]: true }, follows: e.follows };
}

function mapFiring(f: Firing, map: (e: StoredEvent) => StoredEvent): Firing {
  return {
    ...f,
    triggering_event: f.triggering_event ? map(f.triggering_event) : f.triggering_event,
    triggering_firings: (f.triggering_firings ?? []).map((c) => mapFiring(c, map)),
  };
}

function mapEvents(m: AutomationMessage, map: (e: StoredEvent) => StoredEvent): AutomationMessage {
  if (m.kind === "action") return { ...m, firing: mapFiring(m.firing, map), ...(m.triggering_event ? { triggering_event: map(m.triggering_event) } : {}) };
  return { ...m, event: map(m.event) };
}

export function withEventsByReference(m: AutomationMessage): AutomationMessage {
  return { ...mapEvents(m, stub), events_by_reference: true };
}

/** The message with its events read back when they travelled by reference (one lookup per event). */
export async function withEventsRestored(d1: D1Database, m: AutomationMessage): Promise<AutomationMessage> {
  if (!m.events_by_reference) return m;
  const ids = new Set<string>();
  mapEvents(m, (e) => (ids.add(e.id), e));
  const found = new Map<string, StoredEvent>();
  for (const id of ids) {
    const e = await receivedEventById(d1, id);
    if (e) found.set(id, e);
  }
  return mapEvents(m, (e) => found.get(e.id) ?? e);
}
