import type { Bindings } from "../../env";
import type { AutomationMessage } from "./contract";
import { withEventsByReference } from "./by-reference";

/** Cloudflare Queues' limits: 100 messages and 256 KB per sendBatch, 128 KB per message (with room for overhead). */
const MAX_MESSAGES = 100;
const MAX_BATCH_BYTES = 240_000;
export const MAX_MESSAGE_BYTES = 120_000;

const encoder = new TextEncoder();

/**
 * Puts messages on the AUTOMATION_ACTIONS queue (at-least-once; the consumer dedupes), in
 * batches within the queue's limits. A message too large sends its events by reference
 * (by-reference.ts); one still too large is logged and left out, so that it does not keep the
 * others from being sent.
 */
export async function enqueueAutomationMessages(env: Bindings, messages: AutomationMessage[]): Promise<void> {
  let batch: { body: AutomationMessage; contentType: "json" }[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length) await env.AUTOMATION_ACTIONS.sendBatch(batch);
    batch = [];
    bytes = 0;
  };
  for (let body of messages) {
    let size = encoder.encode(JSON.stringify(body)).length;
    if (size > MAX_MESSAGE_BYTES) {
      body = withEventsByReference(body);
      size = encoder.encode(JSON.stringify(body)).length;
    }
    if (size > MAX_MESSAGE_BYTES) {
      console.error(`automations: a ${body.kind} message of ${size} bytes exceeds the queue's message size; not sent`, JSON.stringify(body).slice(0, 1000));
      continue;
    }
    if (batch.length === MAX_MESSAGES || bytes + size > MAX_BATCH_BYTES) await flush();
    batch.push({ body, contentType: "json" });
    bytes += size;
  }
  await flush();
}
