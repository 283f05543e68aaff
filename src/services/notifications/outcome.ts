import type { RelatedResource } from "./load-block";

/**
 * What an action reports: `related` (the block document, role `block`, and its block type, role
 * `block-type`) for its resulting related resources; `details` for its event's payload
 * (call-webhook: status_code, response_body, response_headers; a failed notification:
 * notification_log); `reason` when it failed (→ action.failed).
 */
export interface DeliveryOutcome {
  ok: boolean;
  reason?: string;
  related: RelatedResource[];
  details: Record<string, unknown>;
  /** The HTTP status of each request sent (a notification may send one per recipient). */
  status_codes: number[];
}

export const failed = (reason: string, related: RelatedResource[] = [], details: Record<string, unknown> = {}, status_codes: number[] = []): DeliveryOutcome => ({
  ok: false,
  reason,
  related,
  details,
  status_codes,
});

