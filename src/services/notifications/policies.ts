/**
 * Sending a Prefect 2.x flow-run notification policy's message for one state change (what
 * Prefect 2.20's FlowRunNotifications service does with a queued notification).
 */
import type { Bindings } from "../../env";
import { d1Of, databaseOf } from "../../db/client";
import { readPolicyNotification } from "../../db/queries/notification-policies";
import { claimActionRun, finishActionRunStatement, releaseActionRun, type ActionRunKey } from "../../db/queries/automation-action-runs";
import { addSeconds, isoNow } from "../../lib/time";
import { BUSY_RETRY_SECONDS, CLAIM_LEASE_SECONDS, type Delivery } from "../automations/run-action";
import type { NotificationPolicyMessage } from "../../events/automations/contract";
import { pyFormat, PyText } from "../../lib/python";
import { uiUrlOf } from "../automations/template-context";
import { notifyThroughBlock } from "./index";
import type { DeliveryOutcome } from "./outcome";

export const POLICY_SUBJECT = "Prefect flow run notification";

export const DEFAULT_MESSAGE_TEMPLATE = `
Flow run {flow_name}/{flow_run_name} entered state \`{flow_run_state_name}\` at {flow_run_state_timestamp}.

Flow ID: {flow_id}
Flow run ID: {flow_run_id}
Flow run URL: {flow_run_url}
State message: {flow_run_state_message}
`;

const uuid = (id: string) => new PyText(id, `UUID('${id}')`);

/** A stored UTC timestamp as Prefect 2's pendulum DateTime prints it (str: ISO with `T`; repr). */
export function pendulumTime(iso: string): PyText {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?/.exec(iso);
  if (!m) return new PyText(iso, `'${iso}'`);
  const micro = Number((m[7] ?? "").padEnd(6, "0").slice(0, 6));
  const base = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  const str = `${base}${micro ? `.${String(micro).padStart(6, "0")}` : ""}+00:00`;
  const parts = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (micro) parts.push(micro);
  return new PyText(str, `DateTime(${parts.join(", ")}, tzinfo=Timezone('UTC'))`);
}

/** The template's values, as Prefect 2 passes them to `str.format` (Python 3.11's str() of each). */
export function policyMessageValues(row: NonNullable<Awaited<ReturnType<typeof readPolicyNotification>>>, flowRunUrl: string): Record<string, unknown> {
  const stateType = `StateType.${row.state_type}`;
  return {
    flow_run_notification_policy_id: uuid(row.policy_id),
    flow_id: uuid(row.flow_id),
    flow_name: row.flow_name,
    flow_run_url: flowRunUrl,
    flow_run_id: uuid(row.flow_run_id),
    flow_run_name: row.flow_run_name,
    flow_run_parameters: row.flow_run_parameters ?? {},
    flow_run_state_type: new PyText(stateType, stateType),
    flow_run_state_name: row.state_name,
    flow_run_state_timestamp: pendulumTime(row.state_timestamp),
    flow_run_state_message: row.state_message ?? null,
  };
}

/** Our UI's page of the run (Prefect 2 linked its own UI's; without a UI URL, its placeholder base). */
const flowRunUrl = (env: Bindings, id: string) => `${(uiUrlOf(env) ?? "http://ephemeral-prefect/api").replace(/\/$/, "")}/runs/flow-run/${id}`;

/**
 * Sends the policy's message through its block. Undefined when there is nothing to send: the
 * policy, run or state is gone (Prefect's queue row joins them), or the template does not format
 * (Prefect logs the error and drops the notification; so is it here).
 */
export async function sendPolicyNotification(env: Bindings, message: NotificationPolicyMessage): Promise<DeliveryOutcome | undefined> {
  const row = await readPolicyNotification(databaseOf(env), message.policy_id, message.event.id);
  if (!row || row.flow_run_id !== message.flow_run_id) return undefined;
  let body: string;
  try {
    body = pyFormat(row.message_template || DEFAULT_MESSAGE_TEMPLATE, policyMessageValues(row, flowRunUrl(env, row.flow_run_id)));
  } catch (err) {
    console.error(`notification policy ${row.policy_id}: its message template does not format`, err);
    return undefined;
  }
  const outcome = await notifyThroughBlock(env, row.block_document_id, { subject: POLICY_SUBJECT, body });
  if (!outcome.ok) console.error(`notification policy ${row.policy_id} on flow run ${row.flow_run_id}: ${outcome.reason}`, outcome.details);
  return outcome;
}

/** A policy's notification for one state shares the actions' idempotency records: (policy id, -1, state id). */
const keyOf = (m: NotificationPolicyMessage): ActionRunKey => ({ automation_id: m.policy_id, action_index: -1, invocation: m.event.id });

/**
 * The queue consumer's delivery of a policy message: sent once per (policy, state) however often
 * the message is delivered. A failed send is not retried (Prefect 2 logs it and moves on); an
 * error before the send gives the claim back and the message is retried.
 */
export async function deliverPolicyNotification(env: Bindings, message: NotificationPolicyMessage): Promise<Delivery> {
  const db = databaseOf(env);
  const key = keyOf(message);
  const now = isoNow();
  const claim = await claimActionRun(db, key, now, addSeconds(now, -CLAIM_LEASE_SECONDS));
  if (claim === "done") return { ack: true };
  if (claim === "busy") return { ack: false, delaySeconds: BUSY_RETRY_SECONDS };
  let outcome: DeliveryOutcome | undefined;
  try {
    outcome = await sendPolicyNotification(env, message);
  } catch (err) {
    await releaseActionRun(db, key, String(err).slice(0, 1000), isoNow());
    throw err;
  }
  await d1Of(db).batch([finishActionRunStatement(db, key, outcome && !outcome.ok ? "failed" : "executed", isoNow())]);
  return { ack: true };
}
