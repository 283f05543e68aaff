import { describe, expect, it } from "vitest";
import {
  allTriggers,
  bucketingKey,
  covers,
  coversResources,
  eventTriggers,
  expects,
  findResourceLabel,
  startsAfter,
  triggeringLabels,
} from "../../../src/events/automations/matching";

type Labels = Record<string, string>;
const spiderWalked: { event: string; resource: Labels; related: Labels[] } = {
  event: "animal.walked",
  resource: { "prefect.resource.id": "daddy-long-legs", class: "Arachnida", order: "Opiliones" },
  related: [
    { "prefect.resource.id": "prefect.flow.f1", "prefect.resource.role": "flow", "prefect.resource.name": "walker" },
    { "prefect.resource.id": "prefect.tag.legs", "prefect.resource.role": "tag" },
    { "prefect.resource.id": "prefect.tag.eight", "prefect.resource.role": "tag" },
    { "prefect.resource.id": "prefect.flow.f2", "prefect.resource.role": "flow" },
  ],
};
const plantGrew: { event: string; resource: Labels; related: Labels[] } = { event: "plant.grew", resource: { "prefect.resource.id": "my-lily" }, related: [] };
const event = (expect: string[], more: Record<string, unknown> = {}) => ({ type: "event", posture: "Reactive", expect, after: [], ...more });

describe("event names (Prefect's find_interested_triggers and covers)", () => {
  it("an exact name matches only itself", () => {
    expect(covers(event(["animal.walked"], { match: { class: "Arachnida" } }), spiderWalked)).toBe(true);
    expect(covers(event(["animal.walked"]), plantGrew)).toBe(false);
  });

  it("a wildcard matches events with the same prefix; no expect matches every event", () => {
    expect(covers(event(["animal.*"]), spiderWalked)).toBe(true);
    expect(covers(event(["animal.*"]), plantGrew)).toBe(false);
    expect(covers(event([]), spiderWalked)).toBe(true);
    expect(covers(event([]), plantGrew)).toBe(true);
  });

  it("resource filtering still applies", () => {
    expect(covers(event(["animal.walked"], { match: { class: "Insecta" } }), spiderWalked)).toBe(false);
  });

  it("an after event is covered though not expected", () => {
    const t = event(["prefect.flow-run.Completed"], { after: ["prefect.flow-run.Running"] });
    expect(covers(t, { ...plantGrew, event: "prefect.flow-run.Running" })).toBe(true);
    expect(expects(t, "prefect.flow-run.Running")).toBe(false);
    expect(startsAfter(t, "prefect.flow-run.Running")).toBe(true);
    expect(startsAfter(event([]), "anything")).toBe(false);
  });
});

describe("match and match_related", () => {
  it("{} matches everything; a list of globs matches any; ! negates", () => {
    expect(coversResources({ match: {} }, spiderWalked)).toBe(true);
    expect(coversResources({ match: { class: ["Insecta", "Arach*"] } }, spiderWalked)).toBe(true);
    expect(coversResources({ match: { class: "!Insecta" } }, spiderWalked)).toBe(true);
    expect(coversResources({ match: { class: "!Arachnida" } }, spiderWalked)).toBe(false);
    // every label of the spec must match
    expect(coversResources({ match: { class: "Arachnida", order: "Araneae" } }, spiderWalked)).toBe(false);
    // a missing label matches nothing, not even a negation
    expect(coversResources({ match: { legs: "!8" } }, spiderWalked)).toBe(false);
  });

  it("each related spec must be satisfied by one related resource", () => {
    const flowNamed = { "prefect.resource.role": "flow", "prefect.resource.name": "walker" };
    expect(coversResources({ match_related: flowNamed }, spiderWalked)).toBe(true);
    // role of one related resource, id of another: no single resource has both
    expect(coversResources({ match_related: { "prefect.resource.role": "flow", "prefect.resource.id": "prefect.tag.*" } }, spiderWalked)).toBe(false);
    expect(
      coversResources({ match_related: [flowNamed, { "prefect.resource.id": "prefect.tag.eight" }] }, spiderWalked),
    ).toBe(true);
    expect(coversResources({ match_related: [flowNamed, { "prefect.resource.id": "prefect.tag.nine" }] }, spiderWalked)).toBe(false);
    expect(coversResources({ match_related: [] }, spiderWalked)).toBe(true);
    expect(coversResources({ match_related: { "prefect.resource.role": "flow" } }, plantGrew)).toBe(false);
    expect(coversResources({ match_related: { "prefect.resource.role": "!flow" } }, spiderWalked)).toBe(true);
  });
});

describe("for_each buckets", () => {
  it("reads primary labels, and related:<role>:<label> from the first related resource in that role", () => {
    expect(findResourceLabel(spiderWalked, "class")).toBe("Arachnida");
    expect(findResourceLabel(spiderWalked, "related:flow:prefect.resource.id")).toBe("prefect.flow.f1");
    expect(findResourceLabel(spiderWalked, "related:tag:prefect.resource.id")).toBe("prefect.tag.legs");
    // the first in the role decides, even when it lacks the label
    expect(findResourceLabel(spiderWalked, "related:flow:prefect.resource.name")).toBe("walker");
    expect(findResourceLabel({ ...spiderWalked, related: spiderWalked.related.slice(1).reverse() }, "related:flow:prefect.resource.name")).toBe(undefined);
    expect(findResourceLabel(spiderWalked, "related:work-pool:prefect.resource.id")).toBe(undefined);
  });

  it("keys follow the sorted labels; missing values are empty strings", () => {
    const t = { type: "event", for_each: ["related:flow:prefect.resource.id", "class", "legs", "class"] };
    expect(bucketingKey(t, spiderWalked)).toEqual(["Arachnida", "", "prefect.flow.f1"]);
    expect(triggeringLabels(t, ["Arachnida", "", "prefect.flow.f1"])).toEqual({
      class: "Arachnida",
      legs: "",
      "related:flow:prefect.resource.id": "prefect.flow.f1",
    });
    expect(bucketingKey({ type: "event" }, spiderWalked)).toEqual([]);
  });
});

describe("nested triggers", () => {
  it("lists every trigger, parents first, and the event triggers among them", () => {
    const a = event(["a"], { id: "a" });
    const b = event(["b"], { id: "b" });
    const c = event(["c"], { id: "c" });
    const seq = { type: "sequence", id: "s", triggers: [b, c], within: 60 };
    const root = { type: "compound", id: "r", require: "any", triggers: [a, seq], within: null };
    expect(allTriggers(root).map((t) => t.id)).toEqual(["r", "a", "s", "b", "c"]);
    expect(eventTriggers(root).map((t) => t.id)).toEqual(["a", "b", "c"]);
    expect(eventTriggers(a)).toEqual([a]);
  });
});
