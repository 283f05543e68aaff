import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { api, unique, waitFor } from "../helpers";
import { openSocket, send } from "./sockets";
import { getDb } from "../../src/db/client";
import { DRAIN_AFTER_EVENTS, drainEventOutbox, eventsCommitted, LOGGED_CHARS, recordEvents } from "../../src/events/outbox";
import { eventOutboxStatement } from "../../src/db/queries/event-outbox";
import { SERVICES } from "../../src/services/cron";
import type { StoredEvent } from "../../src/db/queries/events";
import type { Bindings } from "../../src/env";

const db = getDb(env.DB);

async function storedEvents(resourceId: string) {
  const { results } = await env.DB.prepare("SELECT id, event FROM event WHERE resource_id = ? ORDER BY occurred, rowid").bind(resourceId).all<{ id: string; event: string }>();
  return results;
}

async function storedResources(eventId: string) {
  const { results } = await env.DB.prepare("SELECT resource_id, resource_role FROM event_resource WHERE event_id = ? ORDER BY id").bind(eventId).all();
  return results;
}

const outboxRows = async () => Number((await env.DB.prepare("SELECT count(*) AS n FROM event_outbox").first<{ n: number }>())!.n);

function storedEvent(resourceId: string, name = "test.recorded", occurred = new Date().toISOString()): StoredEvent {
  return {
    id: crypto.randomUUID(),
    occurred,
    received: occurred,
    event: name,
    resource: { "prefect.resource.id": resourceId, "prefect.resource.name": "r" },
    related: [{ "prefect.resource.id": `${resourceId}.flow`, "prefect.resource.role": "flow" }],
    payload: { n: 1 },
    follows: null,
  };
}

/** Events left in the outbox, as a change's batch leaves them before anything drains it. */
const pending = (events: StoredEvent[]) => eventOutboxStatement(db, events).run();

async function runningFlowRun() {
  const flow = (await api("POST", "/flows/", { name: unique("outbox") })).body;
  const run = (await api("POST", "/flow_runs/", { flow_id: flow.id, state: { type: "PENDING" } })).body;
  expect((await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" } })).status).toBe(201);
  return run.id as string;
}

describe("the event outbox", () => {
  it("receives a state change's event with the change, and drains it into event and event_resource", async () => {
    const runId = await runningFlowRun();
    await drainEventOutbox(db);
    expect(await outboxRows()).toBe(0);
    const events = await storedEvents(`prefect.flow-run.${runId}`);
    expect(events.map((e) => e.event)).toEqual(["prefect.flow-run.Pending", "prefect.flow-run.Running"]);
    const resources = await storedResources(events[1].id);
    expect(resources).toContainEqual({ resource_id: `prefect.flow-run.${runId}`, resource_role: "" });
    expect(resources.some((r: any) => r.resource_role === "flow")).toBe(true);
  });

  it("drops a server-made event larger than Prefect's maximum (a run named in 1.6 MB): the state change is made without it", async () => {
    const flow = (await api("POST", "/flows/", { name: unique("outbox") })).body;
    const run = (await api("POST", "/flow_runs/", { flow_id: flow.id, name: "n".repeat(1_600_000) })).body;
    expect((await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" } })).body.status).toBe("ACCEPT");
    await drainEventOutbox(db);
    expect(await storedEvents(`prefect.flow-run.${run.id}`)).toEqual([]);
    expect((await api("GET", `/flow_runs/${run.id}`)).body.state_type).toBe("RUNNING");
  });

  it("keeps a server-made event to Prefect's 100 related resources: runs of a flow with 10 000 tags are made and change state", async () => {
    const flow = (await api("POST", "/flows/", { name: unique("outbox") })).body;
    expect((await api("PATCH", `/flows/${flow.id}`, { tags: Array.from({ length: 10_000 }, (_, i) => `t${i}`) })).status).toBe(204);
    const run = await api("POST", "/flow_runs/", { flow_id: flow.id, state: { type: "PENDING" } });
    expect(run.status).toBe(201);
    expect((await api("POST", `/flow_runs/${run.body.id}/set_state`, { state: { type: "RUNNING" } })).body.status).toBe("ACCEPT");
    await drainEventOutbox(db);
    const [pending, running] = await storedEvents(`prefect.flow-run.${run.body.id}`);
    const resources = await storedResources(running!.id);
    expect(resources).toHaveLength(101);
    expect(resources.filter((r: any) => r.resource_role === "tag")).toHaveLength(99);
    expect(resources).toContainEqual({ resource_id: `prefect.flow.${flow.id}`, resource_role: "flow" });
    expect(pending).toBeDefined();
  });

  it("is drained before /events/filter and /events/count-by read", async () => {
    const resource = unique("readers");
    const e = storedEvent(resource);
    await pending([e]);
    const page = await api("POST", "/events/filter", { filter: { any_resource: { id: [resource] } } });
    expect(page.body.events.map((x: any) => x.id)).toEqual([e.id]);

    const other = unique("readers");
    await pending([storedEvent(other), storedEvent(other)]);
    const counts = await api("POST", "/events/count-by/event", { filter: { any_resource: { id: [other] } } });
    expect(counts.body.reduce((n: number, c: any) => n + c.count, 0)).toBe(2);
  });

  it("is drained before an /events/out backfill", async () => {
    const resource = unique("backfill");
    const e = storedEvent(resource);
    await pending([e]);
    const s = await openSocket("/events/out");
    send(s, { type: "auth", token: null });
    await waitFor(() => s.messages.length >= 1);
    send(s, { type: "filter", filter: { occurred: { since: new Date(Date.now() - 60_000).toISOString() }, any_resource: { id: [resource] } } });
    expect(await waitFor(() => s.messages.some((m) => m.type === "event"))).toBe(true);
    expect(s.messages.filter((m) => m.type === "event").map((m) => m.event.id)).toEqual([e.id]);
    s.ws.close();
  });

  it("reaches a subscriber without backfill that isolates did not yet know of: what arrived since it connected", async () => {
    const resource = unique("catch-up");
    const before = storedEvent(resource, "test.before", new Date(Date.now() - 10_000).toISOString());
    await pending([before]);
    const s = await openSocket("/events/out");
    send(s, { type: "auth", token: null });
    await waitFor(() => s.messages.length >= 1);
    send(s, { type: "filter", filter: { occurred: { since: new Date(Date.now() - 60_000).toISOString() }, any_resource: { id: [resource] } }, backfill: false });
    // Stored, not published: as by an isolate whose answer about subscribers is still "none".
    const after = storedEvent(resource, "test.after");
    await pending([after]);
    expect(await waitFor(() => s.messages.some((m) => m.type === "event"))).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.messages.filter((m) => m.type === "event").map((m) => m.event.event)).toEqual(["test.after"]);
    s.ws.close();
  });

  it("is drained by the cron pass", async () => {
    const resource = unique("cron");
    const e = storedEvent(resource);
    await pending([e]);
    await SERVICES["event-persister"](env as unknown as Bindings);
    expect((await storedEvents(resource)).map((r) => r.id)).toEqual([e.id]);
  });

  it("is drained after an isolate has committed DRAIN_AFTER_EVENTS events, without any reader", async () => {
    const resource = unique("threshold");
    const events = Array.from({ length: DRAIN_AFTER_EVENTS }, () => storedEvent(resource));
    await pending(events);
    eventsCommitted(events, env as unknown as Bindings);
    expect(await waitFor(async () => (await storedEvents(resource)).length === DRAIN_AFTER_EVENTS)).toBe(true);
  });

  it("moves many rows in the order they were written, each event once however often it is drained", async () => {
    const resource = unique("many");
    const occurred = "2026-01-01T00:00:00.000Z";
    const events = Array.from({ length: 450 }, (_, i) => storedEvent(resource, `test.n${i}`, occurred));
    for (const e of events) await pending([e]);
    await pending([events[0]]); // written twice
    await Promise.all([drainEventOutbox(db), drainEventOutbox(db)]);
    expect((await storedEvents(resource)).map((r) => r.id)).toEqual(events.map((e) => e.id));
    expect(await storedResources(events[0].id)).toEqual([
      { resource_id: resource, resource_role: "" },
      { resource_id: `${resource}.flow`, resource_role: "flow" },
    ]);
    expect(await outboxRows()).toBe(0);
  });

  it("lets the runtime's event loop turn between drain batches (other requests go on meanwhile)", async () => {
    const resource = unique("turns");
    for (let i = 0; i < 450; i++) await pending([storedEvent(resource)]); // 3 drain batches of 200
    let leftWhenTimerRan = -1;
    setTimeout(() => void outboxRows().then((n) => (leftWhenTimerRan = n)), 0);
    await drainEventOutbox(db);
    await waitFor(async () => leftWhenTimerRan >= 0);
    expect(leftWhenTimerRan).toBeGreaterThan(0);
  });

  it("drops a row that cannot be stored (logged) instead of holding back the events after it", async () => {
    const resource = unique("poison");
    const good = [storedEvent(resource, "test.first"), storedEvent(resource, "test.last")];
    await pending([good[0]]);
    const broken = { ...storedEvent(resource, "test.broken"), resource: { "prefect.resource.name": "no id" } } as unknown as StoredEvent;
    await pending([broken]);
    await pending([good[1]]);
    await drainEventOutbox(db);
    expect((await storedEvents(resource)).map((r) => r.event)).toEqual(["test.first", "test.last"]);
    expect(await outboxRows()).toBe(0);
  });

  it("logs a dropped row's id and the start of its events, not all of them", async () => {
    const resource = unique("poison-big");
    const broken = { ...storedEvent(resource, "test.broken"), resource: { "prefect.resource.name": "no id" }, payload: { big: "p".repeat(200_000) } };
    await pending([broken as unknown as StoredEvent]);
    const logged: unknown[][] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args) => void logged.push(args));
    try {
      await drainEventOutbox(db);
    } finally {
      spy.mockRestore();
    }
    const dropped = logged.find((args) => String(args[0]).includes("dropping a row"))!;
    expect(dropped[1]).toMatchObject({ chars: expect.any(Number), events: expect.any(String) });
    expect((dropped[1] as { chars: number }).chars).toBeGreaterThan(200_000);
    expect(JSON.stringify(dropped).length).toBeLessThan(4 * LOGGED_CHARS);
    expect(await outboxRows()).toBe(0);
  });

  it("stores standalone events (recordEvents) the same way", async () => {
    const resource = unique("standalone");
    const e = storedEvent(resource);
    await recordEvents([e], env as unknown as Bindings);
    await drainEventOutbox(db);
    expect((await storedEvents(resource)).map((r) => r.id)).toEqual([e.id]);
  });
});
