import { describe, expect, it } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { at, automation, event, eventTrigger, Harness, T0 } from "./support";

/** Reactive event triggers, driven through the AutomationTriggers object (cases after Prefect's tests/events/server/triggers). */
describe("reactive event triggers", () => {
  it("fire immediately on every expected event when within is 0, recording prefect.automation.triggered", async () => {
    const h = new Harness(automation(eventTrigger({ expect: ["animal.walked"], match: { class: "Arachnida" } })));
    const walked = event("animal.walked", { resource: { "prefect.resource.id": "daddy-long-legs", class: "Arachnida" }, seconds: 1 });
    await h.setClock(5);
    await h.evaluate(walked);
    const [fired] = await h.fired();
    expect(fired.resource).toEqual({
      "prefect.resource.id": `prefect.automation.${h.automation.id}`,
      "prefect.resource.name": h.automation.name,
      "prefect.posture": "Reactive",
    });
    expect(fired.related).toEqual([{ "prefect.resource.id": `prefect.event.${walked.id}`, "prefect.resource.role": "triggering-event" }]);
    expect(fired.payload.triggering_labels).toEqual({});
    expect(fired.payload.triggering_event).toEqual({ ...walked, occurred: walked.occurred, received: walked.received });
    expect(Object.keys(fired.payload.triggering_event!)).toEqual(["occurred", "event", "resource", "related", "payload", "id", "follows", "received"]);
    // occurred is the firing time (the object's clock), not the event's
    expect(Date.parse(fired.occurred)).toBe(T0 + 5000);

    const again = { ...walked, id: crypto.randomUUID(), occurred: at(11) };
    await h.evaluate(again);
    expect(await h.firedFor()).toEqual([walked.id, again.id]);
  });

  it("ignore events they do not expect or whose resource does not match", async () => {
    const h = new Harness(automation(eventTrigger({ expect: ["animal.walked"], match: { class: "Arachnida" } })));
    await h.evaluate(event("animal.snoozed", { resource: { "prefect.resource.id": "x", class: "Arachnida" } }));
    await h.evaluate(event("animal.walked", { resource: { "prefect.resource.id": "x", class: "Insecta" } }));
    expect(await h.fired()).toEqual([]);
    await h.evaluate(event("animal.walked", { resource: { "prefect.resource.id": "x", class: "Arachnida" } }));
    expect(await h.fired()).toHaveLength(1);
  });

  it("fire as soon as the threshold is met, then cool down until the window ends", async () => {
    const h = new Harness(automation(eventTrigger({ expect: ["animal.walked"], threshold: 3, within: 10 })));
    const walk = async (s: number) => {
      const e = event("animal.walked", { seconds: s });
      await h.send(e);
      return e.id;
    };
    await walk(0);
    await walk(1);
    expect(await h.fired()).toHaveLength(0);
    const third = await walk(2);
    expect(await h.firedFor()).toEqual([third]);
    // still in the original window: no firing
    await walk(3);
    await walk(4);
    expect(await h.fired()).toHaveLength(1);
    // a later window fires again after three events
    await walk(24);
    await walk(25);
    expect(await h.fired()).toHaveLength(1);
    const sixth = await walk(26);
    expect(await h.firedFor()).toEqual([third, sixth]);
  });

  it("do not fire when the threshold is not met within the window", async () => {
    const h = new Harness(automation(eventTrigger({ expect: ["animal.walked"], threshold: 3, within: 10 })));
    await h.send(event("animal.walked", { seconds: 0 }), event("animal.walked", { seconds: 1 }), event("animal.walked", { seconds: 21 }));
    expect(await h.fired()).toEqual([]);
  });

  it("count events that arrive out of order within 15 minutes before the first one", async () => {
    const h = new Harness(automation(eventTrigger({ expect: ["animal.walked"], threshold: 2, within: 10 })));
    await h.send(event("animal.walked", { seconds: 0 }));
    await h.evaluate(event("animal.walked", { seconds: -600 }));
    expect(await h.fired()).toHaveLength(1);
  });

  it("with within 0 and a threshold of 2, fire on every second event", async () => {
    const h = new Harness(automation(eventTrigger({ expect: ["tick"], threshold: 2, within: 0 })));
    for (let s = 0; s < 5; s++) await h.send(event("tick", { seconds: s }));
    expect(await h.fired()).toHaveLength(2);
  });

  it("keep a bucket for each for_each value, related:<role>:<label> included", async () => {
    const h = new Harness(
      automation(eventTrigger({ expect: ["animal.ingested"], for_each: ["related:meal:species", "related:meal:genus"], threshold: 3, within: 600 })),
    );
    const meal = (genus: string, species: string, s: number) =>
      event("animal.ingested", {
        seconds: s,
        resource: { "prefect.resource.id": "woodchonk" },
        related: [{ "prefect.resource.id": `flower.${species}`, "prefect.resource.role": "meal", genus, species }],
      });
    await h.send(meal("Hemerocallis", "fulva", 1), meal("Hemerocallis", "fulva", 2), meal("Dicentra", "cucullaria", 3));
    expect(await h.fired()).toHaveLength(0);
    const third = meal("Hemerocallis", "fulva", 4);
    await h.send(third);
    let fired = await h.fired();
    expect(fired.map((f) => f.payload.triggering_labels)).toEqual([{ "related:meal:genus": "Hemerocallis", "related:meal:species": "fulva" }]);
    await h.send(meal("Dicentra", "cucullaria", 5), meal("Dicentra", "cucullaria", 6));
    fired = await h.fired();
    expect(fired.map((f) => f.payload.triggering_labels)).toEqual([
      { "related:meal:genus": "Hemerocallis", "related:meal:species": "fulva" },
      { "related:meal:genus": "Dicentra", "related:meal:species": "cucullaria" },
    ]);
  });

  it("match_related: each spec satisfied by one related resource; lists and ! negation", async () => {
    const h = new Harness(
      automation(
        eventTrigger({
          expect: ["prefect.flow-run.*"],
          match: { "prefect.resource.id": ["prefect.flow-run.*", "other.*"], "prefect.state-type": "!COMPLETED" },
          match_related: [
            { "prefect.resource.role": "flow", "prefect.resource.id": ["prefect.flow.a", "prefect.flow.b"] },
            { "prefect.resource.role": "tag", "prefect.resource.id": "!prefect.tag.quiet" },
          ],
        }),
      ),
    );
    const run = (o: { state?: string; flow?: string; tags?: string[] }) =>
      event("prefect.flow-run.Failed", {
        resource: { "prefect.resource.id": "prefect.flow-run.1", "prefect.state-type": o.state ?? "FAILED" },
        related: [
          { "prefect.resource.id": o.flow ?? "prefect.flow.a", "prefect.resource.role": "flow" },
          ...(o.tags ?? ["prefect.tag.loud"]).map((t) => ({ "prefect.resource.id": t, "prefect.resource.role": "tag" })),
        ],
      });
    const misses = [run({ state: "COMPLETED" }), run({ flow: "prefect.flow.c" }), run({ tags: ["prefect.tag.quiet"] }), run({ tags: [] })];
    await h.evaluate(...misses);
    expect(await h.fired()).toEqual([]);
    const hit = run({ flow: "prefect.flow.b", tags: ["prefect.tag.quiet", "prefect.tag.loud"] });
    await h.evaluate(hit);
    expect(await h.firedFor()).toEqual([hit.id]);
  });

  it("with after: an expected event fires only within `within` after an after-event", async () => {
    const h = new Harness(automation(eventTrigger({ after: ["door.opened"], expect: ["cat.left"], threshold: 1, within: 60 })));
    await h.send(event("cat.left", { seconds: 0 }));
    expect(await h.fired()).toHaveLength(0);
    await h.send(event("door.opened", { seconds: 1 }));
    const left = event("cat.left", { seconds: 2 });
    await h.send(left);
    expect(await h.firedFor()).toEqual([left.id]);
    // the window closed with the firing: another departure needs another opening
    await h.send(event("cat.left", { seconds: 3 }));
    await h.send(event("door.opened", { seconds: 10 }), event("cat.left", { seconds: 71 }));
    expect(await h.fired()).toHaveLength(1);
  });

  it("the same event in after and expect never fires with within 0", async () => {
    const h = new Harness(automation(eventTrigger({ after: ["some-event"], expect: ["some-event"], within: 0 })));
    for (let s = 0; s < 4; s++) await h.send(event("some-event", { seconds: s }));
    expect(await h.fired()).toEqual([]);
  });

  it("the same event in after and expect fires on every second occurrence in the window", async () => {
    const h = new Harness(automation(eventTrigger({ after: ["some-event"], expect: ["some-event"], within: 5 })));
    const counts: number[] = [];
    for (const s of [1, 2, 3, 4, 61, 62]) {
      await h.send(event("some-event", { seconds: s }));
      counts.push((await h.fired()).length);
    }
    expect(counts).toEqual([0, 1, 1, 2, 2, 3]);
  });

  it("ignore an event delivered twice", async () => {
    const h = new Harness(automation(eventTrigger({ expect: ["tick"], threshold: 2, within: 60 })));
    const tick = event("tick");
    await h.evaluate(tick);
    await h.evaluate(tick);
    expect(await h.fired()).toEqual([]);
  });

  it("ignore prefect.log.write", async () => {
    const h = new Harness(automation(eventTrigger({ expect: [] })));
    await h.evaluate(event("prefect.log.write"));
    expect(await h.fired()).toEqual([]);
  });
});

describe("storage", () => {
  it("forgets closed reactive buckets after a minute and seen event ids after 30 minutes, without an alarm", async () => {
    const h = new Harness(automation(eventTrigger({ expect: ["tick"], for_each: ["prefect.resource.id"], threshold: 5, within: 60 })));
    const rows = () =>
      runInDurableObject(h.stub, (_i, state) => ({
        buckets: state.storage.sql.exec(`SELECT count(*) AS n FROM bucket`).one().n,
        seen: state.storage.sql.exec(`SELECT count(*) AS n FROM seen_event`).one().n,
      }));
    await h.send(event("tick", { seconds: 0, resource: { "prefect.resource.id": "a" } }));
    expect(await rows()).toEqual({ buckets: 1, seen: 1 });
    await h.send(event("tick", { seconds: 150, resource: { "prefect.resource.id": "b" } }));
    expect(await rows()).toEqual({ buckets: 1, seen: 2 });
    await h.send(event("tick", { seconds: 31 * 60, resource: { "prefect.resource.id": "c" } }));
    expect(await rows()).toEqual({ buckets: 1, seen: 2 });
    expect(await h.alarmTime()).toBeNull();
  });
});
