import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { recordEvents } from "../../../src/events/outbox";
import { automation, event, eventTrigger, Harness } from "./support";

const afterAExpectB = () => automation(eventTrigger({ after: ["a"], expect: ["b"], within: 60 }));

/** Events that `follow` another are evaluated after it (Prefect's causal ordering), across objects via D1. */
describe("causal ordering", () => {
  it("holds a follower whose leader the server has not received, and evaluates it once the leader comes", async () => {
    const h = new Harness(afterAExpectB());
    const a = event("a", { seconds: 0 });
    const b = event("b", { seconds: 1, follows: a.id });
    await h.send(b);
    expect(await h.fired()).toEqual([]);
    await h.send(a);
    expect(await h.firedFor()).toEqual([b.id]);
  });

  it("evaluates a leader the server has received (but not routed here) first, and ignores it when it arrives", async () => {
    const h = new Harness(afterAExpectB());
    const a = event("a", { seconds: 0 });
    await recordEvents([a], env); // in the outbox, not yet in the event table
    const b = event("b", { seconds: 1, follows: a.id });
    await h.send(b);
    expect(await h.firedFor()).toEqual([b.id]);
    await h.send({ ...a });
    await h.send(event("b", { seconds: 2 }));
    expect(await h.fired()).toHaveLength(1);
  });

  it("does not hold a follower whose leader is stored and does not concern the automation", async () => {
    const h = new Harness(automation(eventTrigger({ expect: ["b"] })));
    const x = event("x", { seconds: 0 });
    await recordEvents([x], env);
    const b = event("b", { seconds: 1, follows: x.id });
    await h.send(b);
    expect(await h.firedFor()).toEqual([b.id]);
  });

  it("releases a held follower when its leader reaches the server, though never routed here", async () => {
    const h = new Harness(automation(eventTrigger({ expect: ["b"] })));
    const x = event("x", { seconds: 0 });
    const b = event("b", { seconds: 1, follows: x.id });
    await h.send(b);
    expect(await h.fired()).toEqual([]);
    await recordEvents([x], env);
    expect(await h.alarmAt(2)).toBe(true);
    expect(await h.firedFor()).toEqual([b.id]);
  });

  it("evaluates a follower whose leader never comes after 15 minutes", async () => {
    const h = new Harness(automation(eventTrigger({ expect: ["b"] })));
    const b = event("b", { seconds: 1, follows: crypto.randomUUID() });
    await h.send(b);
    await h.alarmAt(600);
    expect(await h.fired()).toEqual([]);
    await h.alarmAt(1 + 15 * 60);
    expect(await h.firedFor()).toEqual([b.id]);
  });

  it("does not wait for leaders of events received more than 15 minutes ago", async () => {
    const h = new Harness(automation(eventTrigger({ expect: ["b"] })));
    const b = event("b", { seconds: 0, follows: crypto.randomUUID() });
    await h.setClock(15 * 60);
    await h.evaluate(b);
    expect(await h.firedFor()).toEqual([b.id]);
  });
});
