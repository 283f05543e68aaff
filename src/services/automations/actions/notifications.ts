import { callWebhookBlock, notifyThroughBlock, type DeliveryOutcome } from "../../notifications";
import { renderTemplates } from "./render";
import { ActionFailed, type ActionHandler, type ActionRun } from "./types";

/** Prefect's default subject of send-notification. */
export const DEFAULT_SUBJECT = "Prefect automated notification";

function report(run: ActionRun, outcome: DeliveryOutcome): void {
  run.related.push(...outcome.related);
  Object.assign(run.details, outcome.details);
  if (!outcome.ok) throw new ActionFailed(outcome.reason ?? "Notification failed");
}

/** send-notification: subject and body rendered, sent through the notification block. */
export const sendNotification: ActionHandler = async (run) => {
  const [subject, body] = await renderTemplates(run, [run.action.subject ?? DEFAULT_SUBJECT, run.action.body ?? ""]);
  report(run, await notifyThroughBlock(run.env, run.action.block_document_id, { subject, body }));
};

/** call-webhook: the payload rendered, sent with the webhook block's method, URL and headers. */
export const callWebhook: ActionHandler = async (run) => {
  const payload = typeof run.action.payload === "string" ? run.action.payload : JSON.stringify(run.action.payload ?? "", null, 2);
  const [rendered] = await renderTemplates(run, [payload]);
  report(run, await callWebhookBlock(run.env, run.action.block_document_id, rendered));
};
