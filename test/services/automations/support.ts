import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import worker from "../../../src/index";
import type { AutomationMessage, TriggeredActionMessage } from "../../../src/events/automations/contract";
import type { StoredEvent } from "../../../src/db/queries/events";
import { uuid4, uuid7 } from "../../../src/lib/ids";
import { settleEvents } from "../../helpers";

export const ACTIONS_QUEUE = "prefect-automation-actions";
export const DEAD_LETTER_QUEUE = "prefect-automation-actions-dlq";

/** An event as the engine hands it over (a stored event). */
export function triggeringEvent(resource: Record<string, string>, related: Record<string, string>[] = [], overrides: Partial<StoredEvent> = {}): StoredEvent {
  const now = new Date().toISOString();
  return { id: uuid7(), occurred: now, received: now, event: "prefect.flow-run.Failed", resource, related, payload: {}, follows: null, ...overrides };
}

export interface MessageOptions {
  automation?: { id?: string; name?: string; trigger_type?: string; posture?: string | null };
  event?: StoredEvent | null;
  labels?: Record<string, string>;
  index?: number;
  invocation?: string;
}

/** A TriggeredActionMessage as the AutomationTriggers object enqueues it. */
export function actionMessage(action: Record<string, any>, opts: MessageOptions = {}): TriggeredActionMessage {
  const triggered = new Date().toISOString();
  const event = opts.event === undefined ? null : opts.event;
  return {
    kind: "action",
    automation: { id: uuid4(), name: "my automation", trigger_type: "event", posture: "Reactive", ...opts.automation } as TriggeredActionMessage["automation"],
    firing: {
      id: uuid4(),
      trigger: { type: "event" },
      trigger_states: ["Triggered"],
      triggered,
      triggering_labels: opts.labels ?? {},
      triggering_firings: [],
      triggering_event: event,
      triggering_value: null,
    },
    automation_triggered_event_id: uuid7(),
    source: "actions",
    action,
    action_index: opts.index ?? 0,
    invocation: opts.invocation ?? uuid4(),
    triggered,
  };
}

/** Delivers messages to the Worker's queue() handler as the queue would; answers what it acked and retried. */
export async function deliver(messages: AutomationMessage[], { queue = ACTIONS_QUEUE, attempts = 1 } = {}) {
  const batch = createMessageBatch<AutomationMessage>(
    queue,
    messages.map((body, i) => ({ id: `m${i}-${uuid4()}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await (worker.queue as any)(batch, env, ctx);
  const result = await getQueueResult(batch, ctx);
  const ids = batch.messages.map((m) => m.id);
  return {
    acked: ids.map((id) => result.ackAll || result.explicitAcks.includes(id)),
    retried: ids.map((id) => result.retryBatch.retry || result.retryMessages.some((r: { msgId: string }) => r.msgId === id)),
  };
}

export interface EngineEvent {
  id: string;
  event: string;
  occurred: string;
  resource: Record<string, string>;
  related: Record<string, string>[];
  payload: Record<string, any>;
  follows: string | null;
}

/** The engine's events about an automation (action.triggered / executed / failed), in order. */
export async function automationEvents(automationId: string): Promise<EngineEvent[]> {
  await settleEvents();
  const rows = await env.DB.prepare("SELECT id, event, occurred, resource, related, payload, follows FROM event WHERE resource_id = ? ORDER BY occurred, id")
    .bind(`prefect.automation.${automationId}`)
    .all<{ id: string; event: string; occurred: string; resource: string; related: string; payload: string; follows: string | null }>();
  return rows.results.map((r) => ({ ...r, resource: JSON.parse(r.resource), related: JSON.parse(r.related), payload: JSON.parse(r.payload) }));
}

/** The `.executed` / `.failed` event of an automation's one action. */
export async function outcomeOf(automationId: string): Promise<EngineEvent> {
  const events = await automationEvents(automationId);
  const outcome = events.filter((e) => e.event !== "prefect.automation.action.triggered");
  if (outcome.length !== 1) throw new Error(`expected one outcome event, got ${JSON.stringify(events.map((e) => e.event))}`);
  return outcome[0];
}
