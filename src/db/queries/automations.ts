import { and, eq, like, sql } from "drizzle-orm";
import { inList } from "../lists";
import type { Db } from "../client";
import { countWhere, selectPieces } from "../page";
import { mapPieces, type Pieces } from "../../lib/pieces";
import { readOne } from "../rows";
import { automation, automationRelatedResource } from "../schema";
import { automationWhere } from "../filters/automations";
import { namedResourceOrder } from "../sorts";
import { normalizeUuid, uuid4 } from "../../lib/ids";
import { isoNow } from "../../lib/time";
import { serverEventWrite, type EventSink } from "./event-outbox";
import type { Batch, Statement } from "../batch";
import type { Automation, AutomationSort } from "../../schemas/prefect.gen";

/** The fields every automation carries (AutomationCore), as stored. */
export interface AutomationCore {
  name: string;
  description: string;
  enabled: boolean;
  tags: string[];
  trigger: Record<string, any>;
  actions: Record<string, any>[];
  actions_on_trigger: Record<string, any>[];
  actions_on_resolve: Record<string, any>[];
}

/** The deployments an automation runs (RunDeployment with a selected deployment), as related resources. */
export function relatedDeploymentResources(core: Pick<AutomationCore, "actions">): string[] {
  const ids = core.actions.filter((a) => a.type === "run-deployment" && a.source === "selected" && a.deployment_id).map((a) => normalizeUuid(a.deployment_id));
  return [...new Set(ids)].map((id) => `prefect.deployment.${id}`);
}

type AutomationRow = typeof automation.$inferSelect;

export function toAutomation(row: AutomationRow): Automation {
  return {
    name: row.name,
    description: row.description,
    enabled: row.enabled,
    tags: row.tags,
    trigger: row.trigger,
    actions: row.actions,
    actions_on_trigger: row.actions_on_trigger,
    actions_on_resolve: row.actions_on_resolve,
    id: row.id,
    created: row.created,
    updated: row.updated,
  };
}

/** `prefect.automation.created` / `.updated` / `.deleted`, the automation as their payload. */
function lifecycleEvent(kind: "created" | "updated" | "deleted", a: Automation) {
  return {
    event: `prefect.automation.${kind}`,
    resource: { "prefect.resource.id": `prefect.automation.${a.id}`, "prefect.resource.name": a.name },
    payload: a as unknown as Record<string, unknown>,
  };
}

/** Relates an automation to a resource; owning is sticky (an owned relation stays owned). */
function relate(db: Db, automationId: string, resourceId: string, owned: boolean, now: string): Statement {
  return db
    .insert(automationRelatedResource)
    .values({ id: uuid4(), created: now, updated: now, automation_id: automationId, resource_id: resourceId, automation_owned_by_resource: owned })
    .onConflictDoUpdate({
      target: [automationRelatedResource.automation_id, automationRelatedResource.resource_id],
      set: {
        automation_owned_by_resource: sql`(${automationRelatedResource.automation_owned_by_resource} OR ${owned ? 1 : 0})`,
        updated: now,
      },
    });
}

/** Re-derives the deployments an automation runs (owned relations are left alone). */
function syncRelatedResources(db: Db, automationId: string, core: Pick<AutomationCore, "actions"> | null, now: string): Statement[] {
  const out: Statement[] = [
    db
      .delete(automationRelatedResource)
      .where(
        and(
          eq(automationRelatedResource.automation_id, automationId),
          like(automationRelatedResource.resource_id, "prefect.deployment.%"),
          eq(automationRelatedResource.automation_owned_by_resource, false),
        ),
      ),
  ];
  if (core) for (const resource of relatedDeploymentResources(core)) out.push(relate(db, automationId, resource, false, now));
  return out;
}

async function run(db: Db, statements: Statement[]): Promise<unknown[]> {
  return db.batch(statements as Batch);
}

export async function createAutomation(db: Db, core: AutomationCore, ownerResource: string | null | undefined, sink: EventSink): Promise<Automation> {
  const now = isoNow();
  const row: AutomationRow = { id: uuid4(), created: now, updated: now, ...core };
  const created = toAutomation(row);
  const event = serverEventWrite(db, sink, [lifecycleEvent("created", created)]);
  await run(db, [
    db.insert(automation).values(row),
    ...syncRelatedResources(db, row.id, core, now),
    ...(ownerResource ? [relate(db, row.id, ownerResource, true, now)] : []),
    event.statement,
  ]);
  event.committed();
  return created;
}

export const readAutomation = (db: Db, id: string): Promise<Automation | undefined> => readOne(db, automation, eq(automation.id, id), toAutomation);

/** PUT: the fields sent replaced (trigger ids already fresh), related deployments re-derived from the actions. */
export async function replaceAutomation(db: Db, id: string, core: Partial<AutomationCore> & Pick<AutomationCore, "actions">, sink: EventSink): Promise<Automation | undefined> {
  const existing = await readAutomation(db, id);
  if (!existing) return undefined;
  const now = isoNow();
  const updated = { ...existing, ...core, updated: now } as Automation;
  const event = serverEventWrite(db, sink, [lifecycleEvent("updated", updated)]);
  await run(db, [
    db
      .update(automation)
      .set({ ...core, updated: now })
      .where(eq(automation.id, id)),
    ...syncRelatedResources(db, id, core, now),
    event.statement,
  ]);
  event.committed();
  return updated;
}

/** PATCH: only `enabled`. The caller has checked the result is a valid automation. */
export async function setAutomationEnabled(db: Db, existing: Automation, enabled: boolean, sink: EventSink): Promise<Automation> {
  const now = isoNow();
  const updated: Automation = { ...existing, enabled, updated: now };
  const event = serverEventWrite(db, sink, [lifecycleEvent("updated", updated)]);
  await run(db, [db.update(automation).set({ enabled, updated: now }).where(eq(automation.id, existing.id)), event.statement]);
  event.committed();
  return updated;
}

export async function deleteAutomation(db: Db, id: string, sink: EventSink): Promise<boolean> {
  const existing = await readAutomation(db, id);
  if (!existing) return false;
  const event = serverEventWrite(db, sink, [lifecycleEvent("deleted", existing)]);
  await run(db, [
    db.delete(automationRelatedResource).where(eq(automationRelatedResource.automation_id, id)),
    db.delete(automation).where(eq(automation.id, id)),
    event.statement,
  ]);
  event.committed();
  return true;
}

type Filter = Record<string, any> | null | undefined;

export async function filterAutomations(db: Db, filter: Filter, sort: AutomationSort, limit: number, offset: number): Promise<Pieces<Automation>> {
  const page = { where: automationWhere(filter), orderBy: namedResourceOrder(sort, automation), limit, offset };
  return mapPieces(await selectPieces(db, automation, page), (piece) => piece.map(toAutomation));
}

/** Prefect counts every automation (the endpoint takes no filter). */
export const countAutomations = (db: Db): Promise<number> => countWhere(db, automation, undefined);

function relatedQuery(db: Db, resourceId: string, ownedOnly: boolean) {
  return db
    .select({ automation })
    .from(automation)
    .innerJoin(automationRelatedResource, eq(automationRelatedResource.automation_id, automation.id))
    .where(
      and(
        eq(automationRelatedResource.resource_id, resourceId),
        ownedOnly ? eq(automationRelatedResource.automation_owned_by_resource, true) : undefined,
      ),
    )
    .orderBy(automationRelatedResource.created, sql`${automationRelatedResource}.rowid`);
}

export async function automationsRelatedTo(db: Db, resourceId: string): Promise<Automation[]> {
  return (await relatedQuery(db, resourceId, false)).map((r) => toAutomation(r.automation));
}

/**
 * Deletes the automations a resource owns that were created until now (those created later, e.g.
 * by a concurrent re-deploy, are kept), with their relations. No events, as Prefect.
 */
export async function deleteAutomationsOwnedBy(db: Db, resourceId: string): Promise<string[]> {
  const now = isoNow();
  const owned = (await relatedQuery(db, resourceId, true)).map((r) => r.automation).filter((a) => a.created <= now);
  const ids = owned.map((a) => a.id);
  if (!ids.length) return [];
  await run(db, [
    db.delete(automationRelatedResource).where(inList(automationRelatedResource.automation_id, ids)),
    db.delete(automation).where(inList(automation.id, ids)),
  ]);
  return ids;
}
