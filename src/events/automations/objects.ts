import type { Bindings } from "../../env";

/** The AutomationTriggers object of one automation (its stub: callers need not import the class). */
export function automationTriggersOf(env: Bindings, automationId: string) {
  return env.AUTOMATION_TRIGGERS.get(env.AUTOMATION_TRIGGERS.idFromName(`automation:${automationId}`));
}
