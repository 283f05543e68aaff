import type { Bindings } from "../../env";
import type { Db } from "../../db/client";
import * as automations from "../../db/queries/automations";
import type { AutomationCore } from "../../db/queries/automations";
import type { Automation } from "../../schemas/prefect.gen";
import { serverEvents } from "../../events/outbox";
import { automationsChanged } from "../../events/automations/router";

/**
 * Automation writes, each followed by what the engine must know (src/events/automations/router.ts):
 * the router's index is reloaded for the very next event, and the AutomationTriggers state of an
 * automation that changed is forgotten.
 *
 * When state is forgotten, learnt from Prefect 3.8.3: a deleted automation's buckets and composite
 * child firings are deleted with it (also when deleted as owned by a resource); a PUT gives the
 * triggers new ids, so the old buckets no longer count for anything. A PATCH keeps the trigger
 * ids, and Prefect keeps the buckets of a disabled automation until they expire (60 s after their
 * window ends) — but its proactive evaluation skips disabled automations, whereas our object's
 * alarm would still fire; so disabling forgets the state too (re-enabled, it starts afresh).
 * Enabling forgets nothing.
 */

export async function createAutomation(env: Bindings, db: Db, core: AutomationCore, ownerResource: string | null | undefined): Promise<Automation> {
  const created = await automations.createAutomation(db, core, ownerResource, serverEvents(env));
  await automationsChanged(env, { live: [created] });
  return created;
}

/** PUT: false when there is no such automation. */
export async function replaceAutomation(env: Bindings, db: Db, id: string, core: Partial<AutomationCore> & Pick<AutomationCore, "actions">): Promise<boolean> {
  const replaced = await automations.replaceAutomation(db, id, core, serverEvents(env));
  if (replaced) await automationsChanged(env, { reset: [id], live: [replaced] });
  return !!replaced;
}

/** PATCH `enabled`. */
export async function setAutomationEnabled(env: Bindings, db: Db, existing: Automation, enabled: boolean): Promise<Automation> {
  const updated = await automations.setAutomationEnabled(db, existing, enabled, serverEvents(env));
  await automationsChanged(env, enabled ? { live: [updated] } : { reset: [existing.id] });
  return updated;
}

export async function deleteAutomation(env: Bindings, db: Db, id: string): Promise<boolean> {
  const deleted = await automations.deleteAutomation(db, id, serverEvents(env));
  if (deleted) await automationsChanged(env, { reset: [id] });
  return deleted;
}

/** The automations `resourceId` owns (e.g. a deployment's triggers, before it re-creates them). */
export async function deleteAutomationsOwnedBy(env: Bindings, db: Db, resourceId: string): Promise<string[]> {
  const ids = await automations.deleteAutomationsOwnedBy(db, resourceId);
  if (ids.length) await automationsChanged(env, { reset: ids });
  return ids;
}
