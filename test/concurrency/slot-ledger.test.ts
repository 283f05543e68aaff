import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { abortAllDurableObjects, runDurableObjectAlarm } from "cloudflare:test";
import { ledgerFor } from "../../src/concurrency/ledgers";
import { RECONCILE_GRACE_SECONDS, type LedgerScope } from "../../src/concurrency/slot-ledger";
import { uuid4 } from "../../src/lib/ids";

const scopeOf = (): LedgerScope => ({ kind: "queue", id: uuid4() });
const ids = (n: number) => Array.from({ length: n }, () => uuid4());

describe("SlotLedger", () => {
  it("admits runs up to the limit and refuses the rest", async () => {
    const scope = scopeOf();
    const ledger = ledgerFor(env, scope);
    const runs = ids(5);
    const results = [];
    for (const run of runs) results.push(await ledger.acquire(scope, run, 3));
    expect(results.map((r) => r.acquired)).toEqual([true, true, true, false, false]);
    expect(await ledger.activeSlots()).toBe(3);
    expect(results.map((r) => !!r.alreadyHeld)).toEqual([false, false, false, false, false]);
    // A holder asking again keeps its slot (and is told it held it); a release frees one for the next run.
    expect(await ledger.acquire(scope, runs[0], 3)).toMatchObject({ acquired: true, alreadyHeld: true });
    await ledger.release(runs[1]);
    expect((await ledger.acquire(scope, runs[3], 3)).acquired).toBe(true);
    expect((await ledger.acquire(scope, runs[4], 3)).acquired).toBe(false);
  });

  it("never overshoots under 100 concurrent admissions", async () => {
    const scope = scopeOf();
    const ledger = ledgerFor(env, scope);
    const results = await Promise.all(ids(100).map((run) => ledger.acquire(scope, run, 5)));
    expect(results.filter((r) => r.acquired)).toHaveLength(5);
    expect(await ledger.activeSlots()).toBe(5);
  });

  it("treats a null limit as unlimited and lowering a limit evicts nobody", async () => {
    const scope = scopeOf();
    const ledger = ledgerFor(env, scope);
    for (const run of ids(4)) expect((await ledger.acquire(scope, run, null)).acquired).toBe(true);
    expect((await ledger.acquire(scope, uuid4(), 2)).acquired).toBe(false);
    expect(await ledger.activeSlots()).toBe(4);
  });

  it("hands each free slot to exactly one of many concurrent pollers", async () => {
    const scope = scopeOf();
    const ledger = ledgerFor(env, scope);
    const candidates = ids(20);
    const grants = await Promise.all(Array.from({ length: 50 }, () => ledger.reserve(scope, candidates, 3)));
    const all = grants.flat();
    expect(all).toHaveLength(3);
    expect(new Set(all).size).toBe(3);
    // A reservation becomes a held slot when its run proposes PENDING (taken by that proposal).
    expect(await ledger.acquire(scope, all[0], 3)).toMatchObject({ acquired: true, alreadyHeld: false });
    expect(await ledger.acquire(scope, all[0], 3)).toMatchObject({ acquired: true, alreadyHeld: true });
    expect((await ledger.acquire(scope, candidates.find((c) => !all.includes(c))!, 3)).acquired).toBe(false);
  });

  it("expires reservations that were never proposed", async () => {
    const scope = scopeOf();
    const ledger = ledgerFor(env, scope);
    const [a, b] = ids(2);
    expect(await ledger.reserve(scope, [a], 1, -1)).toEqual([a]);
    expect((await ledger.acquire(scope, b, 1)).acquired).toBe(true);
  });

  it("survives its instance being torn down", async () => {
    const scope = scopeOf();
    const runs = ids(2);
    for (const run of runs) await ledgerFor(env, scope).acquire(scope, run, 2);
    await abortAllDurableObjects();
    const ledger = ledgerFor(env, scope);
    expect(await ledger.activeSlots()).toBe(2);
    expect((await ledger.acquire(scope, uuid4(), 2)).acquired).toBe(false);
  });

  it("reconciles with D1: drops stale slots D1 doesn't show occupying, adds the ones it does", async () => {
    const scope = scopeOf();
    const ledger = ledgerFor(env, scope);
    const [leaked, running] = ids(2);
    // A slot whose D1 write never happened …
    await ledger.acquire(scope, leaked, 5);
    // … and a run D1 shows RUNNING that the ledger never saw (e.g. a forced state).
    const now = new Date().toISOString();
    await env.DB.prepare(
      `INSERT INTO flow_run (id, created, updated, name, flow_id, work_queue_id, state_type) VALUES (?, ?, ?, 'r', ?, ?, 'RUNNING')`,
    )
      .bind(running, now, now, uuid4(), scope.id)
      .run();
    // Within the grace period nothing is dropped (the D1 write may still be in flight).
    expect(await ledger.reconcile()).toEqual({ dropped: [], added: [running] });
    const later = Date.now() + (RECONCILE_GRACE_SECONDS + 1) * 1000;
    expect(await ledger.reconcile(later)).toEqual({ dropped: [leaked], added: [] });
    expect(await ledger.activeSlots()).toBe(1);
    expect(await ledger.acquire(scope, running, 1)).toMatchObject({ acquired: true, alreadyHeld: true });
    // The alarm runs the same repair.
    expect(await runDurableObjectAlarm(ledger)).toBe(true);
  });
});
