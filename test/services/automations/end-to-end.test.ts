import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, unique, waitFor } from "../../helpers";
import { uuid4 } from "../../../src/lib/ids";
import { actionMessage, automationEvents } from "./support";

describe("an automation end to end: event → trigger → AUTOMATION_ACTIONS queue → action", () => {
  it("pauses the work queue of a matching event, once, and reports it", async () => {
    const queue = (await api("POST", "/work_queues/", { name: unique("queue") })).body;
    const name = unique("e2e.event");
    const automation = (
      await api("POST", "/automations/", {
        name: unique("pause-it"),
        trigger: { type: "event", expect: [name], posture: "Reactive", threshold: 1, within: 0 },
        actions: [{ type: "pause-work-queue", source: "inferred" }],
        actions_on_trigger: [{ type: "resume-automation", source: "inferred" }],
      })
    ).body;
    const event = { id: uuid4(), occurred: new Date().toISOString(), event: name, resource: { "prefect.resource.id": `prefect.work-queue.${queue.id}` }, related: [], payload: {} };
    expect((await api("POST", "/events", [event])).status).toBe(204);

    await waitFor(async () => (await api("GET", `/work_queues/${queue.id}`)).body.is_paused, { timeout: 15_000, interval: 100 });
    const engine = await waitFor(
      async () => {
        const events = await automationEvents(automation.id);
        return events.filter((e) => e.event === "prefect.automation.action.executed").length === 2 ? events : null;
      },
      { timeout: 15_000, interval: 200 },
    );
    const executed = engine.filter((e) => e.event === "prefect.automation.action.executed");
    const pause = executed.find((e) => e.payload.action_index === 0)!;
    expect(pause.payload.action_type).toBe("pause-work-queue");
    expect(pause.related.map((r) => r["prefect.resource.role"])).toEqual(["target", "automation-triggered-event", "triggering-event"]);
    expect(pause.related[2]["prefect.resource.id"]).toBe(`prefect.event.${event.id}`);
    // actions_on_trigger run for the automation.triggered event: it names the automation itself.
    const resume = executed.find((e) => e.payload.action_index === 1)!;
    expect(resume.payload.action_type).toBe("resume-automation");
    expect(resume.related[0]["prefect.resource.id"]).toBe(`prefect.automation.${automation.id}`);
    expect(engine.filter((e) => e.event === "prefect.automation.action.triggered")).toHaveLength(2);
  });

  it("a message sent twice to the AUTOMATION_ACTIONS queue runs once", async () => {
    const queue = (await api("POST", "/work_queues/", { name: unique("queue") })).body;
    const message = actionMessage({ type: "pause-work-queue", source: "selected", work_queue_id: queue.id });
    await env.AUTOMATION_ACTIONS.sendBatch([{ body: message }, { body: structuredClone(message) }]);
    await env.AUTOMATION_ACTIONS.send(structuredClone(message));
    await waitFor(async () => (await automationEvents(message.automation.id)).some((e) => e.event.endsWith(".executed")), { timeout: 15_000, interval: 100 });
    await new Promise((r) => setTimeout(r, 1500));
    const events = await automationEvents(message.automation.id);
    expect(events.map((e) => e.event)).toEqual(["prefect.automation.action.triggered", "prefect.automation.action.executed"]);
    const record = await env.DB.prepare("SELECT status, attempts FROM automation_action_run WHERE automation_id = ?").bind(message.automation.id).first();
    expect(record).toEqual({ status: "executed", attempts: 1 });
  });
});
