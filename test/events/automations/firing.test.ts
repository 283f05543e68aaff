import { describe, expect, it } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { AutomationTriggers } from "../../../src/events/automations/automation-triggers";
import type { TriggeredActionMessage } from "../../../src/events/automations/contract";
import { automation, event, eventTrigger, Harness } from "./support";

/** Captures what the object sends to the actions queue (still sending it on). */
async function captureQueue(h: Harness): Promise<TriggeredActionMessage[]> {
  const sent: TriggeredActionMessage[] = [];
  await runInDurableObject(h.stub, (object) => {
    const instance = object as unknown as AutomationTriggers;
    const target = instance as unknown as { env: Record<string, any> };
    const real = target.env;
    const queue = real.AUTOMATION_ACTIONS as Queue;
    target.env = new Proxy(real, {
      get: (env, name) =>
        name === "AUTOMATION_ACTIONS"
          ? {
              sendBatch: async (messages: { body: TriggeredActionMessage }[]) => {
                sent.push(...messages.map((m) => m.body));
                return queue.sendBatch(messages);
              },
            }
          : Reflect.get(env, name),
    });
  });
  return sent;
}

describe("a firing", () => {
  it("enqueues one message per action: actions for the triggering event, then actions_on_trigger for the automation.triggered event", async () => {
    const trigger = eventTrigger({ expect: ["prefect.flow-run.Failed"], for_each: ["prefect.resource.id"] });
    const a = automation(trigger, {
      actions: [{ type: "do-nothing" }, { type: "cancel-flow-run" }],
      actions_on_trigger: [{ type: "pause-automation", source: "inferred" }],
    } as any);
    const h = new Harness(a);
    const sent = await captureQueue(h);
    const failed = event("prefect.flow-run.Failed", { resource: { "prefect.resource.id": "prefect.flow-run.r1" } });
    await h.send(failed);
    expect(await h.fired()).toHaveLength(1);
    const triggeredId = await triggeredEventId(h);
    expect(sent.map((m) => [m.source, m.action.type, m.action_index])).toEqual([
      ["actions", "do-nothing", 0],
      ["actions", "cancel-flow-run", 1],
      ["actions_on_trigger", "pause-automation", 2],
    ]);
    for (const m of sent) {
      expect(m.kind).toBe("action");
      expect(m.automation).toEqual({ id: a.id, name: a.name, trigger_type: "event", posture: "Reactive" });
      expect(m.automation_triggered_event_id).toBe(triggeredId);
      expect(m.firing.triggering_event?.id).toBe(failed.id);
      expect(m.firing.triggering_labels).toEqual({ "prefect.resource.id": "prefect.flow-run.r1" });
      expect(m.firing.trigger.id).toBe(trigger.id);
      expect(m.triggered).toBe(m.firing.triggered);
    }
    expect(new Set(sent.map((m) => m.invocation)).size).toBe(3);
    expect(sent[0].triggering_event).toBeUndefined();
    expect(sent[2].triggering_event?.id).toBe(triggeredId);
    expect(sent[2].triggering_event?.event).toBe("prefect.automation.triggered");
  });
});

async function triggeredEventId(h: Harness): Promise<string> {
  const row = await env.DB.prepare(`SELECT id FROM event WHERE resource_id = ? AND event = 'prefect.automation.triggered'`)
    .bind(`prefect.automation.${h.automation.id}`)
    .first<{ id: string }>();
  return row!.id;
}

describe("reset", () => {
  it("forgets buckets, composite firings and proactive windows", async () => {
    const h = new Harness(automation(eventTrigger({ expect: ["tick"], threshold: 2, within: 60 })));
    await h.send(event("tick", { seconds: 0 }));
    await h.stub.reset();
    await h.send(event("tick", { seconds: 1 }));
    expect(await h.fired()).toEqual([]);
    await h.send(event("tick", { seconds: 2 }));
    expect(await h.fired()).toHaveLength(1);

    const p = new Harness(automation(eventTrigger({ posture: "Proactive", after: ["go"], expect: ["done"], within: 30 })));
    await p.send(event("go", { seconds: 0 }));
    expect(await p.alarmTime()).not.toBeNull();
    await p.stub.reset();
    expect(await p.alarmTime()).toBeNull();
    await p.setClock(31);
    expect(await p.fired()).toEqual([]);
  });
});
