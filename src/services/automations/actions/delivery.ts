import type { Bindings } from "../../../env";

/**
 * Delivery through notification and webhook blocks (the notifications part of the engine).
 * `related`: the block document (role `block`) and its block type (role `block-type`);
 * `details`: the event payload's extras (call-webhook: status_code, response_body, response_headers).
 */
export interface DeliveryOutcome {
  ok: boolean;
  reason?: string;
  related: Record<string, string>[];
  details: Record<string, unknown>;
}

const notYet = (): DeliveryOutcome => ({ ok: false, reason: "Notification delivery is not available on this server yet", related: [], details: {} });

export async function notifyThroughBlock(_env: Bindings, _blockDocumentId: string, _message: { subject: string; body: string }): Promise<DeliveryOutcome> {
  return notYet();
}

export async function callWebhookBlock(_env: Bindings, _blockDocumentId: string, _payload: string): Promise<DeliveryOutcome> {
  return notYet();
}
