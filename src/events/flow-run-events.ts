import { millis } from "../lib/time";
import type { ServerEvent } from "../db/queries/event-outbox";

/**
 * `prefect.flow-run.<state name>`, the event Prefect's server emits for every accepted flow-run
 * state change, built from rows the orchestration already holds. Recorded once the state change
 * has committed (recordEvents / emitEvents).
 */

interface Named {
  id: string;
  name: string;
  tags?: string[] | null;
}

export interface EventState {
  id: string;
  type: string;
  name: string | null;
  timestamp: string;
  message?: string | null;
  state_details?: { pause_reschedule?: boolean | null } | null;
}

export interface FlowRunStateChange {
  occurred: string;
  flowRun: Named & { run_count: number; created_by?: { id?: string | null; type?: string | null; display_value?: string | null } | null };
  flow?: Named | null;
  deployment?: Named | null;
  workQueue?: Named | null;
  workPool?: (Named & { type: string }) | null;
  /** The subflow's wrapper task run in its parent (flow_run.parent_task_run_id). */
  parentTaskRun?: Named | null;
  initialState: EventState | null;
  validatedState: EventState;
}

const MESSAGE_LIMIT = 100_000;
const TIGHT_TIMING_MS = 5 * 60 * 1000;

/** Long messages keep their two ends, as Prefect's `truncated_to`. */
function truncated(value: string | null | undefined, length = MESSAGE_LIMIT): string {
  if (!value) return "";
  if (value.length <= length) return value;
  const half = Math.floor(length / 2);
  const omitted = value.length - 2 * half;
  return `${value.slice(0, half)}...${omitted} additional characters...${value.slice(-half)}`;
}

/** Python's `datetime.isoformat()` of a UTC time: `+00:00`, and no fraction when it is zero. */
function pythonIso(iso: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?/.exec(iso)!;
  const frac = (m[2] ?? "").padEnd(6, "0").slice(0, 6);
  return `${m[1]}${/^0*$/.test(frac) ? "" : `.${frac}`}+00:00`;
}

export function statePayload(state: EventState | null): Record<string, string> | null {
  if (!state) return null;
  const out: Record<string, string> = { type: state.type };
  if (state.name) out.name = state.name;
  if (state.message) out.message = truncated(state.message);
  if (state.type === "PAUSED") out.pause_reschedule = String(state.state_details?.pause_reschedule ?? false);
  return out;
}

function relatedResources(c: FlowRunStateChange): Record<string, string>[] {
  const related: Record<string, string>[] = [];
  const tags = new Set<string>(c.flowRun.tags ?? []);
  const kinds: [string, Named | null | undefined][] = [
    ["flow", c.flow],
    ["deployment", c.deployment],
    ["work-queue", c.workQueue],
    ["work-pool", c.workPool],
    ["task-run", c.parentTaskRun],
  ];
  for (const [kind, data] of kinds) {
    if (!data) continue;
    if (kind !== "work-queue" && kind !== "work-pool") for (const t of data.tags ?? []) tags.add(t);
    const r: Record<string, string> = {
      "prefect.resource.id": `prefect.${kind}.${data.id}`,
      "prefect.resource.role": kind,
      "prefect.resource.name": data.name,
    };
    if (kind === "work-pool") r["prefect.work-pool.type"] = (data as Named & { type: string }).type;
    related.push(r);
  }
  for (const tag of [...tags].sort()) related.push({ "prefect.resource.id": `prefect.tag.${tag}`, "prefect.resource.role": "tag" });
  const creator = c.flowRun.created_by;
  const creatorKind = creator?.type === "DEPLOYMENT" ? "deployment" : creator?.type === "AUTOMATION" ? "automation" : null;
  if (creator && creatorKind) {
    const r: Record<string, string> = { "prefect.resource.id": `prefect.${creatorKind}.${creator.id}`, "prefect.resource.role": "creator" };
    if (creator.display_value) r["prefect.resource.name"] = creator.display_value;
    related.push(r);
  }
  return related;
}

export function flowRunStateChangeEvent(c: FlowRunStateChange): ServerEvent {
  const { validatedState: to, initialState: from } = c;
  // `follows` only links state changes close in time, to order near-simultaneous events.
  const tight = from?.timestamp ? Math.abs(millis(c.occurred) - millis(from.timestamp)) < TIGHT_TIMING_MS : false;
  return {
    // The state's id doubles as the event's id, which orders state-change events.
    id: to.id,
    occurred: c.occurred,
    event: `prefect.flow-run.${to.name}`,
    resource: {
      "prefect.resource.id": `prefect.flow-run.${c.flowRun.id}`,
      "prefect.resource.name": c.flowRun.name,
      "prefect.run-count": String(c.flowRun.run_count),
      "prefect.state-message": truncated(to.message),
      "prefect.state-name": to.name ?? "",
      "prefect.state-timestamp": pythonIso(to.timestamp),
      "prefect.state-type": to.type,
    },
    related: relatedResources(c),
    payload: {
      intended: { from: from?.type ?? null, to: to.type },
      initial_state: statePayload(from),
      validated_state: statePayload(to),
    },
    follows: tight ? from!.id : null,
  };
}
