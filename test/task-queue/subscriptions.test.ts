import { openSocket, send, type Socket } from "../events/sockets";
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api, unique, waitFor } from "../helpers";
import { taskRunQueueOf } from "../../src/task-queue/client";

const open = () => openSocket("/task_runs/subscriptions/scheduled");

const settle = () => new Promise((r) => setTimeout(r, 150));
const taskRuns = (s: Socket) => s.messages.filter((m) => m.type !== "auth_success");

/** A task worker as the SDK's Subscription connects: auth, then subscribe with keys and a client id. */
async function worker(keys: string[], clientId = unique("worker")) {
  const s = await open();
  expect(s.status).toBe(101);
  send(s, { type: "auth", token: null });
  await waitFor(() => s.messages.length >= 1);
  expect(s.messages[0]).toEqual({ type: "auth_success" });
  send(s, { type: "subscribe", keys, client_id: clientId });
  await waitFor(async () => (await taskRunQueueOf(env as any).workers(keys)).some((w) => w.identifier === clientId));
  return Object.assign(s, { clientId });
}

/** A background task run as `task.delay()` creates it: SCHEDULED, deferred, no flow run. */
async function deferred(taskKey: string, state: Record<string, unknown> = {}) {
  const res = await api("POST", "/task_runs/", {
    name: unique("bg"),
    task_key: taskKey,
    dynamic_key: unique("dyn"),
    state: { type: "SCHEDULED", state_details: { deferred: true, task_parameters_id: crypto.randomUUID() }, ...state },
  });
  expect(res.status).toBe(201);
  return res.body;
}

describe("/task_runs/subscriptions/scheduled", () => {
  it("hands deferred scheduled task runs to a subscribed worker, one per ack", async () => {
    const key = unique("key");
    const first = await deferred(key);
    const w = await worker([key]);
    const got = await waitFor(() => taskRuns(w)[0]);
    // estimated_start_time_delta is computed when a run is serialized (how late it is then)
    expect({ ...got, estimated_start_time_delta: 0 }).toEqual({ ...first, estimated_start_time_delta: 0 });
    expect(got).toMatchObject({ task_key: key, state_type: "SCHEDULED", state: { type: "SCHEDULED", state_details: { deferred: true } } });

    const second = await deferred(key);
    await settle();
    expect(taskRuns(w)).toHaveLength(1); // waiting for the ack
    send(w, { type: "ack" });
    await waitFor(() => taskRuns(w).length >= 2);
    expect(taskRuns(w)[1].id).toBe(second.id);

    // Runs created while the worker is idle are sent at once.
    send(w, { type: "ack" });
    const third = await deferred(key);
    await waitFor(() => taskRuns(w).length >= 3);
    expect(taskRuns(w)[2].id).toBe(third.id);
    send(w, { type: "ack" });
    w.ws.close(1000);
    await w.closed;
  });

  it("hands out only deferred SCHEDULED runs of the subscribed keys", async () => {
    const key = unique("key");
    const other = unique("other");
    await api("POST", "/task_runs/", { name: "p", task_key: key, dynamic_key: unique("d") });
    await api("POST", "/task_runs/", { name: "s", task_key: key, dynamic_key: unique("d"), state: { type: "SCHEDULED" } });
    await deferred(other);
    const w = await worker([key]);
    await settle();
    expect(taskRuns(w)).toEqual([]);
    const mine = await deferred(key);
    await waitFor(() => taskRuns(w).length >= 1);
    expect(taskRuns(w).map((r) => r.id)).toEqual([mine.id]);
    send(w, { type: "ack" });
    w.ws.close(1000);
  });

  it("serves the retry queue (AwaitingRetry) first, and keys in the order subscribed", async () => {
    const a = unique("a");
    const b = unique("b");
    const scheduledA = await deferred(a);
    const retryA = await deferred(a, { name: "AwaitingRetry" });
    const scheduledB = await deferred(b);
    const w = await worker([b, a]);
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      await waitFor(() => taskRuns(w).length > i);
      order.push(taskRuns(w)[i].id);
      send(w, { type: "ack" });
    }
    expect(order).toEqual([scheduledB.id, retryA.id, scheduledA.id]);
    w.ws.close(1000);
  });

  it("gives a run that was sent but not acknowledged to another worker", async () => {
    const key = unique("key");
    const run = await deferred(key);
    const first = await worker([key]);
    await waitFor(() => taskRuns(first).length >= 1);
    first.ws.close(1000);
    await first.closed;
    expect((await taskRunQueueOf(env as any).queued(key)).retry).toEqual([run.id]);

    const second = await worker([key]);
    await waitFor(() => taskRuns(second).length >= 1);
    expect(taskRuns(second)[0].id).toBe(run.id);
    // "quit" instead of an ack closes the socket; the run goes back again.
    send(second, { type: "quit" });
    expect((await second.closed).code).toBe(1000);
    expect(await waitFor(async () => (await taskRunQueueOf(env as any).queued(key)).retry.length === 1)).toBe(true);
  });

  it("closes with 4001 on protocol violations", async () => {
    const cases: [unknown, string][] = [
      [{ type: "nope" }, "Protocol violation: expected 'subscribe' message"],
      [{ type: "subscribe", client_id: "c" }, "Protocol violation: expected 'keys' in subscribe message"],
      [{ type: "subscribe", keys: [], client_id: "c" }, "Protocol violation: expected 'keys' in subscribe message"],
      [{ type: "subscribe", keys: ["k"] }, "Protocol violation: expected 'client_id' in subscribe message"],
    ];
    for (const [message, reason] of cases) {
      const s = await open();
      send(s, { type: "auth", token: null });
      // As the SDK does: the subscription follows the server's auth_success.
      await waitFor(() => s.messages.some((m) => m.type === "auth_success"));
      send(s, message);
      expect(await s.closed).toEqual({ code: 4001, reason });
    }
    const noAuth = await open();
    send(noAuth, { type: "subscribe", keys: ["k"], client_id: "c" });
    expect(await noAuth.closed).toEqual({ code: 1008, reason: "Expected 'auth' message" });

    const key = unique("key");
    const run = await deferred(key);
    const w = await worker([key]);
    await waitFor(() => taskRuns(w).length >= 1);
    send(w, { type: "nack" });
    expect(await w.closed).toEqual({ code: 4001, reason: "Protocol violation: expected 'ack' message" });
    expect((await taskRunQueueOf(env as any).queued(key)).retry).toEqual([run.id]);
  });
});

describe("POST /task_workers/filter", () => {
  it("lists connected task workers, by task key, and forgets them when they leave", async () => {
    const a = unique("a");
    const b = unique("b");
    const c = unique("c");
    const one = await worker([a, b]);
    const two = await worker([c]);

    const all = await api("POST", "/task_workers/filter");
    expect(all.status).toBe(200);
    const mine = all.body.filter((w: any) => [one.clientId, two.clientId].includes(w.identifier));
    expect(mine).toHaveLength(2);
    const first = mine.find((w: any) => w.identifier === one.clientId);
    expect(Object.keys(first)).toEqual(["identifier", "task_keys", "timestamp"]);
    expect(first.task_keys.sort()).toEqual([a, b].sort());
    expect(Date.now() - Date.parse(first.timestamp)).toBeLessThan(5_000);

    const byKey = await api("POST", "/task_workers/filter", { task_worker_filter: { task_keys: [b, c] } });
    expect(byKey.body.map((w: any) => w.identifier).sort()).toEqual([one.clientId, two.clientId].sort());
    const onlyC = await api("POST", "/task_workers/filter", { task_worker_filter: { task_keys: [c] } });
    expect(onlyC.body).toEqual([{ identifier: two.clientId, task_keys: [c], timestamp: expect.any(String) }]);

    two.ws.close(1000);
    await two.closed;
    const after = await waitFor(async () => {
      const res = await api("POST", "/task_workers/filter", { task_worker_filter: { task_keys: [c] } });
      return res.body.length === 0 ? res : null;
    });
    expect(after?.body).toEqual([]);
    one.ws.close(1000);
  });

  it("validates its body (422)", async () => {
    expect((await api("POST", "/task_workers/filter", { task_worker_filter: { task_keys: "x" } })).status).toBe(422);
    expect((await api("POST", "/task_workers/filter", { task_worker_filter: {} })).status).toBe(422);
  });
});
