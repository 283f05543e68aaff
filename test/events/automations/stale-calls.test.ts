import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { automation, event, eventTrigger, Harness, storeAutomation } from "./support";

/**
 * An isolate's index may be up to a second stale: its late call can reach an object after the
 * automation changed or went away (and its object was reset).
 */
describe("an automation's object, called late by a stale isolate", () => {
  const proactive = (o = {}) => automation(eventTrigger({ posture: "Proactive", expect: ["never.happens"], within: 30 }), o);

  it("fires nothing, and keeps no alarm, once the automation is deleted", async () => {
    const h = new Harness(proactive());
    await h.evaluate(); // armed: a window ends in 30 s
    expect(await h.alarmTime()).not.toBeNull();
    await env.DB.prepare("DELETE FROM automation WHERE id = ?").bind(h.automation.id).run();
    await h.setClock(31);
    await runDurableObjectAlarm(h.stub);
    expect(await h.fired()).toEqual([]);
    expect(await h.alarmTime()).toBeNull();
  });

  it("fires nothing once the automation is disabled", async () => {
    const h = new Harness(proactive());
    await h.evaluate();
    await storeAutomation({ ...h.automation, enabled: false, updated: new Date(Date.now() + 1000).toISOString() });
    await h.setClock(31);
    await runDurableObjectAlarm(h.stub);
    expect(await h.fired()).toEqual([]);
    expect(await h.alarmTime()).toBeNull();
  });

  it("evaluates the newer version when handed an older one after a change", async () => {
    const old = automation(eventTrigger({ expect: ["old.name"] }), { updated: "2026-01-01T00:00:00.000000Z" });
    const changed = { ...old, trigger: eventTrigger({ expect: ["new.name"] }), updated: "2026-01-02T00:00:00.000000Z" };
    const h = new Harness(changed);
    await h.evaluate(event("new.name"));
    expect(await h.fired()).toHaveLength(1);
    await h.stub.evaluate(old, [event("old.name")]); // the stale isolate's late call
    expect(await h.fired()).toHaveLength(1);
    await h.evaluate(event("new.name"));
    expect(await h.fired()).toHaveLength(2);
  });
});
