import { describe, expect, it } from "vitest";
import { at, automation, event, eventTrigger, Harness, T0 } from "./support";

const running = (run: string, s: number) => event("prefect.flow-run.Running", { seconds: s, resource: { "prefect.resource.id": `prefect.flow-run.${run}` } });
const completed = (run: string, s: number) => event("prefect.flow-run.Completed", { seconds: s, resource: { "prefect.resource.id": `prefect.flow-run.${run}` } });

/** Proactive event triggers fire by the object's alarm when a window ends short of the threshold. */
describe("proactive event triggers", () => {
  const stuck = () =>
    automation(
      eventTrigger({
        posture: "Proactive",
        after: ["prefect.flow-run.Running"],
        expect: ["prefect.flow-run.Completed"],
        for_each: ["prefect.resource.id"],
        threshold: 1,
        within: 30,
      }),
    );

  it("fire when the window after an after-event ends without the expected event, not before", async () => {
    const h = new Harness(stuck());
    const start = running("a", 0);
    await h.send(start);
    expect(await h.alarmTime()).toBe(T0 + 30_000);
    expect(await h.alarmAt(29)).toBe(true);
    expect(await h.fired()).toEqual([]);
    expect(await h.alarmAt(30)).toBe(true);
    const fired = await h.fired();
    expect(fired.map((f) => f.payload.triggering_event?.id)).toEqual([start.id]);
    expect(fired[0].payload.triggering_labels).toEqual({ "prefect.resource.id": "prefect.flow-run.a" });
    expect(fired[0].resource["prefect.posture"]).toBe("Proactive");
    expect(Date.parse(fired[0].occurred)).toBe(T0 + 30_000);
    // the bucket is gone: nothing more fires
    await h.alarmAt(120);
    expect(await h.fired()).toHaveLength(1);
  });

  it("do not fire when the expected event arrives in time", async () => {
    const h = new Harness(stuck());
    await h.send(running("b", 0), completed("b", 10));
    await h.alarmAt(31);
    expect(await h.fired()).toEqual([]);
  });

  it("without after or for_each, fire every `within` while no events arrive", async () => {
    const h = new Harness(automation(eventTrigger({ posture: "Proactive", expect: ["heartbeat"], threshold: 1, within: 30 })));
    await h.setClock(0);
    await h.evaluate(); // the automation is loaded: its first window opens
    expect(await h.alarmTime()).toBe(T0 + 30_000);
    await h.alarmAt(30);
    let fired = await h.fired();
    expect(fired).toHaveLength(1);
    expect(fired[0].payload.triggering_event).toBeNull();
    expect(fired[0].related).toEqual([]);
    await h.alarmAt(60);
    expect(await h.fired()).toHaveLength(2);
    // an event in the window keeps it quiet
    await h.send(event("heartbeat", { seconds: 65 }));
    await h.alarmAt(90);
    expect(await h.fired()).toHaveLength(2);
    await h.alarmAt(120);
    await h.alarmAt(150);
    fired = await h.fired();
    expect(fired).toHaveLength(3);
  });

  it("heartbeats (the same event in after and expect) restart the window; silence fires after the last one", async () => {
    const h = new Harness(
      automation(
        eventTrigger({ posture: "Proactive", after: ["prefect.flow-run.heartbeat"], expect: ["prefect.flow-run.heartbeat"], for_each: ["prefect.resource.id"], within: 30 }),
      ),
    );
    const beat = (s: number) => event("prefect.flow-run.heartbeat", { seconds: s, resource: { "prefect.resource.id": "prefect.flow-run.hb" } });
    const last = beat(20);
    await h.send(beat(0), last);
    await h.alarmAt(30);
    expect(await h.fired()).toEqual([]);
    expect(await h.alarmTime()).toBe(T0 + 50_000);
    await h.alarmAt(50);
    expect(await h.firedFor()).toEqual([last.id]);
  });

  it("a proactive within under 10 s counts as 10 s", async () => {
    const h = new Harness(automation(eventTrigger({ posture: "Proactive", after: ["go"], expect: ["done"], within: 0 })));
    await h.send(event("go", { seconds: 0 }));
    expect(await h.alarmTime()).toBe(T0 + 10_000);
  });

  describe("judge windows by the events' clock (Prefect's regression 3803)", () => {
    const pendingSla = () =>
      automation(
        eventTrigger({ posture: "Proactive", after: ["prefect.flow-run.Pending"], expect: ["prefect.flow-run.*"], for_each: ["prefect.resource.id"], within: 300 }),
      );
    const late = (name: string, occurredAt: number, receivedAt: number) =>
      event(name, { seconds: occurredAt, received: at(receivedAt), resource: { "prefect.resource.id": "prefect.flow-run.frfrfrfr" } });

    it("an event processed 20 minutes late does not end its window early; silence fires once the events' clock passes it", async () => {
      const h = new Harness(pendingSla());
      await h.setClock(0);
      await h.evaluate(late("prefect.flow-run.Pending", -1200, 0));
      await h.alarmAt(60);
      await h.alarmAt(240);
      expect(await h.fired()).toEqual([]);
      expect(await h.alarmTime()).toBe(T0 + 300_000);
      await h.alarmAt(360);
      expect(await h.fired()).toHaveLength(1);
    });

    it("a late Running event still closes the window", async () => {
      const h = new Harness(pendingSla());
      await h.setClock(0);
      await h.evaluate(late("prefect.flow-run.Pending", -1200, 0));
      await h.alarmAt(240);
      await h.evaluate(late("prefect.flow-run.Running", -1140, 240));
      await h.alarmAt(360);
      await h.alarmAt(2000);
      expect(await h.fired()).toEqual([]);
    });
  });
});

describe("an automation changed without a reset", () => {
  it("keeps no state (nor alarm) for triggers it no longer has", async () => {
    const first = automation(eventTrigger({ posture: "Proactive", after: ["go"], expect: ["done"], for_each: ["prefect.resource.id"], within: 30 }));
    const h = new Harness(first);
    await h.send(event("go", { seconds: 0 }));
    expect(await h.alarmTime()).toBe(T0 + 30_000);
    const changed = { ...first, trigger: eventTrigger({ posture: "Proactive", after: ["go"], expect: ["done"], for_each: ["prefect.resource.id"], within: 60 }) };
    await h.stub.evaluate(changed, []);
    // the new trigger's first evaluation is due in 60 s; the old trigger's window is forgotten
    expect(await h.alarmTime()).toBe(T0 + 60_000);
    await h.alarmAt(61);
    expect(await h.fired()).toEqual([]);
  });
});
