import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { api, unique, waitFor } from "../../helpers";
import { openSocket, send } from "../sockets";
import { getDb } from "../../../src/db/client";
import { createAutomation as insertAutomation } from "../../../src/db/queries/automations";
import { completeAutomation } from "../../../src/services/automations/validate";
import { emitEvents } from "../../../src/events/outbox";
import { routerProbe, SNAPSHOT_TTL_MS } from "../../../src/events/automations/router";
import type { StoredEvent } from "../../../src/db/queries/events";

/** Each object call the router makes: the automation and the ids of the events it was handed. */
let calls: { automation: string; events: string[] }[] = [];
beforeEach(() => {
  calls = [];
  routerProbe.onCall = (automation: string, events: StoredEvent[]) => calls.push({ automation, events: events.map((e) => e.id) });
});
afterEach(() => {
  routerProbe.onCall = null;
});

const resourceId = () => `my.resource.${crypto.randomUUID()}`;

function trigger(overrides: Record<string, unknown> = {}) {
  return { type: "event", match: {}, match_related: [], after: [], expect: [], for_each: [], posture: "Reactive", threshold: 1, within: 0, ...overrides };
}

async function create(triggerSpec: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  const res = await api("POST", "/automations/", { name: unique("routing"), trigger: triggerSpec, actions: [{ type: "do-nothing" }], ...overrides });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; [k: string]: any };
}

function event(name: string, resource: string, related: Record<string, string>[] = []) {
  return { id: crypto.randomUUID(), occurred: new Date().toISOString(), event: name, resource: { "prefect.resource.id": resource }, related, payload: {} };
}

async function post(...events: ReturnType<typeof event>[]) {
  const res = await api("POST", "/events", events);
  expect(res.status).toBe(204);
}

const callsTo = (automation: string) => calls.filter((c) => c.automation === automation);

/**
 * Routing runs after the response (kept alive with waitUntil): a fence is an event for an
 * automation of its own, sent last; once its call is seen, everything before it was routed.
 */
async function fence() {
  fenceAutomation ??= await create(trigger({ expect: ["routing.fence"] }));
  const e = event("routing.fence", resourceId());
  await post(e);
  await waitFor(() => calls.some((c) => c.events.includes(e.id)));
  calls = calls.filter((c) => c.automation !== fenceAutomation!.id);
}
let fenceAutomation: { id: string } | undefined;

describe("routing events to automations", () => {
  it("an event that concerns no automation makes no object call and no query", async () => {
    const name = unique("quiet");
    for (let i = 0; i < 5; i++) await create(trigger({ expect: [`${name}.other.${i}`, `${name}.glob.*`], match: { "prefect.resource.id": "nothing.matches" } }));
    const matched = await create(trigger({ expect: [name], match: { "prefect.resource.id": "my.resource.*" } }));
    await fence();

    const before = { loads: routerProbe.loads, reads: routerProbe.snapshotReads, objectCalls: routerProbe.objectCalls };
    await post(event(`${name}.unrelated`, resourceId()), event(`${name}.glob.x`, resourceId()), event(name, "other.resource"));
    const hit = event(name, resourceId());
    await post(hit);
    await waitFor(() => callsTo(matched.id).length);
    expect(calls).toEqual([{ automation: matched.id, events: [hit.id] }]);
    expect(routerProbe.objectCalls - before.objectCalls).toBe(1);
    expect(routerProbe.loads - before.loads).toBe(0);
    expect(routerProbe.snapshotReads - before.reads).toBe(0);
  });

  it("hands each automation its matching events of a batch in one call, in order", async () => {
    const name = unique("batch");
    const flowRun = `prefect.flow-run.${crypto.randomUUID()}`;
    const byResource = await create(trigger({ expect: [`${name}.*`], match: { "prefect.resource.id": flowRun } }));
    const byRelated = await create(trigger({ expect: [`${name}.b`], match_related: { "prefect.resource.role": "flow", "prefect.resource.id": ["prefect.flow.x", "prefect.flow.y"] } }));
    const negated = await create(trigger({ after: [`${name}.a`], expect: [`${name}.c`], match: { "prefect.resource.id": `!${flowRun}` } }));
    const flow = { "prefect.resource.id": "prefect.flow.y", "prefect.resource.role": "flow" };
    const a = event(`${name}.a`, flowRun);
    const b = event(`${name}.b`, flowRun, [flow]);
    const c = event(`${name}.c`, "somewhere.else");
    const d = event(`${name}.b`, "somewhere.else", [{ ...flow, "prefect.resource.role": "other" }]);
    await post(a, b, c, d);
    await fence();
    expect(callsTo(byResource.id)).toEqual([{ automation: byResource.id, events: [a.id, b.id] }]);
    expect(callsTo(byRelated.id)).toEqual([{ automation: byRelated.id, events: [b.id] }]);
    // `after` events are routed too (they open windows); `!` excludes the flow run.
    expect(callsTo(negated.id)).toEqual([{ automation: negated.id, events: [c.id] }]);
  });

  it("ignores prefect.log.write", async () => {
    const resource = resourceId();
    const any = await create(trigger({ match: { "prefect.resource.id": resource } }));
    await post(event("prefect.log.write", resource));
    const other = event("something.else", resource);
    await post(other);
    await waitFor(() => callsTo(any.id).length);
    await fence();
    expect(callsTo(any.id)).toEqual([{ automation: any.id, events: [other.id] }]);
  });

  it("routes events sent on /events/in, as the SDK sends them", async () => {
    const name = unique("socket");
    const automation = await create(trigger({ expect: [name] }));
    const socket = await openSocket("/events/in");
    send(socket, { type: "auth", token: null });
    await waitFor(() => socket.messages.length);
    const e = event(name, resourceId());
    send(socket, e);
    await waitFor(() => callsTo(automation.id).length);
    expect(callsTo(automation.id)).toEqual([{ automation: automation.id, events: [e.id] }]);
    socket.ws.close();
  });

  it("routes server-made events (the outbox path)", async () => {
    const name = unique("server");
    const automation = await create(trigger({ expect: [name] }));
    await emitEvents([{ event: name, resource: { "prefect.resource.id": resourceId() } }], env as any);
    await waitFor(() => callsTo(automation.id).length);
  });
});

describe("automation changes take effect on the very next event", () => {
  it("created, disabled, enabled, replaced, deleted", async () => {
    const name = unique("change");
    const resource = resourceId();
    // Server-made events: no snapshot rides with them, so only this isolate's invalidation can
    // make a change visible within SNAPSHOT_TTL_MS (each fence has just confirmed the index).
    const hit = async (eventName = name) => {
      const id = crypto.randomUUID();
      await emitEvents([{ id, event: eventName, resource: { "prefect.resource.id": resource } }], env as any);
      await fence();
      return calls.filter((c) => c.events.includes(id)).map((c) => c.automation);
    };
    await fence();
    const automation = await create(trigger({ expect: [name] }));
    expect(await hit()).toEqual([automation.id]);

    expect((await api("PATCH", `/automations/${automation.id}`, { enabled: false })).status).toBe(204);
    expect(await hit()).toEqual([]);
    expect((await api("PATCH", `/automations/${automation.id}`, { enabled: true })).status).toBe(204);
    expect(await hit()).toEqual([automation.id]);

    const replaced = { name: automation.name, trigger: trigger({ expect: [`${name}.new`] }), actions: [{ type: "do-nothing" }] };
    expect((await api("PUT", `/automations/${automation.id}`, replaced)).status).toBe(204);
    expect(await hit()).toEqual([]);
    expect(await hit(`${name}.new`)).toEqual([automation.id]);

    expect((await api("DELETE", `/automations/${automation.id}`)).status).toBe(204);
    expect(await hit(`${name}.new`)).toEqual([]);

    const disabled = await create(trigger({ expect: [name] }), { enabled: false });
    expect(await hit()).toEqual([]);
    expect((await api("PATCH", `/automations/${disabled.id}`, { enabled: true })).status).toBe(204);
    expect(await hit()).toEqual([disabled.id]);
  });

  it("a change made through another isolate reaches the next client event, and server events within a second", async () => {
    const name = unique("elsewhere");
    await fence(); // the index is loaded and current
    const loads = routerProbe.loads;
    // Written as another isolate would: nothing in this one is told.
    const core = completeAutomation({ name, trigger: trigger({ expect: [name] }), actions: [{ type: "do-nothing" }] } as any, true);
    const sink = { committed() {}, emit: async () => {} };
    const automation = await insertAutomation(getDb(env.DB), core, null, sink);

    const e = event(name, resourceId());
    await post(e);
    await waitFor(() => callsTo(automation.id).length);
    expect(calls.find((c) => c.automation === automation.id)?.events).toEqual([e.id]);
    expect(routerProbe.loads).toBe(loads + 1);

    const later = unique("elsewhere");
    const core2 = completeAutomation({ name: later, trigger: trigger({ expect: [later] }), actions: [{ type: "do-nothing" }] } as any, true);
    const second = await insertAutomation(getDb(env.DB), core2, null, sink);
    await new Promise((r) => setTimeout(r, SNAPSHOT_TTL_MS + 50));
    await emitEvents([{ event: later, resource: { "prefect.resource.id": resourceId() } }], env as any);
    await waitFor(() => callsTo(second.id).length);
  });
});
