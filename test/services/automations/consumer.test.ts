import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, unique } from "../../helpers";
import { actionMessage, automationEvents, deliver, DEAD_LETTER_QUEUE, triggeringEvent } from "./support";
import { SERVICES } from "../../../src/services/cron";
import { ACTION_RUN_RETENTION_SECONDS } from "../../../src/services/db-vacuum/automation-action-runs";

async function newWorkQueue() {
  const res = await api("POST", "/work_queues/", { name: unique("queue") });
  expect(res.status).toBe(201);
  return res.body as { id: string; is_paused: boolean };
}

async function isPaused(queueId: string) {
  return (await api("GET", `/work_queues/${queueId}`)).body.is_paused as boolean;
}

async function record(automationId: string) {
  return env.DB.prepare("SELECT status, attempts, error FROM automation_action_run WHERE automation_id = ?").bind(automationId).first();
}

describe("the actions queue consumer: exactly once per (automation, action, invocation)", () => {
  it("runs an action, records it, and acks a redelivery of the same invocation without effect", async () => {
    const queue = await newWorkQueue();
    const message = actionMessage({ type: "pause-work-queue", source: "selected", work_queue_id: queue.id });
    expect(await deliver([message])).toMatchObject({ acked: [true], retried: [false] });
    expect(await isPaused(queue.id)).toBe(true);

    // Resumed by hand; the same message delivered again (at-least-once delivery) does nothing.
    await api("PATCH", `/work_queues/${queue.id}`, { is_paused: false });
    expect(await deliver([message], { attempts: 2 })).toMatchObject({ acked: [true], retried: [false] });
    expect(await isPaused(queue.id)).toBe(false);

    const events = await automationEvents(message.automation.id);
    expect(events.map((e) => e.event)).toEqual(["prefect.automation.action.triggered", "prefect.automation.action.executed"]);
    expect(await record(message.automation.id)).toMatchObject({ status: "executed", attempts: 1 });
  });

  it("runs a message delivered twice in one batch once", async () => {
    const queue = await newWorkQueue();
    const message = actionMessage({ type: "pause-work-queue", source: "selected", work_queue_id: queue.id });
    const result = await deliver([message, structuredClone(message)]);
    // One ran; the other found the claim taken (running) and comes back later, or found it done.
    expect(result.acked.filter(Boolean).length + result.retried.filter(Boolean).length).toBe(2);
    expect(result.acked.some(Boolean)).toBe(true);
    const events = await automationEvents(message.automation.id);
    expect(events.map((e) => e.event)).toEqual(["prefect.automation.action.triggered", "prefect.automation.action.executed"]);
    // The retried copy, redelivered, is acked without running again.
    if (result.retried.some(Boolean)) expect((await deliver([message], { attempts: 2 })).acked).toEqual([true]);
    expect((await automationEvents(message.automation.id)).length).toBe(2);
  });

  it("runs different actions and invocations of one automation each on their own", async () => {
    const [a, b] = [await newWorkQueue(), await newWorkQueue()];
    const first = actionMessage({ type: "pause-work-queue", source: "selected", work_queue_id: a.id });
    const second = actionMessage({ type: "pause-work-queue", source: "selected", work_queue_id: b.id }, { automation: first.automation, index: 1, invocation: first.invocation });
    const third = actionMessage({ type: "do-nothing" }, { automation: first.automation, index: 0 });
    expect((await deliver([first, second, third])).acked).toEqual([true, true, true]);
    expect([await isPaused(a.id), await isPaused(b.id)]).toEqual([true, true]);
    const executed = (await automationEvents(first.automation.id)).filter((e) => e.event.endsWith(".executed"));
    expect(executed.map((e) => [e.payload.action_index, e.payload.invocation]).sort()).toEqual(
      [
        [0, first.invocation],
        [1, first.invocation],
        [0, third.invocation],
      ].sort(),
    );
  });

  it("reports an ActionFailed as action.failed and acks it (not retried); its redelivery does nothing", async () => {
    const message = actionMessage({ type: "pause-work-queue", source: "inferred", work_queue_id: null }, { event: triggeringEvent({ "prefect.resource.id": "prefect.flow-run.x" }) });
    expect(await deliver([message])).toMatchObject({ acked: [true], retried: [false] });
    expect(await deliver([message], { attempts: 2 })).toMatchObject({ acked: [true], retried: [false] });
    const events = await automationEvents(message.automation.id);
    expect(events.map((e) => e.event)).toEqual(["prefect.automation.action.triggered", "prefect.automation.action.failed"]);
    expect(events[1].payload).toEqual({ action_index: 0, action_type: "pause-work-queue", invocation: message.invocation, reason: "No work queue could be inferred" });
    expect(await record(message.automation.id)).toMatchObject({ status: "failed" });
  });

  it("retries any other error, then runs the action on a later delivery", async () => {
    const queue = await newWorkQueue();
    const message = actionMessage({ type: "pause-work-queue", source: "selected", work_queue_id: queue.id });
    // Our own API failing (here: the work queue's route answering 500) is retried, not reported.
    const failing = await deliverWithFailingApi(message);
    expect(failing).toMatchObject({ acked: [false], retried: [true] });
    expect(await record(message.automation.id)).toMatchObject({ status: "retrying", error: "Unexpected status from 'pause-work-queue' action: 500" });
    expect(await automationEvents(message.automation.id)).toEqual([]);
    expect(await isPaused(queue.id)).toBe(false);

    expect(await deliver([message], { attempts: 2 })).toMatchObject({ acked: [true], retried: [false] });
    expect(await isPaused(queue.id)).toBe(true);
    expect(await record(message.automation.id)).toMatchObject({ status: "executed", attempts: 2 });
  });

  it("after the retries, the dead-letter consumer records action.failed with the last error, once", async () => {
    const queue = await newWorkQueue();
    const message = actionMessage({ type: "pause-work-queue", source: "selected", work_queue_id: queue.id }, { event: triggeringEvent({ "prefect.resource.id": `prefect.work-queue.${queue.id}` }) });
    await deliverWithFailingApi(message);
    expect(await deliver([message], { queue: DEAD_LETTER_QUEUE })).toMatchObject({ acked: [true] });
    expect(await deliver([message], { queue: DEAD_LETTER_QUEUE })).toMatchObject({ acked: [true] });
    const events = await automationEvents(message.automation.id);
    expect(events.map((e) => e.event)).toEqual(["prefect.automation.action.triggered", "prefect.automation.action.failed"]);
    expect(events[1].payload.reason).toBe("Unexpected status from 'pause-work-queue' action: 500");
    expect(events[1].related.map((r) => r["prefect.resource.role"])).toEqual(["automation-triggered-event", "triggering-event"]);
    expect(await record(message.automation.id)).toMatchObject({ status: "failed" });
    // A late redelivery to the main queue finds it ended: nothing runs.
    expect((await deliver([message], { attempts: 7 })).acked).toEqual([true]);
    expect(await isPaused(queue.id)).toBe(false);
  });

  it("the dead-letter consumer leaves an action that was executed meanwhile alone", async () => {
    const message = actionMessage({ type: "do-nothing" });
    await deliver([message]);
    await deliver([message], { queue: DEAD_LETTER_QUEUE });
    expect((await automationEvents(message.automation.id)).map((e) => e.event)).toEqual(["prefect.automation.action.triggered", "prefect.automation.action.executed"]);
  });

  it("takes over a claim left by a delivery that died mid-action once its lease is over", async () => {
    const queue = await newWorkQueue();
    const message = actionMessage({ type: "pause-work-queue", source: "selected", work_queue_id: queue.id });
    const stale = new Date(Date.now() - 10 * 60_000).toISOString();
    await env.DB.prepare("INSERT INTO automation_action_run (automation_id, action_index, invocation, status, attempts, claimed, updated) VALUES (?, 0, ?, 'running', 1, ?, ?)")
      .bind(message.automation.id, message.invocation, stale, stale)
      .run();
    expect((await deliver([message], { attempts: 2 })).acked).toEqual([true]);
    expect(await isPaused(queue.id)).toBe(true);

    // A fresh claim (another delivery running it now) sends the message back for later.
    const other = actionMessage({ type: "do-nothing" });
    const now = new Date().toISOString();
    await env.DB.prepare("INSERT INTO automation_action_run (automation_id, action_index, invocation, status, attempts, claimed, updated) VALUES (?, 0, ?, 'running', 1, ?, ?)")
      .bind(other.automation.id, other.invocation, now, now)
      .run();
    expect(await deliver([other])).toMatchObject({ acked: [false], retried: [true] });
  });

  it("the cron's vacuum deletes records older than their retention, keeps newer ones", async () => {
    const old = new Date(Date.now() - (ACTION_RUN_RETENTION_SECONDS + 60) * 1000).toISOString();
    const recent = new Date(Date.now() - 3600_000).toISOString();
    const [a, b] = [unique("automation-old"), unique("automation-recent")];
    for (const [id, at] of [
      [a, old],
      [b, recent],
    ])
      await env.DB.prepare("INSERT INTO automation_action_run (automation_id, action_index, invocation, status, attempts, claimed, updated) VALUES (?, 0, 'i', 'executed', 1, ?, ?)")
        .bind(id, at, at)
        .run();
    await SERVICES["db-vacuum-automation-action-runs"](env as any);
    expect(await record(a)).toBeNull();
    expect(await record(b)).toMatchObject({ status: "executed" });
  });
});

/** The Worker's env with a D1 whose batches fail `failures` times (every time: Infinity). */
function envWithFailingBatches(failures: number) {
  let left = failures;
  const db = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "batch")
        return async (statements: D1PreparedStatement[]) => {
          if (left-- > 0) throw new Error("D1_ERROR: storage unavailable");
          return target.batch(statements);
        };
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { ...env, DB: db, CHECK_D1_LIMITS: undefined } as any;
}

describe("an action that ran but whose record could not be written", () => {
  it("is written on the second try; the action is not run again", async () => {
    const { runTriggeredAction } = await import("../../../src/services/automations/run-action");
    const message = actionMessage({ type: "do-nothing" });
    expect(await runTriggeredAction(envWithFailingBatches(1), async () => new Response(null, { status: 500 }), message)).toEqual({ ack: true });
    expect((await automationEvents(message.automation.id)).map((e) => e.event)).toEqual(["prefect.automation.action.triggered", "prefect.automation.action.executed"]);
  });

  it("is acked even when the write keeps failing: the claim stays, so a redelivery does not run it again", async () => {
    const { runTriggeredAction } = await import("../../../src/services/automations/run-action");
    const queue = await newWorkQueue();
    const message = actionMessage({ type: "pause-work-queue", source: "selected", work_queue_id: queue.id });
    const { default: worker } = await import("../../../src/index");
    const broken = envWithFailingBatches(Infinity);
    const delivery = await runTriggeredAction(broken, (request) => worker.fetch!(request as any, env as any, {} as any) as any, message);
    expect(delivery).toEqual({ ack: true });
    expect(await isPaused(queue.id)).toBe(true);
    expect(await record(message.automation.id)).toMatchObject({ status: "running" });
    await api("PATCH", `/work_queues/${queue.id}`, { is_paused: false });
    expect(await deliver([message], { attempts: 2 })).toMatchObject({ acked: [false], retried: [true] });
    expect(await isPaused(queue.id)).toBe(false);
  });
});

/** Delivers with our own API answering 500 to the work queue's PATCH. */
async function deliverWithFailingApi(message: ReturnType<typeof actionMessage>) {
  const { consumeAutomationMessages } = await import("../../../src/services/automations/consumer");
  const { createMessageBatch, getQueueResult, createExecutionContext } = await import("cloudflare:test");
  const batch = createMessageBatch("prefect-automation-actions", [{ id: "failing", timestamp: new Date(), attempts: 1, body: message }]);
  const ctx = createExecutionContext();
  await consumeAutomationMessages(batch as any, env as any, async () => new Response('{"detail":"boom"}', { status: 500 }));
  const result = await getQueueResult(batch, ctx);
  return { acked: [result.explicitAcks.includes("failing")], retried: [result.retryMessages.some((r: { msgId: string }) => r.msgId === "failing")] };
}
