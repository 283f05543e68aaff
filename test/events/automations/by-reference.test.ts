import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, settleEvents, unique, waitFor } from "../../helpers";

/** Queue messages hold 128 KB; an event may be larger (Prefect's limit is 1.5 MB). */
describe("an automation triggered by an event too large for a queue message", () => {
  it("runs its actions with the whole event, read back from D1", async () => {
    const name = unique("big.event");
    const flow = (await api("POST", "/flows/", { name: unique("big-flow") })).body;
    const deployment = (await api("POST", "/deployments/", { name: unique("big-dep"), flow_id: flow.id, parameter_openapi_schema: { type: "object", properties: {} } })).body;
    const created = await api("POST", "/automations/", {
      name: unique("big"),
      trigger: { type: "event", expect: [name], posture: "Reactive", threshold: 1, within: 0 },
      actions: [{ type: "run-deployment", source: "selected", deployment_id: deployment.id, parameters: { size: "{{ event.payload.pad | length }}" } }],
    });
    expect(created.status).toBe(201);
    const pad = "x".repeat(200_000);
    const ev = { id: crypto.randomUUID(), occurred: new Date().toISOString(), event: name, resource: { "prefect.resource.id": "big.1" }, payload: { pad } };
    expect((await api("POST", "/events", [ev])).status).toBe(204);
    const run = await waitFor(
      async () => {
        const runs = (await api("POST", "/flow_runs/filter", { flow_runs: { deployment_id: { any_: [deployment.id] } } })).body;
        return runs.length ? runs[0] : null;
      },
      { timeout: 10_000 },
    );
    expect(run.parameters).toEqual({ size: 200_000 });
    await settleEvents();
    const executed = await env.DB.prepare(`SELECT count(*) AS n FROM event WHERE resource_id = ? AND event = 'prefect.automation.action.executed'`)
      .bind(`prefect.automation.${created.body.id}`)
      .first<{ n: number }>();
    expect(executed!.n).toBe(1);
  });
});
