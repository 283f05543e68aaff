import { expectSuccess } from "./responses";
import { selectedOrInferred, target } from "./inference";
import type { ActionHandler } from "./types";

const setEnabled =
  (enabled: boolean): ActionHandler =>
  async (run) => {
    const id = selectedOrInferred(run, "automation_id", "automation", "automation");
    run.related.push(target(`prefect.automation.${id}`));
    expectSuccess(run, await run.api("PATCH", `/automations/${id}`, { enabled }));
  };

/** pause-automation / resume-automation: PATCH {enabled}. */
export const pauseAutomation = setEnabled(false);
export const resumeAutomation = setEnabled(true);
