import {
  Automation as LibraryAutomation,
  type AutomationAction,
  type AutomationActionResponse,
  type AutomationResponse as LibraryAutomationResponse,
  type AutomationTrigger,
  type AutomationTriggerResponse,
  type IAutomation as LibraryIAutomation,
} from "@prefecthq/prefect-ui-library";

/** An automation as the API answers it (the library's own type leaves out trigger and actions). */
export type AutomationResponse = LibraryAutomationResponse & {
  trigger: AutomationTriggerResponse;
  actions: AutomationActionResponse[];
  actions_on_trigger?: AutomationActionResponse[];
  actions_on_resolve?: AutomationActionResponse[];
  tags?: string[];
};

/** The body of POST /automations/ and PUT /automations/{id}. */
export type AutomationRequest = {
  name: string;
  description: string;
  enabled: boolean;
  trigger: AutomationTriggerResponse;
  actions: AutomationActionResponse[];
  actions_on_trigger?: AutomationActionResponse[];
  actions_on_resolve?: AutomationActionResponse[];
  tags?: string[];
};

/** Fields of an automation the pages don't edit, sent back unchanged when it is saved. */
export type AutomationKeptFields = Pick<AutomationRequest, "actions_on_trigger" | "actions_on_resolve" | "tags">;

export interface IAutomation extends LibraryIAutomation {
  trigger: AutomationTrigger;
  actions: AutomationAction[];
  kept?: AutomationKeptFields;
}

/** The library's automation (what its toggle and menu take) with the trigger and actions the pages describe. */
export class Automation extends LibraryAutomation {
  public trigger: AutomationTrigger;
  public actions: AutomationAction[];
  public kept: AutomationKeptFields;

  public constructor(automation: IAutomation) {
    super(automation);
    this.trigger = automation.trigger;
    this.actions = automation.actions;
    this.kept = automation.kept ?? {};
  }
}

/** What the wizard edits: everything may still be missing until its step is done. */
export type AutomationDraft = {
  name?: string;
  description?: string;
  enabled?: boolean;
  trigger?: AutomationTrigger;
  actions?: AutomationAction[];
  kept?: AutomationKeptFields;
};

/** The fields of a finished draft the API needs. */
export type AutomationFields = Required<Pick<AutomationDraft, "name" | "trigger" | "actions">> & AutomationDraft;

export function isFinishedDraft(draft: AutomationDraft): draft is AutomationFields {
  return Boolean(draft.name && draft.trigger && draft.actions?.length);
}
