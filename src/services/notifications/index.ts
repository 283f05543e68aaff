/**
 * Delivery for the automations' send-notification and call-webhook actions and Prefect 2.x
 * notification policies: a block document loaded with its secrets, sent through with `fetch`.
 */
import type { Bindings } from "../../env";
import { pyStrRepr } from "../../lib/python";
import { loadBlock } from "./load-block";
import { sendAll, type OutboundRequest } from "./outbound";
import { appriseRequests } from "./apprise-services";
import { UnsupportedAppriseUrl } from "./apprise-urls";
import { customWebhookError, customWebhookRequest } from "./custom-webhook";
import { restrictedUrlError } from "./private-urls";
import { webhookOutcome } from "./webhook";
import { failed, type DeliveryOutcome } from "./outcome";

export type { DeliveryOutcome } from "./outcome";

/** How Prefect's action words a block read that failed (a 404 for a missing document). */
const missing = (actionType: string) => `Unexpected status from ${pyStrRepr(actionType)} action: 404`;

/** The requests a notify-capable block sends, or the invalid-block error Prefect raises on loading it. */
function notificationRequests(slug: string, data: Record<string, any>, subject: string, body: string): OutboundRequest[] | string {
  if (slug === "custom-webhook") return customWebhookError(data) ?? [customWebhookRequest(data, subject, body)];
  const requests = appriseRequests(slug, data, subject, body);
  return requests ?? `ValueError('no notification delivery for block type ${slug}')`;
}

/** Sends `{subject, body}` through a notification block (Prefect's SendNotification). */
export async function notifyThroughBlock(env: Bindings, blockDocumentId: string, message: { subject: string; body: string }): Promise<DeliveryOutcome> {
  const block = await loadBlock(env, blockDocumentId);
  if (!block) return failed(missing("send-notification"));
  if (!block.capabilities.includes("notify")) return failed("The referenced block was not a notification block");
  const data = block.document.data as Record<string, any>;
  let requests: OutboundRequest[] | string;
  try {
    requests = notificationRequests(block.slug, data, message.subject, message.body);
  } catch (err) {
    if (!(err instanceof UnsupportedAppriseUrl)) requests = `ValueError(${pyStrRepr(String((err as Error)?.message ?? err))})`;
    else return failed("Notification failed", block.related, { notification_log: err.message });
  }
  if (typeof requests === "string") return failed(`The notification block was invalid: ${requests}`);
  if (data.allow_private_urls === false) {
    const error = requests.map((r) => restrictedUrlError(r.url)).find(Boolean);
    if (error) return failed("Notification failed", block.related, { notification_log: error });
  }
  const sent = await sendAll(requests);
  if (sent.log.length) return failed("Notification failed", block.related, { notification_log: sent.log.join("\n") }, sent.statusCodes);
  return { ok: true, related: block.related, details: {}, status_codes: sent.statusCodes };
}

/** Calls a `webhook` block with the rendered payload as the body (Prefect's CallWebhook). */
export async function callWebhookBlock(env: Bindings, blockDocumentId: string, payload: string): Promise<DeliveryOutcome> {
  const block = await loadBlock(env, blockDocumentId);
  if (!block) return failed(missing("call-webhook"));
  if (block.slug !== "webhook") return failed("The referenced block was not a webhook block");
  return webhookOutcome(block.document.data as Record<string, any>, payload, block.related);
}
