import type { ServerEvent } from "../../db/queries/event-outbox";
import type { TriggeredActionMessage } from "../../events/automations/contract";
import type { StoredEvent } from "../../db/queries/events";
import { uuid7 } from "../../lib/ids";

/** `.triggered` follows the triggering event only when it is this recent (Prefect's tight timing). */
const FOLLOWS_WITHIN_MS = 5 * 60 * 1000;

export interface ActionOutcome {
  /** "executed" or "failed". */
  status: "executed" | "failed";
  reason?: string;
  related: Record<string, string>[];
  details: Record<string, unknown>;
}

/**
 * The engine's events for one action: `prefect.automation.action.triggered` (at the firing's
 * time) then `.executed` or `.failed` (now), on the automation, related to what the action acted
 * on or made, the automation.triggered event and the triggering event.
 */
export function actionEvents(message: TriggeredActionMessage, triggeringEvent: StoredEvent | null, outcome: ActionOutcome): ServerEvent[] {
  const { automation } = message;
  const resource: Record<string, string> = {
    "prefect.resource.id": `prefect.automation.${automation.id}`,
    "prefect.resource.name": automation.name,
    "prefect.trigger-type": automation.trigger_type,
  };
  if (automation.posture) resource["prefect.posture"] = automation.posture;
  const related = [...outcome.related];
  if (message.automation_triggered_event_id)
    related.push({ "prefect.resource.id": `prefect.event.${message.automation_triggered_event_id}`, "prefect.resource.role": "automation-triggered-event" });
  if (triggeringEvent) related.push({ "prefect.resource.id": `prefect.event.${triggeringEvent.id}`, "prefect.resource.role": "triggering-event" });

  const payload = { action_index: message.action_index, action_type: message.action.type, invocation: message.invocation };
  const sinceTrigger = triggeringEvent ? Math.abs(Date.parse(message.triggered) - Date.parse(triggeringEvent.occurred)) : NaN;
  const triggeredId = uuid7();
  return [
    {
      id: triggeredId,
      occurred: message.triggered,
      event: "prefect.automation.action.triggered",
      resource,
      related,
      payload,
      follows: sinceTrigger < FOLLOWS_WITHIN_MS ? triggeringEvent!.id : null,
    },
    {
      id: uuid7(),
      event: `prefect.automation.action.${outcome.status}`,
      resource,
      related,
      payload: outcome.status === "failed" ? { ...payload, reason: outcome.reason, ...outcome.details } : { ...payload, ...outcome.details },
      follows: triggeredId,
    },
  ];
}
