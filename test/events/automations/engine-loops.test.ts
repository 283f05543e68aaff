import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, settleEvents, unique, waitFor } from "../../helpers";
import { engineEventReaches } from "../../../src/events/automations/matching";
import { eventTrigger } from "./support";

const triggeredCount = async (automationId: string) => {
  await settleEvents();
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM event WHERE resource_id = ? AND event = 'prefect.automation.triggered'`)
    .bind(`prefect.automation.${automationId}`)
    .first<{ n: number }>();
  return row!.n;
};

const engineEvent = (name: string, automationId: string) => ({ event: name, resource: { "prefect.resource.id": `prefect.automation.${automationId}` } });

describe("the engine's own events", () => {
  it("reach only triggers that name them, never the automation they are about", () => {
    const everything = eventTrigger();
    const named = eventTrigger({ expect: ["prefect.automation.action.failed"] });
    const globbed = eventTrigger({ expect: ["prefect.automation.*"] });
    const prefectWide = eventTrigger({ expect: ["prefect.*"] });
    const failed = engineEvent("prefect.automation.action.failed", "other");
    expect(engineEventReaches(everything, failed, "me")).toBe(false);
    expect(engineEventReaches(prefectWide, failed, "me")).toBe(false);
    expect(engineEventReaches(named, failed, "me")).toBe(true);
    expect(engineEventReaches(globbed, engineEvent("prefect.automation.triggered", "other"), "me")).toBe(true);
    expect(engineEventReaches(globbed, engineEvent("prefect.automation.triggered", "me"), "me")).toBe(false);
    // lifecycle events and everything else are not the engine's
    expect(engineEventReaches(everything, engineEvent("prefect.automation.created", "me"), "me")).toBe(true);
    expect(engineEventReaches(everything, { event: "prefect.flow-run.Failed", resource: { "prefect.resource.id": "prefect.flow-run.x" } }, "me")).toBe(true);
  });

  it("two automations that expect every event fire once per event, not on each other's firings and actions", async () => {
    const create = async () => {
      const res = await api("POST", "/automations/", { name: unique("loop"), trigger: { type: "event", posture: "Reactive", threshold: 1, within: 0 }, actions: [{ type: "do-nothing" }] });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const [a, b] = [await create(), await create()];
    await new Promise((r) => setTimeout(r, 500));
    const before = [await triggeredCount(a), await triggeredCount(b)];
    const ev = { id: crypto.randomUUID(), occurred: new Date().toISOString(), event: unique("loop.event"), resource: { "prefect.resource.id": "loop.1" } };
    expect((await api("POST", "/events", [ev])).status).toBe(204);
    await waitFor(async () => ((await triggeredCount(a)) > before[0] && (await triggeredCount(b)) > before[1] ? true : null));
    await new Promise((r) => setTimeout(r, 1500)); // time enough for any firing on firings
    expect([await triggeredCount(a), await triggeredCount(b)]).toEqual([before[0] + 1, before[1] + 1]);
  });
});
