import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { StoredEvent } from "../../src/db/queries/events";
import { SUBSCRIPTION_BACKLOG, type EventStream } from "../../src/events/event-stream";
import { api, unique, waitFor } from "../helpers";

/** Nothing held for any socket. */
const NOTHING = { filters: 0, backfilling: 0, heldEvents: 0, backfilled: 0, backfilledIds: 0 };

/** An object of its own (not the global one other tests publish to). */
const stream = () => env.EVENT_STREAM.get(env.EVENT_STREAM.idFromName(unique("memory")));

/**
 * A socket accepted by the object as its fetch() accepts one, at the filter stage, and the events
 * its client receives. A client that does not listen (`listening: false`) never answers a close,
 * as one whose connection dropped.
 */
function accepted(state: DurableObjectState, { listening = true } = {}) {
  const [client, server] = Object.values(new WebSocketPair());
  state.acceptWebSocket(server, ["events"]);
  server.serializeAttachment({ id: crypto.randomUUID(), kind: "events", stage: "filter", authDigest: null, connectedAt: Date.now() });
  if (listening) client.accept();
  const events: any[] = [];
  client.addEventListener("message", (m) => {
    const msg = JSON.parse(m.data as string);
    if (msg.type === "event") events.push(msg.event);
  });
  return { server, events };
}

/** The SDK's filter message: its window runs from a minute ago to a year ahead. */
const filterMessage = (prefix: string) =>
  JSON.stringify({
    type: "filter",
    filter: { event: { prefix: [prefix] }, occurred: { since: new Date(Date.now() - 60_000).toISOString(), until: new Date(Date.now() + 365 * 86_400_000).toISOString() } },
  });

function storedEvent(name: string): StoredEvent {
  const now = new Date().toISOString();
  return { id: crypto.randomUUID(), occurred: now, received: now, event: name, resource: { "prefect.resource.id": "memory.test" }, related: [], payload: {}, follows: null };
}

describe("EventStream memory", () => {
  it("keeps nothing, in memory or storage, for a socket that closed while its filter was being stored", async () => {
    await runInDurableObject(stream(), async (instance: EventStream, state) => {
      const { server } = accepted(state, { listening: false });
      // A filter too large for the socket's attachment is kept in storage.
      const large = Array.from({ length: 100 }, (_, i) => `memory.${"x".repeat(20)}.${i}`);
      const handled = instance.webSocketMessage(server, JSON.stringify({ type: "filter", filter: { event: { name: large } } }));
      await instance.webSocketClose(server, 1006, "");
      await handled;
      expect(await instance.held()).toEqual(NOTHING);
      expect([...(await state.storage.list({ prefix: "filter:" })).keys()]).toEqual([]);
    });
  });

  it("holds at most SUBSCRIPTION_BACKLOG live events per socket while its backfill runs, as Prefect drops the rest", async () => {
    const prefix = `${unique("held")}.`;
    await runInDurableObject(stream(), async (instance: EventStream, state) => {
      const { server, events } = accepted(state);
      const handled = instance.webSocketMessage(server, filterMessage(prefix));
      await waitFor(async () => (await instance.held()).backfilling === 1);
      await instance.publishEvents(Array.from({ length: SUBSCRIPTION_BACKLOG + 100 }, (_, i) => storedEvent(`${prefix}${i}`)));
      expect(await instance.held()).toMatchObject({ backfilling: 1, heldEvents: SUBSCRIPTION_BACKLOG });
      await handled;
      await waitFor(() => events.length >= SUBSCRIPTION_BACKLOG);
      await new Promise((r) => setTimeout(r, 50));
      expect(events.map((e) => e.event)).toEqual(Array.from({ length: SUBSCRIPTION_BACKLOG }, (_, i) => `${prefix}${i}`));
      expect(await instance.held()).toEqual({ ...NOTHING, filters: 1 });
      await instance.webSocketClose(server, 1000, "");
      expect(await instance.held()).toEqual(NOTHING);
    });
  });

  it("keeps the ids of backfilled events only for those received lately (a live copy of older ones cannot come)", async () => {
    const prefix = `${unique("dedupe")}.`;
    const sent = Array.from({ length: 5 }, (_, i) => ({ ...storedEvent(`${prefix}${i}`), related: undefined, follows: undefined, received: undefined }));
    expect((await api("POST", "/events", sent)).status).toBe(204);
    const old = sent.slice(0, 3).map((e) => e.id);
    await env.DB.prepare(`UPDATE event SET received = ? WHERE id IN (SELECT value FROM json_each(?))`)
      .bind(new Date(Date.now() - 5 * 60_000).toISOString(), JSON.stringify(old))
      .run();
    await runInDurableObject(stream(), async (instance: EventStream, state) => {
      const { server, events } = accepted(state);
      await instance.webSocketMessage(server, filterMessage(prefix));
      await waitFor(() => events.length >= sent.length);
      expect(events.map((e) => e.id).sort()).toEqual(sent.map((e) => e.id).sort());
      expect(await instance.held()).toEqual({ ...NOTHING, filters: 1, backfilled: 1, backfilledIds: 2 });
      await instance.webSocketClose(server, 1000, "");
      expect(await instance.held()).toEqual(NOTHING);
    });
  });
});
