import { describe, expect, it } from "vitest";
import { eventMatches, resolveEventFilter } from "../../../src/db/filters/events";
import type { EventFilter } from "../../../src/schemas/prefect.gen";
import { api, settleEvents, unique } from "../../helpers";

/**
 * The SQL of an event filter means what the in-memory matching means (the live stream's), also
 * for lists of many related and any-resource filters (bound whole, as the rows they ask for) and
 * label specs with long patterns.
 */
const tag = unique("evsql");
const RESOURCES: Record<string, string>[] = [
  { "prefect.resource.id": `${tag}.flow-run.1`, "prefect.resource.name": "alpha" },
  { "prefect.resource.id": `${tag}.flow-run.2`, "prefect.resource.name": "beta", env: "prod" },
  { "prefect.resource.id": `${tag}.task-run.${"x".repeat(60)}`, env: "dev" },
];
const RELATED: Record<string, string>[] = [
  { "prefect.resource.id": `${tag}.flow.1`, "prefect.resource.role": "flow", "prefect.resource.name": "my-flow" },
  { "prefect.resource.id": `${tag}.deployment.${"y".repeat(60)}`, "prefect.resource.role": "deployment", team: "red" },
  { "prefect.resource.id": `prefect.tag.${tag}`, "prefect.resource.role": "tag" },
];

let seed = 11;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
const some = <T>(xs: readonly T[]): T[] => xs.filter(() => random() < 0.5);

const ids = RESOURCES.concat(RELATED).map((r) => r["prefect.resource.id"]);
const PATTERNS = [...ids, `${tag}.*`, `${tag}.flow-run.?`, `${tag}.deployment.${"y".repeat(59)}?`, `!${tag}.flow.1`, "*", "!*x*", `${tag}.task-run.${"x".repeat(30)}*`];

function randomSpec(): Record<string, string | string[]> {
  const spec: Record<string, string | string[]> = {};
  if (random() < 0.5) spec["prefect.resource.id"] = some(PATTERNS);
  if (random() < 0.3) spec["prefect.resource.role"] = some(["flow", "deployment", "tag", ""]);
  if (random() < 0.4) spec[pick(["env", "team", "prefect.resource.name"])] = pick([["prod"], ["!prod"], ["d*"], ["my-*", "red"], []]);
  return spec;
}

const randomRelated = () => ({
  ...(random() < 0.4 ? { id: some(ids) } : {}),
  ...(random() < 0.3 ? { role: some(["flow", "deployment", "tag", "nope"]) } : {}),
  ...(random() < 0.2 ? { resources_in_roles: [[pick(ids), pick(["flow", "deployment", "tag"])]] } : {}),
  ...(random() < 0.4 ? { labels: randomSpec() } : {}),
});

const randomAnyResource = () => ({
  ...(random() < 0.4 ? { id: some(ids) } : {}),
  ...(random() < 0.3 ? { id_prefix: some([`${tag}.flow`, `${tag}.task-run.`, "prefect.tag."]) } : {}),
  ...(random() < 0.5 ? { labels: randomSpec() } : {}),
});

describe("event filters in SQL and in memory", () => {
  it("agree on lists of many related and any-resource filters", async () => {
    const events = RESOURCES.flatMap((resource, i) =>
      [[], [RELATED[i]], RELATED].map((related) => ({ id: crypto.randomUUID(), occurred: new Date().toISOString(), event: `${tag}.e`, resource, related, payload: {} })),
    );
    expect((await api("POST", "/events", events)).status).toBe(204);
    await settleEvents();
    const stored = (await api("POST", "/events/filter", { filter: { event: { name: [`${tag}.e`] } }, limit: 50 })).body.events;
    expect(stored).toHaveLength(events.length);
    const failures: string[] = [];
    for (let i = 0; i < 60; i++) {
      const length = pick([1, 2, 4, 6, 12, 40]);
      const filter: EventFilter = {
        event: { name: [`${tag}.e`] },
        ...(random() < 0.7 ? { related: Array.from({ length }, randomRelated) } : {}),
        ...(random() < 0.7 ? { any_resource: Array.from({ length }, randomAnyResource) } : {}),
      } as EventFilter;
      const res = await api("POST", "/events/filter", { filter, limit: 50 });
      if (res.status !== 200) {
        failures.push(`${JSON.stringify(filter)} → ${res.status} ${res.text.slice(0, 200)}`);
        continue;
      }
      const resolved = resolveEventFilter(filter);
      const expected = stored.filter((e: any) => eventMatches(resolved, e)).map((e: any) => e.id).sort();
      const got = res.body.events.map((e: any) => e.id).sort();
      if (JSON.stringify(got) !== JSON.stringify(expected)) failures.push(`${JSON.stringify(filter)}: SQL ${got.length}, memory ${expected.length}`);
    }
    expect(failures).toEqual([]);

    // Forty filters, more than one statement's 100 parameters would hold one by one.
    const many = async (key: "related" | "any_resource", one: object) => {
      const single = await api("POST", "/events/filter", { filter: { event: { name: [`${tag}.e`] }, [key]: one }, limit: 50 });
      const forty = await api("POST", "/events/filter", { filter: { event: { name: [`${tag}.e`] }, [key]: Array.from({ length: 40 }, () => one) }, limit: 50 });
      expect(forty.status, forty.text).toBe(200);
      expect(forty.body.events.map((e: any) => e.id).sort()).toEqual(single.body.events.map((e: any) => e.id).sort());
      return single.body.events.length;
    };
    expect(await many("related", { id: [RELATED[0]["prefect.resource.id"]], labels: { "prefect.resource.role": "flow", "prefect.resource.name": "my-*" } })).toBe(4);
    expect(await many("any_resource", { id_prefix: [`${tag}.task-run.`], labels: { env: ["d?v"], "prefect.resource.id": `${tag}.task-run.${"x".repeat(50)}*` } })).toBe(3);
  });
});
