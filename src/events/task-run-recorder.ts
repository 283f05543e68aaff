import { z } from "@hono/zod-openapi";
import type { Db } from "../db/client";
import type { StoredEvent } from "../db/queries/events";
import type { Statement } from "../db/batch";
import { recordTaskRunStatements, type RecordedTaskRun, type TaskRunColumns } from "../db/queries/task-run-recorder";
import { completeStateDetails } from "../schemas/serialize";
import { State, TaskRun } from "../schemas/prefect.gen";
import { UUID_RE } from "../schemas/primitives";
import { normalizeUuid } from "../lib/ids";
import { toIso } from "../lib/time";

/**
 * The task-run recorder, after Prefect's: the SDK reports task runs only through
 * `prefect.task-run.*` events, and the server materializes each run (upserted from
 * `payload.task_run`) and its state history (one state per event, the state's id being the
 * event's id and its timestamp the event's `occurred`). A run's current state only moves to a
 * newer state, so events arriving out of order leave the latest one current.
 */

/** The fields of `payload.task_run` the recorder takes, validated as Prefect's TaskRun does. */
const TaskRunPayload = TaskRun.omit({
  created: true,
  updated: true,
  state: true,
  state_id: true,
  state_type: true,
  state_name: true,
  estimated_run_time: true,
  estimated_start_time_delta: true,
});

const COLUMNS = Object.keys(TaskRunPayload.shape) as (keyof z.infer<typeof TaskRunPayload>)[];
const TIME_COLUMNS = new Set(["cache_expiration", "expected_start_time", "next_scheduled_start_time", "start_time", "end_time"]);

export function isRecordable(e: StoredEvent): boolean {
  return e.event.startsWith("prefect.task-run") && e.resource["prefect.orchestration"] === "client";
}

/** The UUID at the end of `<kind>.<uuid>`, or null when the resource is not of that kind. */
function objectId(resourceId: string | undefined, kind: string): string | null {
  if (!resourceId?.startsWith(`${kind}.`)) return null;
  const rest = resourceId.slice(kind.length + 1);
  return UUID_RE.test(rest) ? normalizeUuid(rest) : null;
}

function defaultStateName(type: string): string {
  return type
    .split("_")
    .map((w) => w.charAt(0) + w.slice(1).toLowerCase())
    .join(" ");
}

/** The run and state an event records, or null when it is not a well-formed task-run event. */
export function taskRunFromEvent(e: StoredEvent): RecordedTaskRun | null {
  const taskRunId = objectId(e.resource["prefect.resource.id"], "prefect.task-run");
  if (!taskRunId) return null;
  // The first related resource in the flow-run role, as Prefect's `resource_in_role`.
  const flowRunResource = e.related.find((r) => r["prefect.resource.role"] === "flow-run");
  let flowRunId: string | null = null;
  if (flowRunResource) {
    flowRunId = objectId(flowRunResource["prefect.resource.id"], "prefect.flow-run");
    if (!flowRunId) return null;
  }
  const { validated_state, task_run } = e.payload ?? {};
  if (!validated_state || typeof validated_state !== "object" || !task_run || typeof task_run !== "object") return null;

  const state = State.safeParse({ id: e.id, timestamp: e.occurred, ...validated_state });
  if (!state.success) return null;
  const raw: Record<string, unknown> = { id: taskRunId, flow_run_id: flowRunId, ...task_run };
  const run = TaskRunPayload.safeParse(raw);
  if (!run.success) return null;

  // Only the fields the event carries are written (Prefect's exclude_unset): a Running event
  // without `end_time` must not clear one a later event already stored.
  const columns: TaskRunColumns = {};
  for (const key of COLUMNS) {
    if (!Object.hasOwn(raw, key)) continue;
    let value: any = run.data[key];
    if (value === undefined) continue;
    if (key === "id" || key === "flow_run_id") value = value === null ? null : normalizeUuid(value);
    else if (TIME_COLUMNS.has(key) && value !== null) value = toIso(value);
    else if (key === "labels" && value === null) value = {};
    (columns as any)[key] = value;
  }
  const runId = columns.id!;
  const s = state.data;
  const recorded = {
    id: normalizeUuid(s.id),
    type: s.type,
    name: s.name ?? defaultStateName(s.type),
    timestamp: toIso(s.timestamp ?? e.occurred),
    message: s.message ?? null,
    data: s.data ?? null,
    state_details: completeStateDetails({ ...s.state_details, task_run_id: runId, flow_run_id: columns.flow_run_id ?? null }),
  };
  return { columns, state: recorded };
}

/** Statements recording every recordable event, in order; malformed ones are skipped as Prefect drops them. */
export function recorderStatements(db: Db, events: StoredEvent[], now: string): Statement[] {
  const records = events.filter(isRecordable).map(taskRunFromEvent);
  return recordTaskRunStatements(
    db,
    records.filter((r): r is RecordedTaskRun => r !== null),
    now,
  );
}
