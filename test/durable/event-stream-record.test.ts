import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";
import { openSocket, send, until } from "../events/sockets";
import { eventStreamOf, recordEvents } from "../../src/services/streams/publish";
import { FLUSH_AFTER_MS, FLUSH_AT } from "../../src/durable/event-stream";
import type { StoredEvent } from "../../src/db/queries/events";
import type { Bindings } from "../../src/env";

const stream = () => eventStreamOf(env as unknown as Bindings);

async function storedEvents(resourceId: string) {
  const { results } = await env.DB.prepare("SELECT id, event FROM event WHERE resource_id = ? ORDER BY occurred, rowid").bind(resourceId).all<{ id: string; event: string }>();
  return results;
}

async function storedResources(eventId: string) {
  const { results } = await env.DB.prepare("SELECT resource_id, resource_role FROM event_resource WHERE event_id = ? ORDER BY id").bind(eventId).all();
  return results;
}

const pendingCount = () => runInDurableObject(stream(), async (_o, state) => Number(state.storage.sql.exec("SELECT coalesce(sum(n), 0) AS n FROM pending_event").one().n));

function storedEvent(resourceId: string, name = "test.recorded"): StoredEvent {
  const now = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    occurred: now,
    received: now,
    event: name,
    resource: { "prefect.resource.id": resourceId, "prefect.resource.name": "r" },
    related: [{ "prefect.resource.id": `${resourceId}.flow`, "prefect.resource.role": "flow" }],
    payload: { n: 1 },
    follows: null,
  };
}

async function runningFlowRun() {
  const flow = (await api("POST", "/flows/", { name: unique("record") })).body;
  const run = (await api("POST", "/flow_runs/", { flow_id: flow.id, state: { type: "PENDING" } })).body;
  expect((await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" } })).status).toBe(201);
  return run.id as string;
}

describe("server-made events are recorded through the EventStream object", () => {
  it("buffers a state change's event durably, then the alarm writes it and its resources to D1", async () => {
    await runDurableObjectAlarm(stream()); // an earlier test's buffer out of the way
    const runId = await runningFlowRun();
    expect((await storedEvents(`prefect.flow-run.${runId}`)).length).toBe(0);
    expect(await pendingCount()).toBeGreaterThanOrEqual(2);
    const alarm = await runInDurableObject(stream(), (_o, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(Date.now() + FLUSH_AFTER_MS);

    expect(await runDurableObjectAlarm(stream())).toBe(true);
    const events = await storedEvents(`prefect.flow-run.${runId}`);
    expect(events.map((e) => e.event)).toEqual(["prefect.flow-run.Pending", "prefect.flow-run.Running"]);
    const resources = await storedResources(events[1].id);
    expect(resources).toContainEqual({ resource_id: `prefect.flow-run.${runId}`, resource_role: "" });
    expect(resources.some((r: any) => r.resource_role === "flow")).toBe(true);
    expect(await pendingCount()).toBe(0);
  });

  it("answers readers with every recorded event: /events/filter and count-by flush the buffer first", async () => {
    const runId = await runningFlowRun();
    const filter = { filter: { any_resource: { id: [`prefect.flow-run.${runId}`] } } };
    const page = await api("POST", "/events/filter", filter);
    expect(page.status).toBe(200);
    expect(page.body.events.map((e: any) => e.event).sort()).toEqual(["prefect.flow-run.Pending", "prefect.flow-run.Running"]);
    expect((await storedEvents(`prefect.flow-run.${runId}`)).length).toBe(2);

    const other = await runningFlowRun();
    const counts = await api("POST", "/events/count-by/event", { filter: { any_resource: { id: [`prefect.flow-run.${other}`] } } });
    expect(counts.status).toBe(200);
    expect(counts.body.reduce((n: number, c: any) => n + c.count, 0)).toBe(2);
  });

  it("backfills /events/out subscribers with events still in the buffer", async () => {
    const runId = await runningFlowRun();
    const s = await openSocket("/events/out");
    send(s, { type: "auth", token: null });
    await until(() => s.messages.length >= 1);
    const since = new Date(Date.now() - 60_000).toISOString();
    send(s, { type: "filter", filter: { occurred: { since }, any_resource: { id: [`prefect.flow-run.${runId}`] } } });
    const got = await until(() => s.messages.filter((m) => m.type === "event").length >= 2);
    expect(got).toBe(true);
    expect(s.messages.filter((m) => m.type === "event").map((m) => m.event.event)).toEqual(["prefect.flow-run.Pending", "prefect.flow-run.Running"]);
    s.ws.close();
  });

  it("stores each event once, however often it is recorded or drained", async () => {
    const resource = unique("idempotent");
    const e = storedEvent(resource);
    await recordEvents([e], env as unknown as Bindings);
    await recordEvents([e], env as unknown as Bindings);
    await stream().flush();
    await stream().flush();
    expect((await storedEvents(resource)).map((r) => r.id)).toEqual([e.id]);
    expect(await storedResources(e.id)).toEqual([
      { resource_id: resource, resource_role: "" },
      { resource_id: `${resource}.flow`, resource_role: "flow" },
    ]);
  });

  it("keeps events in the order they were recorded, across drains of many at once", async () => {
    const resource = unique("many");
    const events = Array.from({ length: FLUSH_AT * 3 + 7 }, (_, i) => ({ ...storedEvent(resource, `test.n${i}`), occurred: "2026-01-01T00:00:00.000Z" }));
    for (let i = 0; i < events.length; i += 50) await recordEvents(events.slice(i, i + 50), env as unknown as Bindings);
    await stream().flush();
    expect((await storedEvents(resource)).map((r) => r.id)).toEqual(events.map((e) => e.id));
    expect(await pendingCount()).toBe(0);
  });

  it("drains at once, without waiting FLUSH_AFTER_MS, once FLUSH_AT events are waiting", async () => {
    await stream().flush();
    const resource = unique("threshold");
    const events = Array.from({ length: FLUSH_AT }, () => storedEvent(resource));
    const started = Date.now();
    await recordEvents(events, env as unknown as Bindings);
    const drained = await until(async () => (await storedEvents(resource)).length === FLUSH_AT, FLUSH_AFTER_MS / 2);
    expect(drained).toBe(true);
    expect(Date.now() - started).toBeLessThan(FLUSH_AFTER_MS);
  });

  it("writes the events to D1 directly when the EventStream object cannot be reached", async () => {
    const resource = unique("fallback");
    const e = storedEvent(resource);
    const unreachable = {
      ...env,
      EVENT_STREAM: {
        idFromName: () => {
          throw new Error("no durable objects today");
        },
      },
    } as unknown as Bindings;
    await recordEvents([e], unreachable);
    expect((await storedEvents(resource)).map((r) => r.id)).toEqual([e.id]);
  });
});
