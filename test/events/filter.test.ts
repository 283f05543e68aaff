import { describe, expect, it } from "vitest";
import { labelMatches, labelPatterns } from "../../src/db/filters/events";
import { api, unique } from "../helpers";

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

/** An event as clients send it. */
function ev(opts: { name: string; resource: Record<string, string>; related?: Record<string, string>[]; payload?: any; occurred?: string; id?: string }) {
  return {
    id: opts.id ?? crypto.randomUUID(),
    occurred: opts.occurred ?? new Date().toISOString(),
    event: opts.name,
    resource: opts.resource,
    related: opts.related ?? [],
    payload: opts.payload ?? {},
  };
}

async function seed(events: any[]) {
  const res = await api("POST", "/events", events);
  expect(res.status).toBe(204);
  return events;
}

async function filter(body: unknown) {
  const res = await api("POST", "/events/filter", body);
  expect(res.status, res.text).toBe(200);
  return res.body as { events: any[]; total: number; next_page: string | null };
}

const ids = (page: { events: any[] }) => page.events.map((e) => e.id);

describe("POST /events/filter", () => {
  it("answers an EventPage, newest first, with ReceivedEvents", async () => {
    const tag = unique("page");
    const [a, b, c] = await seed([
      ev({ name: `${tag}.one`, resource: { "prefect.resource.id": `${tag}.r` }, occurred: minutesAgo(3) }),
      ev({ name: `${tag}.two`, resource: { "prefect.resource.id": `${tag}.r` }, occurred: minutesAgo(2) }),
      ev({ name: `${tag}.three`, resource: { "prefect.resource.id": `${tag}.r` }, occurred: minutesAgo(1), payload: { x: 1 } }),
    ]);
    const page = await filter({ filter: { event: { prefix: [`${tag}.`] } } });
    expect(page.total).toBe(3);
    expect(page.next_page).toBeNull();
    expect(ids(page)).toEqual([c.id, b.id, a.id]);
    expect(Object.keys(page.events[0])).toEqual(["occurred", "event", "resource", "related", "payload", "id", "follows", "received"]);
    expect(page.events[0]).toMatchObject({ event: `${tag}.three`, payload: { x: 1 }, follows: null });
    expect(page.events[0].occurred).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    const asc = await filter({ filter: { event: { prefix: [`${tag}.`] }, order: "ASC" } });
    expect(ids(asc)).toEqual([a.id, b.id, c.id]);
  });

  it("works with no body at all (Prefect's default filter)", async () => {
    const res = await api("POST", "/events/filter");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ events: expect.any(Array), total: expect.any(Number) });
  });

  it("pages by limit, with next links that carry the query", async () => {
    const tag = unique("paging");
    const events = await seed(
      Array.from({ length: 7 }, (_, i) => ev({ name: `${tag}.e`, resource: { "prefect.resource.id": `${tag}.r` }, occurred: minutesAgo(10 - i) })),
    );
    const first = await filter({ filter: { event: { name: [`${tag}.e`] } }, limit: 3 });
    expect(first.total).toBe(7);
    expect(ids(first)).toEqual(events.slice(4).reverse().map((e) => e.id));
    expect(first.next_page).toMatch(/^http:\/\/127\.0\.0\.1:8787\/api\/events\/filter\/next\?page-token=/);

    const path = (link: string) => link.slice("http://127.0.0.1:8787/api".length);
    const second = await api("GET", path(first.next_page!));
    expect(second.status).toBe(200);
    expect(second.body.total).toBe(7);
    expect(ids(second.body)).toEqual(events.slice(1, 4).reverse().map((e) => e.id));
    const third = await api("GET", path(second.body.next_page));
    expect(ids(third.body)).toEqual([events[0].id]);
    expect(third.body.next_page).toBeNull();
  });

  it("refuses page tokens it cannot read with 403", async () => {
    for (const token of ["just-bad", btoa("THAT:SWEETSWEETTOKEN"), btoa(btoa('{"filter": 1}')), ""]) {
      const res = await api("GET", `/events/filter/next?page-token=${encodeURIComponent(token)}`);
      expect(res.status, token).toBe(403);
      expect(res.body).toEqual({ detail: "Forbidden" });
    }
    const missing = await api("GET", "/events/filter/next");
    expect(missing.status).toBe(422);
  });

  it("validates the body as Prefect does (422)", async () => {
    expect((await api("POST", "/events/filter", { limit: 51 })).status).toBe(422);
    expect((await api("POST", "/events/filter", { limit: -1 })).status).toBe(422);
    expect((await api("POST", "/events/filter", { filter: { nope: 1 } })).status).toBe(422);
    expect((await api("POST", "/events/filter", { filter: { event: { prefix: "x" } } })).status).toBe(422);
    expect((await api("POST", "/events/filter", { filter: { occurred: { since: "not a date" } } })).status).toBe(422);
    expect((await api("POST", "/events/filter", { filter: { text: { query: "x".repeat(201) } } })).status).toBe(422);
  });

  it("filters by time window, names, excluded names and ids", async () => {
    const tag = unique("names");
    const r = { "prefect.resource.id": `${tag}.r` };
    const [old, a, b, c] = await seed([
      ev({ name: `${tag}.a`, resource: r, occurred: minutesAgo(120) }),
      ev({ name: `${tag}.a`, resource: r, occurred: minutesAgo(3) }),
      ev({ name: `${tag}.b`, resource: r, occurred: minutesAgo(2) }),
      ev({ name: `${tag}.c.x`, resource: r, occurred: minutesAgo(1) }),
    ]);
    const base = { any_resource: { id: [`${tag}.r`] } };
    expect(ids(await filter({ filter: base })).sort()).toEqual([old.id, a.id, b.id, c.id].sort());
    expect(ids(await filter({ filter: { ...base, occurred: { since: minutesAgo(60) } } })).sort()).toEqual([a.id, b.id, c.id].sort());
    expect(ids(await filter({ filter: { ...base, occurred: { since: minutesAgo(200), until: minutesAgo(100) } } }))).toEqual([old.id]);
    expect(ids(await filter({ filter: { ...base, event: { name: [`${tag}.b`] } } }))).toEqual([b.id]);
    expect(ids(await filter({ filter: { ...base, event: { exclude_name: [`${tag}.a`] } } }))).toEqual([c.id, b.id]);
    expect(ids(await filter({ filter: { ...base, event: { prefix: [`${tag}.c`], exclude_prefix: [`${tag}.a`] } } }))).toEqual([c.id]);
    expect(ids(await filter({ filter: { ...base, event: { exclude_prefix: [`${tag}.`] } } }))).toEqual([]);
    // Empty lists constrain nothing.
    expect((await filter({ filter: { ...base, event: { prefix: [], name: [] } } })).total).toBe(4);
    // Ids in any form pydantic takes.
    expect(ids(await filter({ filter: { ...base, id: { id: [b.id.toUpperCase().replace(/-/g, "")] } } }))).toEqual([b.id]);
    // Prefix matching is case-sensitive and literal.
    expect((await filter({ filter: { ...base, event: { prefix: [`${tag.toUpperCase()}.`] } } })).total).toBe(0);
    expect((await filter({ filter: { ...base, event: { prefix: [`${tag}%`] } } })).total).toBe(0);
  });

  it("filters by the primary resource: ids, id prefixes and label patterns", async () => {
    const tag = unique("res");
    const [one, two, three] = await seed([
      ev({ name: `${tag}.e`, resource: { "prefect.resource.id": `${tag}.flow-run.1`, "prefect.resource.name": "alpha-one", env: "prod" } }),
      ev({ name: `${tag}.e`, resource: { "prefect.resource.id": `${tag}.flow-run.2`, "prefect.resource.name": "beta-two", env: "dev" } }),
      ev({ name: `${tag}.e`, resource: { "prefect.resource.id": `${tag}.task-run.3`, "prefect.resource.name": "alpha[3]" } }),
    ]);
    const f = (resource: unknown) => filter({ filter: { event: { name: [`${tag}.e`] }, resource } });
    expect(ids(await f({ id: [`${tag}.flow-run.2`] }))).toEqual([two.id]);
    expect(ids(await f({ id_prefix: [`${tag}.flow-run.`] })).sort()).toEqual([one.id, two.id].sort());
    expect(ids(await f({ labels: { "prefect.resource.id": `${tag}.flow-run.*` } })).sort()).toEqual([one.id, two.id].sort());
    expect(ids(await f({ labels: { "prefect.resource.id": [`${tag}.task-run.?`] } }))).toEqual([three.id]);
    expect(ids(await f({ labels: { "prefect.resource.name": "alpha*" } })).sort()).toEqual([one.id, three.id].sort());
    expect(ids(await f({ labels: { "prefect.resource.name": "alpha[3]" } }))).toEqual([three.id]);
    expect(ids(await f({ labels: { "prefect.resource.name": "ALPHA*" } }))).toEqual([]);
    expect(ids(await f({ labels: { env: ["prod", "dev"] } })).sort()).toEqual([one.id, two.id].sort());
    // A negated pattern matches resources whose label differs, never those without the label.
    expect(ids(await f({ labels: { env: "!prod" } }))).toEqual([two.id]);
    // An empty list of values matches nothing.
    expect(ids(await f({ labels: { env: [] } }))).toEqual([]);
    expect(ids(await f({ labels: { env: "prod", "prefect.resource.name": "alpha*" } }))).toEqual([one.id]);
  });

  it("filters by related resources and by any resource", async () => {
    const tag = unique("rel");
    const flow = { "prefect.resource.id": `${tag}.flow.1`, "prefect.resource.role": "flow", "prefect.resource.name": "my-flow" };
    const tagRes = { "prefect.resource.id": `prefect.tag.${tag}`, "prefect.resource.role": "tag" };
    const [withFlow, withTag, bare] = await seed([
      ev({ name: `${tag}.e`, resource: { "prefect.resource.id": `${tag}.run.1` }, related: [flow] }),
      ev({ name: `${tag}.e`, resource: { "prefect.resource.id": `${tag}.run.2` }, related: [tagRes] }),
      ev({ name: `${tag}.e`, resource: { "prefect.resource.id": `${tag}.flow.1` } }),
    ]);
    const f = (extra: unknown) => filter({ filter: { event: { name: [`${tag}.e`] }, ...(extra as object) } });
    // Related: only related resources, never the primary one.
    expect(ids(await f({ related: { id: [`${tag}.flow.1`] } }))).toEqual([withFlow.id]);
    expect(ids(await f({ related: { role: ["tag"] } }))).toEqual([withTag.id]);
    expect(ids(await f({ related: { resources_in_roles: [[`${tag}.flow.1`, "flow"]] } }))).toEqual([withFlow.id]);
    expect(ids(await f({ related: { resources_in_roles: [[`${tag}.flow.1`, "tag"]] } }))).toEqual([]);
    expect(ids(await f({ related: { labels: { "prefect.resource.role": "flow", "prefect.resource.name": "my-*" } } }))).toEqual([withFlow.id]);
    expect(ids(await f({ related: { labels: { "prefect.resource.id": `${tag}.*` } } }))).toEqual([withFlow.id]);
    expect(ids(await f({ related: [{ role: ["flow"] }, { role: ["tag"] }] }))).toEqual([]);
    // Any resource: primary or related.
    expect(ids(await f({ any_resource: { id: [`${tag}.flow.1`] } })).sort()).toEqual([withFlow.id, bare.id].sort());
    expect(ids(await f({ any_resource: { id_prefix: ["prefect.tag."] } }))).toEqual([withTag.id]);
    expect(ids(await f({ any_resource: { labels: { "prefect.resource.role": "tag" } } }))).toEqual([withTag.id]);
    expect(ids(await f({ any_resource: [{ id: [`${tag}.flow.1`] }, { id: [`${tag}.run.1`] }] }))).toEqual([withFlow.id]);
  });

  it("searches text in names, resources and payloads", async () => {
    const tag = unique("text");
    const [err, ok] = await seed([
      ev({ name: `${tag}.e`, resource: { "prefect.resource.id": `${tag}.1` }, payload: { message: "Connection Timeout happened" } }),
      ev({ name: `${tag}.e`, resource: { "prefect.resource.id": `${tag}.2`, "prefect.resource.name": "debugger" } }),
    ]);
    const f = (query: string) => filter({ filter: { event: { name: [`${tag}.e`] }, text: { query } } });
    expect(ids(await f('"connection timeout"'))).toEqual([err.id]);
    expect(ids(await f("timeout debug")).sort()).toEqual([err.id, ok.id].sort());
    expect(ids(await f(`${tag} -debug`))).toEqual([err.id]);
    expect(ids(await f("+timeout +happened"))).toEqual([err.id]);
    expect((await f("   ")).total).toBe(2);
  });

  it("answers distinct resources with their newest event", async () => {
    const tag = unique("distinct");
    const [, newer1, newer2] = await seed([
      ev({ name: `${tag}.e`, resource: { "prefect.resource.id": `${tag}.1` }, occurred: minutesAgo(5) }),
      ev({ name: `${tag}.e`, resource: { "prefect.resource.id": `${tag}.1` }, occurred: minutesAgo(2) }),
      ev({ name: `${tag}.e`, resource: { "prefect.resource.id": `${tag}.2` }, occurred: minutesAgo(1) }),
    ]);
    const page = await filter({ filter: { event: { name: [`${tag}.e`] }, resource: { distinct: true } } });
    expect(page.total).toBe(2);
    expect(ids(page)).toEqual([newer2.id, newer1.id]);
  });

  it("is documented in the OpenAPI document with Prefect's paths", async () => {
    const doc = await api("GET", "/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.body.paths["/events/filter"].post).toBeDefined();
    expect(doc.body.paths["/events/filter/next"].get.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "page-token", in: "query", required: true })]),
    );
    expect(doc.body.paths["/events/count-by/{countable}"].post).toBeDefined();
    expect(doc.body.paths["/task_workers/filter"].post).toBeDefined();
  });
});

describe("label patterns matched in memory (the /events/out filters)", () => {
  it("are compiled once each, at most 1 000 kept, and a long one never kept", () => {
    for (let i = 0; i < 3000; i++) expect(labelMatches(`run-${i}-*`, `run-${i}-x`)).toBe(true);
    expect(labelPatterns.size).toBe(1000);
    const long = `${"y".repeat(5000)}*`;
    expect(labelMatches(long, `${"y".repeat(5000)}z`)).toBe(true);
    expect(labelMatches(`!${long}`, "other")).toBe(true);
    expect(labelPatterns.get(long)).toBeUndefined();
  });
});
