import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject as runIn } from "cloudflare:test";
import { MAX_WAITING } from "../../src/concurrency/run-turns";
import { runTurn } from "../../src/concurrency/turns";

const turnsOf = () => env.RUN_TURNS.get(env.RUN_TURNS.idFromName(`flow_run:${crypto.randomUUID()}`));

/** Settles whether `promise` resolved by now (DO calls answer on the next turns of the event loop). */
async function settled<T>(promise: Promise<T>): Promise<{ value: T } | null> {
  const pending = Symbol();
  const winner = await Promise.race([promise, new Promise<typeof pending>((r) => setTimeout(() => r(pending), 50))]);
  return winner === pending ? null : { value: winner as T };
}

/** Runs `inside` on the object itself (its queue is private: tests reach in). */
const runInDurableObject = (stub: unknown, inside: (instance: any) => Promise<unknown>) => (runIn as any)(stub, inside) as Promise<any>;

/** Moves the object's clock forward: the holder's lease and every waiter's deadline end now. */
const expireAll = (stub: ReturnType<typeof turnsOf>, what: "holder" | "waiters"): Promise<number> =>
  runInDurableObject(stub, async (instance: any) => {
    if (what === "holder" && instance.holder) instance.holder.until = Date.now() - 1;
    if (what === "waiters") for (const w of instance.waiting) w.deadline = Date.now() - 1;
    return instance.queued() as Promise<number>;
  });

/** Every lease from now on lasts a minute: on a busy machine a test's steps may outlast the 3 s lease. */
const holdLonger = (stub: ReturnType<typeof turnsOf>) =>
  runInDurableObject(stub, async (instance: any) => {
    instance.leaseMs = 60_000;
    if (instance.holder) instance.holder.until = Date.now() + 60_000;
  });

describe("RunTurns", () => {
  it("gives turns one at a time, in arrival order, each with what the previous holder left", async () => {
    const turns = turnsOf();
    await holdLonger(turns);
    const first = await turns.take();
    expect(first).toMatchObject({ handed: null });
    const second = turns.take();
    const third = turns.take();
    expect(await settled(second)).toBeNull();
    await turns.give(first!.token, "snapshot-1");
    const secondTurn = (await second)!;
    expect(secondTurn.handed).toBe("snapshot-1");
    expect(await settled(third)).toBeNull();
    await turns.give(first!.token, "stale"); // a turn already given back changes nothing
    expect(await settled(third)).toBeNull();
    await turns.give(secondTurn.token, "snapshot-2");
    const thirdTurn = (await third)!;
    expect(thirdTurn.handed).toBe("snapshot-2");
    await turns.give(thirdTurn.token, null);
    expect(await turns.queued()).toBe(0);
  });

  it("end a turn never given back when its lease ends (a cancelled request)", async () => {
    const turns = turnsOf();
    await turns.take();
    const next = turns.take();
    expect(await settled(next)).toBeNull();
    expect(await expireAll(turns, "holder")).toBe(1);
    expect(await next).toMatchObject({ handed: null });
  });

  it("bound the wait: past its deadline, or beyond MAX_WAITING waiters, a proposal gets no turn", async () => {
    const turns = turnsOf();
    const first = (await turns.take())!;
    const waiting = turns.take();
    expect(await settled(waiting)).toBeNull();
    await expireAll(turns, "waiters");
    expect(await waiting).toBeNull();

    await runInDurableObject(turns, async (instance: any) => {
      for (let i = 0; i < MAX_WAITING; i++) instance.waiting.push({ deadline: Date.now() + 60_000, resolve: () => {} });
    });
    expect(await turns.take()).toBeNull();
    await runInDurableObject(turns, async (instance: any) => void (instance.waiting.length = 0));
    await turns.give(first.token, null);
  });

  it("are taken by a proposal through runTurn, which gives back only a turn it holds", async () => {
    const runId = crypto.randomUUID();
    const a = runTurn(env, "task_run", runId);
    const b = runTurn(env, "task_run", runId);
    await b.give("ignored"); // never taken: nothing to give back
    expect(a.held).toBe(false);
    expect(await a.take()).toBeNull();
    expect(a.held).toBe(true);
    const later = b.take();
    expect(await settled(later)).toBeNull();
    await a.give("left by a");
    expect(a.held).toBe(false);
    expect(await later).toBe("left by a");
    await b.give(null);
    expect(await env.RUN_TURNS.get(env.RUN_TURNS.idFromName(`task_run:${runId}`)).queued()).toBe(0);
  });
});

