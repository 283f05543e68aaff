import { mapper, stringify, type AutomationTrigger, type AutomationTriggerResponse } from "@prefecthq/prefect-ui-library";

/** A trigger as the API's JSON (what the wizard's JSON mode shows), "" for none. */
export function triggerToJson(trigger: AutomationTrigger | undefined): string {
  return trigger ? stringify(mapper.map("AutomationTrigger", trigger, "AutomationTriggerRequest")) : "";
}

/** The trigger in the API's JSON; throws when triggerJsonError finds a fault. */
export function parseTriggerJson(json: string): AutomationTrigger {
  return mapper.map("AutomationTriggerResponse", JSON.parse(json) as AutomationTriggerResponse, "AutomationTrigger");
}

/** Why a text is not a trigger the UI can read, or null when it is one. */
export function triggerJsonError(json: string | undefined): string | null {
  if (!json?.trim()) return "A trigger is required";
  try {
    JSON.parse(json);
  } catch {
    return "The trigger must be valid JSON";
  }
  try {
    parseTriggerJson(json);
  } catch {
    return 'Not a trigger: "type" must be "event" (with a "posture" of "Reactive" or "Proactive"), "compound" or "sequence"';
  }
  return null;
}
