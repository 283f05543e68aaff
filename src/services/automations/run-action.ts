import type { Bindings } from "../../env";
import type { TriggeredActionMessage } from "../../events/automations/contract";
import type { StoredEvent } from "../../db/queries/events";
import { databaseOf, d1Of } from "../../db/client";
import {
  claimActionRun,
  deadLetterActionRun,
  finishActionRunStatement,
  releaseActionRun,
  type ActionRunKey,
} from "../../db/queries/automation-action-runs";
import { eventOutboxStatement, stampServerEvents } from "../../db/queries/event-outbox";
import { emitEvents, eventsCommitted } from "../../events/outbox";
import { addSeconds, isoNow } from "../../lib/time";
import { ACTIONS, ActionFailed, automationApi, RetryableAnswer, type ActionRun, type InternalApi } from "./actions";
import { actionEvents, type ActionOutcome } from "./action-events";

/** A claim older than this is taken to belong to a delivery that died mid-action. */
export const CLAIM_LEASE_SECONDS = 120;
/** A message whose action another delivery is running comes back after this long. */
export const BUSY_RETRY_SECONDS = 30;
/** The longest wait before retrying an action that failed with a retryable error. */
const MAX_RETRY_DELAY_SECONDS = 60;

/** What to do with the message: ack it, or redeliver it after `delaySeconds`. */
export type Delivery = { ack: true } | { ack: false; delaySeconds: number };
const ACK: Delivery = { ack: true };

const keyOf = (m: TriggeredActionMessage): ActionRunKey => ({ automation_id: m.automation.id, action_index: m.action_index, invocation: m.invocation });

/** The event an action runs for: the message's own (actions_on_trigger), else its firing's. */
const triggeringEventOf = (m: TriggeredActionMessage): StoredEvent | null => (m.triggering_event !== undefined ? m.triggering_event : m.firing.triggering_event);

function errorText(err: unknown): string {
  if (err instanceof RetryableAnswer) return err.message;
  return (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 1000);
}

/** The run's idempotency record ends and its events are stored in one D1 batch: both or neither. */
async function finish(env: Bindings, key: ActionRunKey, message: TriggeredActionMessage, triggeringEvent: StoredEvent | null, outcome: ActionOutcome) {
  const db = databaseOf(env);
  const events = stampServerEvents(actionEvents(message, triggeringEvent, outcome));
  await d1Of(db).batch([finishActionRunStatement(db, key, outcome.status, isoNow()), eventOutboxStatement(db, events)]);
  eventsCommitted(events, env);
}

/**
 * Runs one triggered action exactly once per (automation, action index, invocation): claimed
 * first; a delivery of an action already done is acked without effect. ActionFailed is reported
 * (`prefect.automation.action.failed`) and not retried; any other error gives the claim back and
 * the message is retried (after its retries, the dead-letter consumer reports the failure).
 */
export async function runTriggeredAction(env: Bindings, fetchApi: InternalApi, message: TriggeredActionMessage, attempts = 1): Promise<Delivery> {
  const db = databaseOf(env);
  const key = keyOf(message);
  const now = isoNow();
  const claim = await claimActionRun(db, key, now, addSeconds(now, -CLAIM_LEASE_SECONDS));
  if (claim === "done") return ACK;
  if (claim === "busy") return { ack: false, delaySeconds: BUSY_RETRY_SECONDS };

  const triggeringEvent = triggeringEventOf(message);
  const run: ActionRun = {
    env,
    message,
    action: message.action,
    triggeringEvent,
    api: automationApi(env, fetchApi, message.automation),
    fetchApi,
    related: [],
    details: {},
  };
  let outcome: ActionOutcome;
  try {
    const handler = ACTIONS[message.action.type];
    if (!handler) throw new ActionFailed(`Unknown action type ${JSON.stringify(message.action.type)}`);
    await handler(run);
    outcome = { status: "executed", related: run.related, details: run.details };
  } catch (err) {
    if (!(err instanceof ActionFailed)) {
      console.error(`automations: action ${message.action.type} of automation ${message.automation.id} failed; retrying`, err);
      await releaseActionRun(db, key, errorText(err), isoNow());
      return { ack: false, delaySeconds: Math.min(MAX_RETRY_DELAY_SECONDS, 2 ** attempts) };
    }
    outcome = { status: "failed", reason: err.reason, related: run.related, details: run.details };
  }
  // The action has run: whatever happens now, it must not run again. A failing write is tried
  // once more; should that fail too, the claim stays (a redelivery within its lease is sent back)
  // and the events are lost, rather than the action repeated now.
  for (let attempt = 1; ; attempt++) {
    try {
      await finish(env, key, message, triggeringEvent, outcome);
      return ACK;
    } catch (err) {
      if (attempt >= 2) {
        console.error(`automations: action ${message.action.type} of automation ${message.automation.id} ran, but its record and events could not be written`, err);
        return ACK;
      }
    }
  }
}

/**
 * A triggered action whose retries ran out: reported as `prefect.automation.action.failed`
 * (reason: its last error), once, unless it ended meanwhile or another delivery still runs it.
 */
export async function deadLetterTriggeredAction(env: Bindings, message: TriggeredActionMessage): Promise<void> {
  const now = isoNow();
  const ended = await deadLetterActionRun(databaseOf(env), keyOf(message), now, addSeconds(now, -CLAIM_LEASE_SECONDS));
  if (!ended) return;
  const reason = ended.error ?? "The action could not be run: its retries ran out";
  await emitEvents(actionEvents(message, triggeringEventOf(message), { status: "failed", reason, related: [], details: {} }), env);
}
