import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api, unique } from "../helpers";
import { uuid4 } from "../../src/lib/ids";

const create = async (body: Record<string, unknown>) => {
  const res = await api("POST", "/v2/concurrency_limits/", { name: unique("gcl"), limit: 5, ...body });
  expect(res.status).toBe(201);
  return res.body;
};
const read = async (idOrName: string) => (await api("GET", `/v2/concurrency_limits/${encodeURIComponent(idOrName)}`)).body;

describe("v2 concurrency limits: definitions", () => {
  it("creates a limit (201) with every ConcurrencyLimitV2 field", async () => {
    const name = unique("gcl");
    const res = await api("POST", "/v2/concurrency_limits/", { name, limit: 3 });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(
      ["id", "created", "updated", "active", "name", "limit", "active_slots", "denied_slots", "slot_decay_per_second", "avg_slot_occupancy_seconds"].sort(),
    );
    expect(res.body).toMatchObject({ name, limit: 3, active: true, active_slots: 0, denied_slots: 0, slot_decay_per_second: 0, avg_slot_occupancy_seconds: 2 });
  });

  it("409 on a duplicate name, 422 on bad input", async () => {
    const gcl = await create({});
    const dup = await api("POST", "/v2/concurrency_limits/", { name: gcl.name, limit: 1 });
    expect(dup.status).toBe(409);
    expect(dup.body.detail).toMatch(/^Data integrity conflict/);
    const neg = await api("POST", "/v2/concurrency_limits/", { name: unique("gcl"), limit: -1 });
    expect(neg.status).toBe(422);
    expect(neg.body.exception_detail[0]).toMatchObject({ type: "greater_than_equal", loc: ["body", "limit"] });
    const slash = await api("POST", "/v2/concurrency_limits/", { name: "a/b", limit: 1 });
    expect(slash.status).toBe(422);
    expect(slash.body.exception_detail[0]).toMatchObject({ type: "string_pattern_mismatch", loc: ["body", "name"] });
    const extra = await api("POST", "/v2/concurrency_limits/", { name: unique("gcl"), limit: 1, nope: 1 });
    expect(extra.status).toBe(422);
    expect(extra.body.exception_detail[0]).toMatchObject({ type: "extra_forbidden" });
  });

  it("reads by id or by name (GlobalConcurrencyLimitResponse); 404 as Prefect answers", async () => {
    const gcl = await create({ limit: 4, slot_decay_per_second: 0.5 });
    for (const key of [gcl.id, gcl.name, gcl.id.toUpperCase(), gcl.id.replace(/-/g, "")]) {
      const got = await api("GET", `/v2/concurrency_limits/${key}`);
      expect(got.status).toBe(200);
      expect(got.body).toEqual({
        id: gcl.id,
        created: gcl.created,
        updated: gcl.updated,
        active: true,
        name: gcl.name,
        limit: 4,
        active_slots: 0,
        slot_decay_per_second: 0.5,
      });
    }
    const missing = await api("GET", "/v2/concurrency_limits/nope-e223ccdf");
    expect(missing).toMatchObject({ status: 404, body: { detail: "Concurrency Limit not found" } });
    expect((await api("GET", `/v2/concurrency_limits/${uuid4()}`)).status).toBe(404);
  });

  it("filters by name with limit/offset", async () => {
    const prefix = unique("aaa-filter");
    for (const n of ["c", "a", "b"]) await api("POST", "/v2/concurrency_limits/", { name: `${prefix}-${n}`, limit: 1 });
    const all = await api("POST", "/v2/concurrency_limits/filter", {});
    expect(all.status).toBe(200);
    const mine = all.body.filter((l: any) => l.name.startsWith(prefix)).map((l: any) => l.name);
    expect(mine).toEqual([`${prefix}-a`, `${prefix}-b`, `${prefix}-c`]);
    const names = all.body.map((l: any) => l.name);
    expect([...names].sort()).toEqual(names);
    const page = await api("POST", "/v2/concurrency_limits/filter", { limit: 1, offset: 1 });
    expect(page.body).toHaveLength(1);
    expect(page.body[0].name).toBe(names[1]);
    expect((await api("POST", "/v2/concurrency_limits/filter", { limit: 201 })).status).toBe(422);
    expect((await api("POST", "/v2/concurrency_limits/filter", { offset: -1 })).status).toBe(422);
  });

  it("updates by id or name (204); 404, 409 and 422 as Prefect", async () => {
    const gcl = await create({ limit: 2 });
    expect((await api("PATCH", `/v2/concurrency_limits/${gcl.id}`, { limit: 7, active: false })).status).toBe(204);
    expect(await read(gcl.id)).toMatchObject({ limit: 7, active: false });
    const renamed = unique("renamed");
    expect((await api("PATCH", `/v2/concurrency_limits/${gcl.name}`, { name: renamed })).status).toBe(204);
    expect((await read(renamed)).id).toBe(gcl.id);
    expect((await api("PATCH", `/v2/concurrency_limits/${uuid4()}`, { limit: 1 })).status).toBe(404);
    const other = await create({});
    const taken = await api("PATCH", `/v2/concurrency_limits/${gcl.id}`, { name: other.name });
    expect(taken.status).toBe(409);
    expect((await api("PATCH", `/v2/concurrency_limits/${gcl.id}`, { limit: null })).status).toBe(409);
    expect((await api("PATCH", `/v2/concurrency_limits/${gcl.id}`, { limit: -2 })).status).toBe(422);
    // Counts can be set: the limit's object takes them.
    expect((await api("PATCH", `/v2/concurrency_limits/${gcl.id}`, { active_slots: 3, active: true })).status).toBe(204);
    expect((await read(gcl.id)).active_slots).toBe(3);
    const full = await api("POST", "/v2/concurrency_limits/increment", { names: [renamed], slots: 5 });
    expect(full.status).toBe(423);
  });

  it("emits prefect.concurrency-limit.created/updated/deleted", async () => {
    const gcl = await create({ limit: 2 });
    await api("PATCH", `/v2/concurrency_limits/${gcl.id}`, { limit: 3 });
    await api("DELETE", `/v2/concurrency_limits/${gcl.id}`);
    const page = await api("POST", "/events/filter", { filter: { resource: { id: [`prefect.concurrency-limit.${gcl.id}`] }, order: "ASC" } });
    expect(page.status).toBe(200);
    expect(page.body.events.map((e: any) => e.event)).toEqual([
      "prefect.concurrency-limit.created",
      "prefect.concurrency-limit.updated",
      "prefect.concurrency-limit.deleted",
    ]);
    expect(page.body.events[1]).toMatchObject({
      resource: { "prefect.resource.id": `prefect.concurrency-limit.${gcl.id}`, "prefect.resource.name": gcl.name },
      payload: { name: gcl.name, limit: 3, active: true, slot_decay_per_second: 0 },
    });
  });

  it("deletes by id or name (204); 404 after", async () => {
    const a = await create({});
    const b = await create({});
    expect((await api("DELETE", `/v2/concurrency_limits/${a.id}`)).status).toBe(204);
    expect((await api("DELETE", `/v2/concurrency_limits/${b.name}`)).status).toBe(204);
    expect((await api("GET", `/v2/concurrency_limits/${a.id}`)).status).toBe(404);
    expect(await api("DELETE", `/v2/concurrency_limits/${b.name}`)).toMatchObject({ status: 404, body: { detail: "Concurrency Limit not found" } });
  });
});

describe("v2 concurrency limits: slots", () => {
  it("increments and decrements; a full limit answers 423 Locked with Retry-After and counts the denial", async () => {
    const gcl = await create({ limit: 2 });
    const inc = await api("POST", "/v2/concurrency_limits/increment", { names: [gcl.name], slots: 2, mode: "concurrency" });
    expect(inc.status).toBe(200);
    expect(inc.body).toEqual([{ id: gcl.id, name: gcl.name, limit: 2 }]);
    expect((await read(gcl.id)).active_slots).toBe(2);
    const refused = await api("POST", "/v2/concurrency_limits/increment", { names: [gcl.name], slots: 1 });
    expect(refused.status).toBe(423);
    expect(refused.body).toEqual({ detail: "Locked" });
    const retry = Number(refused.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(30 * 1.3);
    const row = await env.DB.prepare(`SELECT denied_slots FROM concurrency_limit_v2 WHERE id = ?`).bind(gcl.id).first<{ denied_slots: number }>();
    expect(row!.denied_slots).toBe(1);
    const dec = await api("POST", "/v2/concurrency_limits/decrement", { names: [gcl.name], slots: 1, occupancy_seconds: 10 });
    expect(dec.status).toBe(200);
    expect(dec.body).toEqual([{ id: gcl.id, name: gcl.name, limit: 2 }]);
    expect((await read(gcl.id)).active_slots).toBe(1);
    // avg_slot_occupancy_seconds moves toward the sample as Prefect weighs it: 2 + 10/4 - 2/4.
    const after = await env.DB.prepare(`SELECT avg_slot_occupancy_seconds AS a FROM concurrency_limit_v2 WHERE id = ?`).bind(gcl.id).first<{ a: number }>();
    expect(after!.a).toBeCloseTo(4, 5);
  });

  it("answers 422 when slots exceed a limit, and for rate limiting without decay", async () => {
    const gcl = await create({ limit: 2 });
    const big = await api("POST", "/v2/concurrency_limits/increment", { names: [gcl.name], slots: 3 });
    expect(big).toMatchObject({ status: 422, body: { detail: "Slots requested is greater than the limit" } });
    const rate = await api("POST", "/v2/concurrency_limits/increment", { names: [gcl.name], slots: 1, mode: "rate_limit" });
    expect(rate.status).toBe(422);
    expect(rate.body.detail).toBe(
      `Only concurrency limits with slot decay can be used for rate limiting. The following limits do not have a decay configured: '${gcl.name}'`,
    );
    expect((await api("POST", "/v2/concurrency_limits/increment", { names: [gcl.name], slots: 0 })).status).toBe(422);
    expect((await api("POST", "/v2/concurrency_limits/increment", { names: [gcl.name] })).status).toBe(422);
    expect((await api("POST", "/v2/concurrency_limits/increment", { names: [gcl.name], slots: 1, mode: "nope" })).status).toBe(422);
  });

  it("skips unknown names and inactive limits (they never block)", async () => {
    const inactive = await create({ limit: 1, active: false });
    const res = await api("POST", "/v2/concurrency_limits/increment", { names: [inactive.name, "no-such-limit"], slots: 1, create_if_missing: true });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ id: inactive.id, name: inactive.name, limit: 1 }]);
    expect((await api("POST", "/v2/concurrency_limits/increment", { names: [inactive.name], slots: 1 })).status).toBe(200);
    expect((await read(inactive.id)).active_slots).toBe(0);
    expect((await api("POST", "/v2/concurrency_limits/increment", { names: ["no-such-limit"], slots: 1 })).body).toEqual([]);
    expect((await api("POST", "/v2/concurrency_limits/decrement", { names: ["no-such-limit"], slots: 1 })).body).toEqual([]);
  });

  it("bulk increments are all or nothing", async () => {
    const roomy = await create({ limit: 5 });
    const tight = await create({ limit: 1 });
    await api("POST", "/v2/concurrency_limits/increment", { names: [tight.name], slots: 1 });
    const refused = await api("POST", "/v2/concurrency_limits/increment", { names: [roomy.name, tight.name], slots: 1 });
    expect(refused.status).toBe(423);
    expect((await read(roomy.id)).active_slots).toBe(0);
    expect((await read(tight.id)).active_slots).toBe(1);
    await api("POST", "/v2/concurrency_limits/decrement", { names: [tight.name], slots: 1 });
    const ok = await api("POST", "/v2/concurrency_limits/increment", { names: [roomy.name, tight.name], slots: 1 });
    expect(ok.status).toBe(200);
    expect((await read(roomy.id)).active_slots).toBe(1);
    expect((await read(tight.id)).active_slots).toBe(1);
  });

  it("100 concurrent increments against a limit of 5 never hold more than 5", async () => {
    const gcl = await create({ limit: 5 });
    const results = await Promise.all(
      Array.from({ length: 100 }, () => api("POST", "/v2/concurrency_limits/increment-with-lease", { names: [gcl.name], slots: 1 })),
    );
    const granted = results.filter((r) => r.status === 200);
    expect(granted).toHaveLength(5);
    expect(results.filter((r) => r.status === 423)).toHaveLength(95);
    expect(new Set(granted.map((r) => r.body.lease_id)).size).toBe(5);
    expect((await read(gcl.id)).active_slots).toBe(5);
    // Releasing one lease lets exactly one more in.
    await api("POST", "/v2/concurrency_limits/decrement-with-lease", { lease_id: granted[0].body.lease_id });
    const again = await Promise.all(Array.from({ length: 10 }, () => api("POST", "/v2/concurrency_limits/increment", { names: [gcl.name], slots: 1 })));
    expect(again.filter((r) => r.status === 200)).toHaveLength(1);
    expect((await read(gcl.id)).active_slots).toBe(5);
  });
});

describe("v2 concurrency limits: leases", () => {
  it("increment-with-lease answers the lease and the limits; decrement-with-lease gives the slots back (204)", async () => {
    const gcl = await create({ limit: 3 });
    const holder = { type: "task_run", id: uuid4() };
    const res = await api("POST", "/v2/concurrency_limits/increment-with-lease", { names: [gcl.name], slots: 2, lease_duration: 60, holder });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ lease_id: expect.stringMatching(/^[0-9a-f-]{36}$/), limits: [{ id: gcl.id, name: gcl.name, limit: 3 }] });
    expect((await read(gcl.id)).active_slots).toBe(2);
    const dec = await api("POST", "/v2/concurrency_limits/decrement-with-lease", { lease_id: res.body.lease_id });
    expect(dec.status).toBe(204);
    expect(dec.text).toBe("");
    expect((await read(gcl.id)).active_slots).toBe(0);
    // Releasing again (or an unknown lease) is a no-op.
    expect((await api("POST", "/v2/concurrency_limits/decrement-with-lease", { lease_id: res.body.lease_id })).status).toBe(204);
    expect((await api("POST", "/v2/concurrency_limits/decrement-with-lease", { lease_id: uuid4() })).status).toBe(204);
    expect((await read(gcl.id)).active_slots).toBe(0);
    expect((await api("POST", "/v2/concurrency_limits/decrement-with-lease", { lease_id: "nope" })).status).toBe(422);
  });

  it("422 on bad lease bodies", async () => {
    const bodies = [
      { names: ["x"], slots: 1, lease_duration: 59 },
      { names: ["x"], slots: 1, lease_duration: 86401 },
      { names: ["x"], slots: 1, holder: { type: "someone", id: uuid4() } },
      { names: ["x"], slots: 1, holder: { type: "task_run", id: "nope" } },
      { names: "x", slots: 1 },
    ];
    for (const body of bodies) {
      const res = await api("POST", "/v2/concurrency_limits/increment-with-lease", body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.exception_message).toBe("Invalid request received.");
    }
    expect((await api("POST", "/v2/concurrency_limits/decrement", { names: ["x"], slots: 1, occupancy_seconds: 0 })).status).toBe(422);
    expect((await api("POST", "/v2/concurrency_limits/decrement-with-lease", {})).status).toBe(422);
  });

  it("without any limit for the names, answers a lease and no limits (tagged tasks still run)", async () => {
    const res = await api("POST", "/v2/concurrency_limits/increment-with-lease", { names: ["tag:nothing-here"], slots: 1, lease_duration: 60 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ lease_id: expect.any(String), limits: [] });
  });

  it("renews a live lease (204); 410 when unknown, released or expired; 422 on bad input", async () => {
    const gcl = await create({ limit: 1 });
    const { body } = await api("POST", "/v2/concurrency_limits/increment-with-lease", { names: [gcl.name], slots: 1, lease_duration: 60 });
    const renew = await api("POST", `/v2/concurrency_limits/leases/${body.lease_id}/renew`, { lease_duration: 120 });
    expect(renew.status).toBe(204);
    const unknown = await api("POST", `/v2/concurrency_limits/leases/${uuid4()}/renew`, { lease_duration: 120 });
    expect(unknown).toMatchObject({ status: 410, body: { detail: "Lease not found - it may have expired or been revoked" } });
    expect((await api("POST", `/v2/concurrency_limits/leases/${body.lease_id}/renew`, { lease_duration: 10 })).status).toBe(422);
    const bad = await api("POST", `/v2/concurrency_limits/leases/not-a-uuid/renew`, {});
    expect(bad.status).toBe(422);
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "uuid_parsing", loc: ["path", "lease_id"] });
    await api("POST", "/v2/concurrency_limits/decrement-with-lease", { lease_id: body.lease_id });
    expect((await api("POST", `/v2/concurrency_limits/leases/${body.lease_id}/renew`, {})).status).toBe(410);
  });

  it("a lease over several limits is renewed and released in all of them", async () => {
    const a = await create({ limit: 2 });
    const b = await create({ limit: 2 });
    const { body } = await api("POST", "/v2/concurrency_limits/increment-with-lease", { names: [a.name, b.name], slots: 1 });
    expect(body.limits.map((l: any) => l.id).sort()).toEqual([a.id, b.id].sort());
    expect((await api("POST", `/v2/concurrency_limits/leases/${body.lease_id}/renew`, {})).status).toBe(204);
    expect((await read(a.id)).active_slots + (await read(b.id)).active_slots).toBe(2);
    await api("POST", "/v2/concurrency_limits/decrement-with-lease", { lease_id: body.lease_id });
    expect((await read(a.id)).active_slots + (await read(b.id)).active_slots).toBe(0);
  });

  it("deleting one limit of a lease revokes the lease everywhere", async () => {
    const a = await create({ limit: 2 });
    const b = await create({ limit: 2 });
    const { body } = await api("POST", "/v2/concurrency_limits/increment-with-lease", { names: [a.name, b.name], slots: 1 });
    await api("DELETE", `/v2/concurrency_limits/${a.id}`);
    expect((await read(b.id)).active_slots).toBe(0);
    expect((await api("POST", `/v2/concurrency_limits/leases/${body.lease_id}/renew`, {})).status).toBe(410);
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await api("GET", "/openapi.json")).body;
    for (const p of [
      "/v2/concurrency_limits/",
      "/v2/concurrency_limits/filter",
      "/v2/concurrency_limits/{id_or_name}",
      "/v2/concurrency_limits/increment",
      "/v2/concurrency_limits/increment-with-lease",
      "/v2/concurrency_limits/decrement",
      "/v2/concurrency_limits/decrement-with-lease",
      "/v2/concurrency_limits/leases/{lease_id}/renew",
    ])
      expect(doc.paths[p], p).toBeDefined();
  });
});
