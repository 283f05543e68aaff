import { pyRepr, pyStrRepr } from "../../../lib/python";
import type { ApiAnswer } from "./api-client";
import { ActionFailed, type ActionRun } from "./types";

/** An answer of our own API that says nothing about the action (D1 or the platform failing): retried. */
export class RetryableAnswer extends Error {}

/** Prefect's reason_from_response: how an action words an answer it did not expect. */
export function reasonFromAnswer(actionType: string, answer: ApiAnswer): string {
  const type = pyStrRepr(actionType);
  if (answer.status !== 409 && answer.status !== 422) return `Unexpected status from ${type} action: ${answer.status}`;
  const raw = answer.body && typeof answer.body === "object" && !Array.isArray(answer.body) ? answer.body.detail : undefined;
  const detail = raw === undefined || raw === null || raw === "" ? null : typeof raw === "string" ? raw : pyRepr(raw);
  if (answer.status === 422 || detail) return `Validation error occurred for ${type}${detail ? ` - ${detail}` : ""}`;
  return `Conflict (409) occurred for ${type} - ${pyStrRepr(answer.text)}`;
}

/**
 * Records the answer's status for the action's event and fails the action on anything but
 * success, as Prefect's actions do — except a 5xx, which is retried (see README, automations).
 */
export function expectSuccess(run: ActionRun, answer: ApiAnswer): void {
  run.details.status_code = answer.status;
  if (answer.status < 300) return;
  const reason = reasonFromAnswer(run.action.type, answer);
  if (answer.status >= 500) throw new RetryableAnswer(reason);
  throw new ActionFailed(reason);
}
