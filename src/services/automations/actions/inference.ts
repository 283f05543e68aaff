import type { StoredEvent } from "../../../db/queries/events";
import { ActionFailed, type ActionRun } from "./types";

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function canonical(id: string): string {
  const hex = id.replaceAll("-", "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The UUID of a resource id `<kind>.<uuid>` of the expected kind, else null. */
export function idOfResource(resourceId: string, kind: string): string | null {
  const dot = resourceId.lastIndexOf(".");
  if (dot < 0 || resourceId.slice(0, dot) !== kind) return null;
  const id = resourceId.slice(dot + 1);
  return UUID.test(id) ? canonical(id) : null;
}

/** The event's first resource (its own, then its related ones) of this kind, when its id is a UUID. */
export function firstResourceOfKind(event: StoredEvent, kind: string): Record<string, string> | null {
  for (const resource of [event.resource, ...(event.related ?? [])]) {
    const id = resource["prefect.resource.id"] ?? "";
    const dot = id.lastIndexOf(".");
    if (dot >= 0 && id.slice(0, dot) === kind) return resource;
  }
  return null;
}

/** The id of the event's first resource of this kind, when it is a UUID. */
export function idOfFirstResourceOfKind(event: StoredEvent, kind: string): string | null {
  const resource = firstResourceOfKind(event, kind);
  return resource ? idOfResource(resource["prefect.resource.id"] ?? "", kind) : null;
}

/**
 * The target of an action with `source` selected (its `<idField>`) or inferred (the triggering
 * event's first `prefect.<kind>.<uuid>`), failing with Prefect's reasons.
 */
export function selectedOrInferred(run: ActionRun, idField: string, kind: string, noun: string): string {
  if ((run.action.source ?? "selected") === "selected") return String(run.action[idField]);
  const event = run.triggeringEvent;
  if (!event) throw new ActionFailed(`No event to infer the ${noun}`);
  const id = idOfFirstResourceOfKind(event, `prefect.${kind}`);
  if (!id) throw new ActionFailed(`No ${noun} could be inferred`);
  return id;
}

/** The flow run an action acts on: the firing's `prefect.resource.id` label (for_each), else the event's first flow run. */
export function flowRunTarget(run: ActionRun): string {
  const labelled = run.message.firing.triggering_labels?.["prefect.resource.id"];
  if (labelled) {
    const id = idOfResource(labelled, "prefect.flow-run");
    if (id) return id;
  }
  const event = run.triggeringEvent;
  const id = event ? idOfFirstResourceOfKind(event, "prefect.flow-run") : null;
  if (!id) throw new ActionFailed("No flow run could be inferred");
  return id;
}

export const target = (resourceId: string, name?: string): Record<string, string> => ({
  "prefect.resource.id": resourceId,
  "prefect.resource.role": "target",
  ...(name !== undefined ? { "prefect.resource.name": name } : {}),
});
