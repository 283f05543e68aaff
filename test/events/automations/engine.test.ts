import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, settleEvents, unique, waitFor } from "../../helpers";

/** The engine end to end: automations made through the API fire on events that reach the server. */
async function create(trigger: Record<string, unknown>) {
  const res = await api("POST", "/automations/", { name: unique("engine"), trigger, actions: [{ type: "do-nothing" }] });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string };
}

async function triggered(automationId: string) {
  await settleEvents();
  const { results } = await env.DB.prepare(`SELECT resource, payload FROM event WHERE resource_id = ? AND event = 'prefect.automation.triggered' ORDER BY occurred`)
    .bind(`prefect.automation.${automationId}`)
    .all<{ resource: string; payload: string }>();
  return results.map((r) => ({ resource: JSON.parse(r.resource), payload: JSON.parse(r.payload) }));
}

const eventOf = (name: string, resource: string) => ({
  id: crypto.randomUUID(),
  occurred: new Date().toISOString(),
  event: name,
  resource: { "prefect.resource.id": resource },
  related: [],
  payload: {},
});

describe("automations engine", () => {
  it("a reactive for_each trigger fires for the resource whose events reach its threshold", async () => {
    const name = unique("engine.event");
    const automation = await create({ type: "event", expect: [name], match: { "prefect.resource.id": "engine.*" }, for_each: ["prefect.resource.id"], posture: "Reactive", threshold: 2, within: 60 });
    expect((await api("POST", "/events", [eventOf(name, "engine.a"), eventOf(name, "engine.b"), eventOf(name, "other.a")])).status).toBe(204);
    expect((await api("POST", "/events", [eventOf(name, "engine.b")])).status).toBe(204);
    const [fired] = await waitFor(async () => {
      const f = await triggered(automation.id);
      return f.length ? f : null;
    });
    expect(fired.resource).toEqual({ "prefect.resource.id": `prefect.automation.${automation.id}`, "prefect.resource.name": automation.name, "prefect.posture": "Reactive" });
    expect(fired.payload.triggering_labels).toEqual({ "prefect.resource.id": "engine.b" });
  });

  it("a flow run's Failed state event fires an automation at once (its leader, Running, is found in D1)", async () => {
    const flow = (await api("POST", "/flows/", { name: unique("engine-flow") })).body;
    const run = (await api("POST", "/flow_runs/", { flow_id: flow.id })).body;
    const automation = await create({ type: "event", expect: ["prefect.flow-run.Failed"], match: { "prefect.resource.id": `prefect.flow-run.${run.id}` }, posture: "Reactive", threshold: 1, within: 0 });
    expect((await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" } })).status).toBe(201);
    expect((await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "FAILED" } })).status).toBe(201);
    const [fired] = await waitFor(async () => {
      const f = await triggered(automation.id);
      return f.length ? f : null;
    });
    expect(fired.payload.triggering_event.event).toBe("prefect.flow-run.Failed");
    expect(fired.payload.triggering_event.follows).toBeTruthy();
  });
});
