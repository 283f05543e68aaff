import type { Bindings } from "../../env";
import type { AutomationMessage } from "../../events/automations/contract";
import type { InternalApi } from "./actions";
import { deadLetterTriggeredAction, runTriggeredAction, type Delivery } from "./run-action";
import { deliverPolicyNotification } from "../notifications/policies";
import { withEventsRestored } from "../../events/automations/by-reference";
import { d1Binding } from "../../db/client";

export type { InternalApi } from "./actions";

/** One message's work, by its kind. */
async function handle(message: Message<AutomationMessage>, env: Bindings, api: InternalApi): Promise<Delivery> {
  const body = await withEventsRestored(d1Binding(env), message.body);
  switch (body.kind) {
    case "action":
      return runTriggeredAction(env, api, body, message.attempts);
    case "notification-policy":
      return deliverPolicyNotification(env, body);
    default:
      console.error("automations: a message of an unknown kind", JSON.stringify(body).slice(0, 1000));
      return { ack: true };
  }
}

/**
 * The AUTOMATION_ACTIONS queue's consumer: each message on its own (concurrently), acked when
 * done, retried when its work failed in a way worth retrying (see runTriggeredAction).
 */
export async function consumeAutomationMessages(batch: MessageBatch<AutomationMessage>, env: Bindings, api: InternalApi): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      let delivery: Delivery;
      try {
        delivery = await handle(message, env, api);
      } catch (err) {
        console.error("automations: a message could not be handled; retrying", err);
        delivery = { ack: false, delaySeconds: Math.min(60, 2 ** message.attempts) };
      }
      if (delivery.ack) message.ack();
      else message.retry({ delaySeconds: delivery.delaySeconds });
    }),
  );
}

/** The dead-letter queue's consumer: messages whose retries ran out. */
export async function consumeDeadAutomationMessages(batch: MessageBatch<AutomationMessage>, env: Bindings): Promise<void> {
  for (const message of batch.messages) {
    const body = message.body;
    try {
      if (body.kind === "action") await deadLetterTriggeredAction(env, body);
      else console.error("automations: a message exhausted its retries", JSON.stringify(body).slice(0, 1000));
      message.ack();
    } catch (err) {
      console.error("automations: a dead-lettered message could not be recorded", err);
      message.retry();
    }
  }
}
