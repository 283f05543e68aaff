import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../../env";
import type { StoredEvent } from "../../db/queries/events";
import type { LoadedAutomation } from "./contract";

/**
 * One automation's trigger state (Prefect's automation_bucket and composite_trigger_child_firing
 * rows), in this object's SQLite storage: buckets per trigger and for_each key, counts, windows,
 * composite child firings; proactive windows end by the object's alarm. Named `automation:<id>`.
 */
export class AutomationTriggers extends DurableObject<Bindings> {
  /** Evaluates `events` (in arrival order) against `automation`'s triggers; firings enqueue actions. */
  async evaluate(_automation: LoadedAutomation, _events: StoredEvent[]): Promise<void> {}

  /** Forgets all trigger state (the automation was updated, disabled or deleted). */
  async reset(): Promise<void> {}
}

export function automationTriggersOf(env: Bindings, automationId: string) {
  return env.AUTOMATION_TRIGGERS.get(env.AUTOMATION_TRIGGERS.idFromName(`automation:${automationId}`));
}
