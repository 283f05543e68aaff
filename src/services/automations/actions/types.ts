import type { Bindings } from "../../../env";
import type { StoredEvent } from "../../../db/queries/events";
import type { TriggeredActionMessage } from "../../../events/automations/contract";
import type { AutomationApi, InternalApi } from "./api-client";

/** Prefect's ActionFailed: an expected failure, reported as `prefect.automation.action.failed` and not retried. */
export class ActionFailed extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export type RelatedResource = Record<string, string>;

/** One triggered action as it runs: its inputs, and what it reports for its events. */
export interface ActionRun {
  env: Bindings;
  message: TriggeredActionMessage;
  /** The action's stored JSON (`type` and its fields). */
  action: Record<string, any>;
  /** The event the action runs for (the firing's, or the automation.triggered event for actions_on_trigger). */
  triggeringEvent: StoredEvent | null;
  /** The server's own API, called as the automation (Prefect-Automation-ID / -Name headers). */
  api: AutomationApi;
  /** The server's own API as it is (what the template context reads through). */
  fetchApi: InternalApi;
  /** Resources the action acted on or made (`target`, `flow-run`, `block`, `block-type`), related on its events. */
  related: RelatedResource[];
  /** Extra payload of the executed/failed event (status_code, response_body, template_error, …). */
  details: Record<string, unknown>;
}

/** An action kind: does its work, or throws ActionFailed (reported) or anything else (retried). */
export type ActionHandler = (run: ActionRun) => Promise<void>;
