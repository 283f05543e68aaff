import type { Bindings } from "../../env";
import type { StoredEvent } from "../../db/queries/events";
import { stampServerEvents, type ServerEvent } from "../../db/queries/event-outbox";
import { uuid4, uuid7 } from "../../lib/ids";
import { recordEvents } from "../outbox";
import type { Firing, LoadedAutomation, StoredTrigger, TriggeredActionMessage } from "./contract";
import { enqueueAutomationMessages } from "./queue";

/**
 * What a firing of an automation's top-level trigger does (Prefect's `act`): it records the
 * `prefect.automation.triggered` event, then puts one TriggeredActionMessage per action on the
 * actions queue — `actions` for the firing's triggering event, then `actions_on_trigger` for the
 * automation.triggered event itself, numbered as one list, each with a fresh invocation id.
 */

/** An event as Prefect's ReceivedEvent dumps it to JSON (its field order). */
function eventJson(e: StoredEvent): StoredEvent {
  return { occurred: e.occurred, event: e.event, resource: e.resource, related: e.related, payload: e.payload, id: e.id, follows: e.follows ?? null, received: e.received };
}

export function automationTriggeredEvent(automation: LoadedAutomation, firing: Firing): ServerEvent & { id: string } {
  const trigger = firing.trigger as StoredTrigger;
  const resource: Record<string, string> = {
    "prefect.resource.id": `prefect.automation.${automation.id}`,
    "prefect.resource.name": automation.name,
  };
  // Composite triggers' events carry no posture.
  if (trigger.type === "event" && trigger.posture) resource["prefect.posture"] = trigger.posture;
  const triggering = firing.triggering_event;
  return {
    id: uuid7(),
    occurred: firing.triggered,
    event: "prefect.automation.triggered",
    resource,
    related: triggering ? [{ "prefect.resource.id": `prefect.event.${triggering.id}`, "prefect.resource.role": "triggering-event" }] : [],
    payload: { triggering_labels: firing.triggering_labels, triggering_event: triggering ? eventJson(triggering) : null },
  };
}

export function triggeredActionMessages(automation: LoadedAutomation, firing: Firing, triggeredEvent: StoredEvent): TriggeredActionMessage[] {
  const root = automation.trigger as StoredTrigger;
  const about = {
    id: automation.id,
    name: automation.name,
    trigger_type: String(root.type),
    posture: root.type === "event" ? (root.posture ?? null) : null,
  };
  const sources: [TriggeredActionMessage["source"], Record<string, any>][] = [
    ...(automation.actions ?? []).map((a) => ["actions", a] as [TriggeredActionMessage["source"], Record<string, any>]),
    ...(automation.actions_on_trigger ?? []).map((a) => ["actions_on_trigger", a] as [TriggeredActionMessage["source"], Record<string, any>]),
  ];
  return sources.map(([source, action], action_index) => ({
    kind: "action",
    automation: about,
    firing,
    automation_triggered_event_id: triggeredEvent.id,
    source,
    ...(source === "actions_on_trigger" ? { triggering_event: eventJson(triggeredEvent) } : {}),
    action,
    action_index,
    invocation: uuid4(),
    triggered: firing.triggered,
  }));
}

/** Records the firings' automation.triggered events, then enqueues their actions. */
export async function act(env: Bindings, automation: LoadedAutomation, firings: Firing[]): Promise<void> {
  if (!firings.length) return;
  const made = firings.map((f) => automationTriggeredEvent(automation, f));
  const stored = stampServerEvents(made);
  await recordEvents(stored, env);
  // An event too large to store still identifies the firing its actions belong to.
  const byId = new Map(stored.map((e) => [e.id, e]));
  const messages = firings.flatMap((f, i) => {
    const e = byId.get(made[i].id) ?? { ...made[i], related: made[i].related ?? [], payload: made[i].payload ?? {}, occurred: f.triggered, received: f.triggered, follows: null };
    return triggeredActionMessages(automation, f, e);
  });
  await enqueueAutomationMessages(env, messages);
}
