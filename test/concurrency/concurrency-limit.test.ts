import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { getDb } from "../../src/db/client";
import * as q from "../../src/db/queries/concurrency-limits";
import { RECONCILE_GRACE_SECONDS } from "../../src/concurrency/concurrency-limit";
import type { LeaseSpec } from "../../src/concurrency/limit-counter";
import { definitionOf, leaseIndexStub, limitStub } from "../../src/concurrency/slots";
import { uuid4 } from "../../src/lib/ids";
import { unique, waitFor } from "../helpers";

const db = () => getDb(env.DB);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function newLimit(input: Partial<q.LimitInput> = {}) {
  return q.createLimit(db(), { name: unique("do"), limit: 5, ...input });
}
const d1Row = async (id: string) => (await q.readLimitById(db(), id))!;

function lease(limitId: string, o: Partial<LeaseSpec> = {}): LeaseSpec {
  return { id: uuid4(), expiresAt: Date.now() + 60_000, holder: null, resourceIds: [limitId], kind: "api", indexed: false, ...o };
}

describe("ConcurrencyLimit (Durable Object)", () => {
  it("admits slots up to the limit and writes the counts back to D1", async () => {
    const row = await newLimit({ limit: 3 });
    const stub = limitStub(env, row.id);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await stub.acquire(definitionOf(row), { slots: 1, lease: null, recordDenied: true }));
    expect(results.map((r) => r.acquired)).toEqual([true, true, true, false]);
    const after = await d1Row(row.id);
    expect(after.active_slots).toBe(3);
    expect(after.denied_slots).toBe(1);
    expect(after.updated > row.updated).toBe(true);
  });

  it("never overshoots under 100 concurrent acquisitions", async () => {
    const row = await newLimit({ limit: 5 });
    const stub = limitStub(env, row.id);
    const results = await Promise.all(
      Array.from({ length: 100 }, () => stub.acquire(definitionOf(row), { slots: 1, lease: lease(row.id), recordDenied: true })),
    );
    expect(results.filter((r) => r.acquired)).toHaveLength(5);
    expect((await stub.inspect())!.active_slots).toBe(5);
    expect((await d1Row(row.id)).active_slots).toBe(5);
    expect((await d1Row(row.id)).denied_slots).toBe(95);
  });

  it("an expired lease gives its slots back when the alarm goes off", async () => {
    const row = await newLimit({ limit: 2 });
    const stub = limitStub(env, row.id);
    const l = lease(row.id, { expiresAt: Date.now() + 60_000 });
    expect((await stub.acquire(definitionOf(row), { slots: 2, lease: l, recordDenied: true })).acquired).toBe(true);
    expect((await d1Row(row.id)).active_slots).toBe(2);
    // The alarm is set to the lease's expiry.
    expect(await runInDurableObject(stub, async (_i, state) => state.storage.getAlarm())).toBe(l.expiresAt);
    // Time passes: the lease is now 30 s past due.
    await runInDurableObject(stub, async (_i, state) => {
      state.storage.sql.exec(`UPDATE lease SET expires_at = ?, created_at = ?`, Date.now() - 30_000, Date.now() - 90_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const snap = (await stub.inspect())!;
    expect(snap.active_slots).toBe(0);
    expect(snap.leases).toEqual([]);
    expect((await d1Row(row.id)).active_slots).toBe(0);
    // The repossessor's occupancy sample (90 s over 2 slots) moved the average: 2 + 45/4 - 2/4.
    expect(snap.avg_slot_occupancy_seconds).toBeCloseTo(12.75, 1);
    // A late renewal finds nothing.
    expect(await stub.renew(l.id, Date.now() + 60_000)).toBe(false);
  });

  it("a lease past its expiry never blocks, even before the alarm ran", async () => {
    const row = await newLimit({ limit: 1 });
    const stub = limitStub(env, row.id);
    await stub.acquire(definitionOf(row), { slots: 1, lease: lease(row.id, { expiresAt: Date.now() + 20 }), recordDenied: false });
    await sleep(40);
    expect((await stub.acquire(definitionOf(row), { slots: 1, lease: lease(row.id), recordDenied: false })).acquired).toBe(true);
  });

  it("leases found expired on the way are given back and written back, even by a call that changes nothing else", async () => {
    const row = await newLimit({ limit: 2 });
    const stub = limitStub(env, row.id);
    const l = lease(row.id);
    await stub.acquire(definitionOf(row), { slots: 1, lease: l, recordDenied: false });
    await runInDurableObject(stub, async (_i, state) => {
      state.storage.sql.exec(`UPDATE lease SET expires_at = ?`, Date.now() - 1);
    });
    // Refused (3 > 2) without counting the refusal: the expired lease's slot still goes back.
    expect((await stub.acquire(definitionOf(row), { slots: 3, lease: null, recordDenied: false })).acquired).toBe(false);
    expect((await stub.inspect())!.active_slots).toBe(0);
    expect((await d1Row(row.id)).active_slots).toBe(0);
  });

  it("renewing moves the expiry and the alarm", async () => {
    const row = await newLimit({ limit: 1 });
    const stub = limitStub(env, row.id);
    const l = lease(row.id, { expiresAt: Date.now() + 1000 });
    await stub.acquire(definitionOf(row), { slots: 1, lease: l, recordDenied: false });
    const later = Date.now() + 120_000;
    expect(await stub.renew(l.id, later)).toBe(true);
    expect((await stub.inspect())!.leases[0].expiresAt).toBe(later);
    expect(await runInDurableObject(stub, async (_i, state) => state.storage.getAlarm())).toBe(later);
  });

  it("rate limits: occupied slots drain at slot_decay_per_second, by whole slots", async () => {
    const row = await newLimit({ limit: 4, slot_decay_per_second: 0.1 });
    const stub = limitStub(env, row.id);
    const take = () => stub.acquire(definitionOf(row), { slots: 1, lease: null, recordDenied: true });
    for (let i = 0; i < 4; i++) expect((await take()).acquired).toBe(true);
    expect((await take()).acquired).toBe(false);
    // 25 s pass: floor(0.1 × 25) = 2 slots have drained, the half slot left keeps draining.
    const rewind = (ms: number) =>
      runInDurableObject(stub, async (_i, state) => {
        state.storage.sql.exec(`UPDATE counts SET active_clock = active_clock - ?, denied_clock = denied_clock - ?`, ms, ms);
      });
    await rewind(25_000);
    expect((await stub.inspect())!.active_slots).toBe(2);
    expect((await take()).acquired).toBe(true);
    expect((await take()).acquired).toBe(true);
    expect((await take()).acquired).toBe(false);
    await rewind(5_000);
    expect((await stub.inspect())!.active_slots).toBe(3);
    await rewind(60_000);
    expect((await stub.inspect())!.active_slots).toBe(0);
  });

  it("rate limits through the API: mode rate_limit, Retry-After from the decay", async () => {
    const name = unique("rate");
    const row = await q.createLimit(db(), { name, limit: 2, slot_decay_per_second: 0.5 });
    const { api } = await import("../helpers");
    const inc = () => api("POST", "/v2/concurrency_limits/increment", { names: [name], slots: 1, mode: "rate_limit" });
    expect((await inc()).status).toBe(200);
    expect((await inc()).status).toBe(200);
    const refused = await inc();
    expect(refused.status).toBe(423);
    // Prefect's Retry-After for a rate limit: (1 / decay) × (slots + denied), jittered within +30%.
    const retry = Number(refused.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(2 * 1.3 + 1e-9);
    await runInDurableObject(limitStub(env, row.id), async (_i, state) => {
      state.storage.sql.exec(`UPDATE counts SET active_clock = active_clock - 2100`);
    });
    expect((await inc()).status).toBe(200);
  });

  it("repairs D1 when a write-back was lost (the alarm pushes the counts again)", async () => {
    const row = await newLimit({ limit: 5 });
    const stub = limitStub(env, row.id);
    await stub.acquire(definitionOf(row), { slots: 2, lease: null, recordDenied: false });
    // A write-back that never reached D1: D1 shows other counts, the object has unpushed changes.
    await env.DB.prepare(`UPDATE concurrency_limit_v2 SET active_slots = 0 WHERE id = ?`).bind(row.id).run();
    await runInDurableObject(stub, async (_i, state) => {
      state.storage.sql.exec(`UPDATE counts SET version = version + 1`);
      await state.storage.setAlarm(Date.now());
    });
    await runDurableObjectAlarm(stub);
    await waitFor(async () => (await d1Row(row.id)).active_slots === 2);
  });

  it("a write-back never overwrites a newer definition change (it lands above it)", async () => {
    const row = await newLimit({ limit: 5 });
    const stub = limitStub(env, row.id);
    await stub.acquire(definitionOf(row), { slots: 1, lease: null, recordDenied: false });
    // A PATCH with a clock ahead of the object's.
    const future = new Date(Date.now() + 60_000).toISOString().replace("Z", "000Z");
    await env.DB.prepare(`UPDATE concurrency_limit_v2 SET updated = ?, "limit" = 9 WHERE id = ?`).bind(future, row.id).run();
    await stub.acquire(definitionOf(row), { slots: 1, lease: null, recordDenied: false });
    const after = await d1Row(row.id);
    expect(after.active_slots).toBe(2);
    expect(after.limit).toBe(9);
    expect(after.updated > future).toBe(true);
  });

  it("survives its instance being torn down", async () => {
    const row = await newLimit({ limit: 2 });
    const l = lease(row.id);
    await limitStub(env, row.id).acquire(definitionOf(row), { slots: 2, lease: l, recordDenied: false });
    await abortAllDurableObjects();
    const stub = limitStub(env, row.id);
    expect((await stub.acquire(definitionOf(row), { slots: 1, lease: null, recordDenied: false })).acquired).toBe(false);
    expect(await stub.release(l.id)).toBe(true);
    expect((await stub.inspect())!.active_slots).toBe(0);
  });

  it("wipes itself once its D1 row is gone", async () => {
    const row = await newLimit({ limit: 2 });
    const stub = limitStub(env, row.id);
    await q.deleteLimit(db(), row.id);
    await stub.acquire(definitionOf(row), { slots: 1, lease: lease(row.id), recordDenied: false });
    await runDurableObjectAlarm(stub);
    await waitFor(async () => (await stub.inspect()) === null);
  });

  it("reconciles rule leases with D1: a task run no longer RUNNING gives its slot back after the grace period", async () => {
    const row = await newLimit({ limit: 3 });
    const stub = limitStub(env, row.id);
    const [running, gone] = [uuid4(), uuid4()];
    const now = new Date().toISOString();
    await env.DB.prepare(
      `INSERT INTO task_run (id, created, updated, name, task_key, dynamic_key, state_type) VALUES (?, ?, ?, 't', 'k', ?, 'RUNNING')`,
    )
      .bind(running, now, now, uuid4())
      .run();
    for (const holder of [running, gone])
      await stub.acquire(definitionOf(row), {
        slots: 1,
        lease: lease(row.id, { holder: { type: "task_run", id: holder }, kind: "task_rule", expiresAt: Date.now() + 3.15e12 }),
        recordDenied: false,
      });
    expect(await stub.reconcile()).toEqual([]);
    const dropped = await stub.reconcile(Date.now() + (RECONCILE_GRACE_SECONDS + 1) * 1000);
    expect(dropped).toHaveLength(1);
    expect((await stub.holders()).map((h) => h.holder.id)).toEqual([running]);
    expect((await stub.inspect())!.active_slots).toBe(1);
  });

  it("a lease index answers its limits until it expires, and forgets on take", async () => {
    const leaseId = uuid4();
    const index = leaseIndexStub(env, leaseId);
    await index.indexPut({ leaseId, resourceIds: ["a", "b"], slots: 1, expiresAt: Date.now() + 60_000, createdAt: Date.now() });
    expect((await index.indexGet())!.resourceIds).toEqual(["a", "b"]);
    expect(await index.indexRenew(Date.now() + 120_000)).not.toBeNull();
    expect((await index.indexTake())!.leaseId).toBe(leaseId);
    expect(await index.indexGet()).toBeNull();
    expect(await index.indexRenew(Date.now() + 120_000)).toBeNull();
    const expiring = leaseIndexStub(env, uuid4());
    await expiring.indexPut({ leaseId: uuid4(), resourceIds: [], slots: 1, expiresAt: Date.now() + 10, createdAt: Date.now() });
    await sleep(30);
    expect(await expiring.indexGet()).toBeNull();
    await runDurableObjectAlarm(expiring);
    await waitFor(async () => (await runInDurableObject(expiring, async (_i, state) => state.storage.getAlarm())) === null);
  });
});
