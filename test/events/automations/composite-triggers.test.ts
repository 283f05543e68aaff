import { describe, expect, it } from "vitest";
import { automation, compound, event, eventTrigger, Harness, sequence } from "./support";

const on = (name: string) => eventTrigger({ expect: [name] });

/** Compound and sequence triggers fire on their children's firings (Prefect's composite triggers). */
describe("compound triggers", () => {
  it("any: the first child firing fires the automation, without a posture label", async () => {
    const h = new Harness(automation(compound("any", [on("a"), on("b")])));
    const b = event("b");
    await h.send(b);
    const fired = await h.fired();
    expect(fired).toHaveLength(1);
    expect(fired[0].resource).toEqual({ "prefect.resource.id": `prefect.automation.${h.automation.id}`, "prefect.resource.name": h.automation.name });
    expect(fired[0].payload.triggering_event?.id).toBe(b.id);
  });

  it("all: fires once every child has fired, then starts over", async () => {
    const h = new Harness(automation(compound("all", [on("a"), on("b"), on("c")])));
    await h.send(event("a", { seconds: 0 }), event("a", { seconds: 1 }), event("b", { seconds: 2 }));
    expect(await h.fired()).toHaveLength(0);
    const c = event("c", { seconds: 3 });
    await h.send(c);
    expect(await h.firedFor()).toEqual([c.id]);
    await h.send(event("a", { seconds: 4 }), event("b", { seconds: 5 }));
    expect(await h.fired()).toHaveLength(1);
  });

  it("N of M: fires with N different children", async () => {
    const h = new Harness(automation(compound(2, [on("a"), on("b"), on("c")])));
    await h.send(event("c", { seconds: 0 }), event("c", { seconds: 1 }));
    expect(await h.fired()).toHaveLength(0);
    await h.send(event("a", { seconds: 2 }));
    expect(await h.fired()).toHaveLength(1);
  });

  it("within: child firings older than the window no longer count", async () => {
    const h = new Harness(automation(compound("all", [on("a"), on("b")], 10)));
    await h.send(event("a", { seconds: 0 }), event("b", { seconds: 11 }));
    expect(await h.fired()).toHaveLength(0);
    await h.send(event("a", { seconds: 15 }));
    expect(await h.fired()).toHaveLength(1);
  });
});

describe("sequence triggers", () => {
  it("fire only when the children's latest firings are in the declared order", async () => {
    const h = new Harness(automation(sequence([on("first"), on("second")])));
    await h.send(event("second", { seconds: 0 }), event("first", { seconds: 1 }));
    expect(await h.fired()).toHaveLength(0);
    const later = event("second", { seconds: 2 });
    await h.send(later);
    expect(await h.firedFor()).toEqual([later.id]);
  });

  it("nest inside compound triggers, and compound inside sequences", async () => {
    const inner = sequence([on("x"), on("y")]);
    const h = new Harness(automation(sequence([compound("any", [on("a"), on("b")]), compound("all", [inner, on("z")])])));
    await h.send(event("b", { seconds: 0 }), event("x", { seconds: 1 }), event("z", { seconds: 2 }));
    expect(await h.fired()).toHaveLength(0);
    const y = event("y", { seconds: 3 });
    await h.send(y);
    const fired = await h.fired();
    expect(fired.map((f) => f.payload.triggering_event?.id)).toEqual([y.id]);
  });
});
