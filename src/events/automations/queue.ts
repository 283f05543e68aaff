import type { Bindings } from "../../env";
import type { AutomationMessage } from "./contract";

/** Puts messages on the AUTOMATION_ACTIONS queue (at-least-once; the consumer dedupes). */
export async function enqueueAutomationMessages(env: Bindings, messages: AutomationMessage[]): Promise<void> {
  if (!messages.length) return;
  // sendBatch takes at most 100 messages per call.
  for (let i = 0; i < messages.length; i += 100) {
    await env.AUTOMATION_ACTIONS.sendBatch(messages.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
  }
}
