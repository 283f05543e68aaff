/**
 * The automations engine's shapes, shared by its parts:
 *   events (publishEvents) → router.ts (in-isolate index of enabled automations)
 *     → AutomationTriggers (one Durable Object per automation: buckets, windows, composite firings)
 *     → a firing: `prefect.automation.triggered` + one TriggeredActionMessage per action on the
 *       AUTOMATION_ACTIONS queue → the queue consumer (src/services/automations/) runs each action
 *       exactly once per (automation, action, invocation).
 * Prefect 2.x flow-run notification policies ride the same queue (NotificationPolicyMessage).
 */
import type { StoredEvent } from "../../db/queries/events";
import type { Automation } from "../../schemas/prefect.gen";

/** An enabled automation as the engine loads it (the stored row, as the API answers it). */
export type LoadedAutomation = Automation;

/** A trigger of any kind as stored (event, compound, sequence; nested). */
export type StoredTrigger = Record<string, any>;

/** Prefect's Firing: one trigger's decision that it fired (composite firings nest their children's). */
export interface Firing {
  id: string;
  /** The trigger that fired (for a child of a compound/sequence trigger, the child). */
  trigger: StoredTrigger;
  trigger_states: ["Triggered"];
  /** ISO timestamp of the firing. */
  triggered: string;
  /** The for_each labels of the bucket that fired (e.g. `prefect.resource.id`). */
  triggering_labels: Record<string, string>;
  triggering_firings: Firing[];
  triggering_event: StoredEvent | null;
  triggering_value: unknown;
}

/** One action of one firing, to run exactly once (Prefect's TriggeredAction). */
export interface TriggeredActionMessage {
  kind: "action";
  automation: Pick<LoadedAutomation, "id" | "name"> & { trigger_type: string; posture: string | null };
  firing: Firing;
  /** The `prefect.automation.triggered` event the firing emitted (actions follow it). */
  automation_triggered_event_id: string;
  /** `actions` or `actions_on_trigger` (the latter run with the automation.triggered event as triggering event). */
  source: "actions" | "actions_on_trigger";
  /**
   * The event this action runs for when it is not the firing's triggering event: for
   * `actions_on_trigger`, the `prefect.automation.triggered` event itself. Absent: the firing's.
   */
  triggering_event?: StoredEvent | null;
  action: Record<string, any>;
  /** Index in `actions` followed by `actions_on_trigger` (Prefect numbers the two lists as one). */
  action_index: number;
  /** This invocation's id: the idempotency record's key with automation id and action index. */
  invocation: string;
  /** Its events travel as ids only (too large for a queue message): the consumer reads them back. */
  events_by_reference?: true;
  /** ISO time the firing happened (Prefect's TriggeredAction.triggered). */
  triggered: string;
}

/** A Prefect 2.x notification policy matched a flow run's state change: send its message. */
export interface NotificationPolicyMessage {
  kind: "notification-policy";
  policy_id: string;
  flow_run_id: string;
  /** The state event that matched (`prefect.flow-run.<State>`). */
  event: StoredEvent;
  events_by_reference?: true;
}

export type AutomationMessage = TriggeredActionMessage | NotificationPolicyMessage;
