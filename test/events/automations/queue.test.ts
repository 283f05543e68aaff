import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import type { Bindings } from "../../../src/env";
import type { AutomationMessage } from "../../../src/events/automations/contract";
import { enqueueAutomationMessages, MAX_MESSAGE_BYTES } from "../../../src/events/automations/queue";

/** The queue binding replaced by a recorder (the messages are not real ones to consume). */
function recordingQueue() {
  const batches: { count: number; bytes: number }[] = [];
  const queue = {
    sendBatch: async (messages: { body: AutomationMessage }[]) => {
      batches.push({ count: messages.length, bytes: messages.reduce((n, m) => n + JSON.stringify(m.body).length, 0) });
    },
  };
  return { batches, env: { ...(env as unknown as Bindings), AUTOMATION_ACTIONS: queue } as unknown as Bindings };
}

const message = (size: number): AutomationMessage =>
  ({ kind: "notification-policy", policy_id: "p", flow_run_id: "r", event: { payload: { pad: "x".repeat(size) } } }) as unknown as AutomationMessage;

describe("enqueueAutomationMessages", () => {
  it("sends within the queue's limits: 100 messages and 256 KB a batch; a message over 128 KB sends its events by reference, or is left out, not the rest", async () => {
    const q = recordingQueue();
    await enqueueAutomationMessages(q.env, Array.from({ length: 150 }, () => message(10)));
    expect(q.batches.map((b) => b.count)).toEqual([100, 50]);

    const big = recordingQueue();
    const unsendable = { ...message(10), policy_id: "p".repeat(MAX_MESSAGE_BYTES + 1) } as AutomationMessage;
    await enqueueAutomationMessages(big.env, [message(100_000), message(100_000), message(MAX_MESSAGE_BYTES + 1), unsendable, message(100_000)]);
    expect(big.batches.map((b) => b.count)).toEqual([3, 1]);
    expect(Math.max(...big.batches.map((b) => b.bytes))).toBeLessThan(256_000);
  });
});
