import { apiVersionAtLeast, type Context, type FlowContext, type TaskContext } from "./context";
import { nullified, type Transform } from "./engine";
import { freshCopy, isFinal } from "./states";
import { secondsBetween, toIsoOrNull } from "../lib/time";

/**
 * Bookkeeping that runs on every transition that writes a state, forced or not: the run's
 * denormalized state fields, its timings and counters, and the state's links to its run.
 */

type T = Transform<Context>;
const each = (name: string, before: (ctx: Context) => void): T => ({
  name,
  universal: true,
  before(ctx) {
    if (!nullified(ctx)) before(ctx);
  },
});

/**
 * One microsecond after the current state at least: a run's states never share a timestamp.
 * Stricter than Prefect's (which moves only an exact collision): our states are always stamped
 * by the server, so this only orders states minted within the same clock tick, for tasks too.
 */
export const EnsureStateTimestampIsUnique = each("EnsureFlowRunStateTimestampIsUnique", (ctx) => {
  const initial = ctx.initialState;
  const proposed = ctx.proposedState!;
  if (initial && proposed.timestamp <= initial.timestamp) proposed.timestamp = nextMicrosecond(initial.timestamp);
});

export function nextMicrosecond(iso: string): string {
  const m = /^(.*\.)(\d{6})Z$/.exec(iso);
  if (!m) return iso;
  const micros = Number(m[2]) + 1;
  if (micros < 1_000_000) return `${m[1]}${String(micros).padStart(6, "0")}Z`;
  const next = new Date(Date.parse(iso) + 1000).toISOString().slice(0, 19);
  return `${next}.000000Z`;
}

export const SetRunStateType = each("SetRunStateType", (ctx) => {
  ctx.run.state_type = ctx.proposedState!.type;
});

export const SetRunStateName = each("SetRunStateName", (ctx) => {
  ctx.run.state_name = ctx.proposedState!.name;
});

export const SetRunStateTimestamp = each("SetRunStateTimestamp", (ctx) => {
  ctx.run.state_timestamp = ctx.proposedState!.timestamp;
});

export const SetStartTime = each("SetStartTime", (ctx) => {
  const p = ctx.proposedState!;
  if (p.type === "RUNNING" && !ctx.run.start_time) ctx.run.start_time = p.timestamp;
});

export const SetEndTime = each("SetEndTime", (ctx) => {
  const p = ctx.proposedState!;
  if (isFinal(ctx.initialState) && !isFinal(p)) ctx.run.end_time = null;
  if (isFinal(p) && !ctx.run.end_time) {
    if (!ctx.run.start_time) ctx.run.start_time = p.timestamp;
    ctx.run.end_time = p.timestamp;
  }
});

export const IncrementRunTime = each("IncrementRunTime", (ctx) => {
  const initial = ctx.initialState;
  if (initial?.type === "RUNNING") ctx.run.total_run_time += secondsBetween(initial.timestamp, ctx.proposedState!.timestamp);
});

export const SetExpectedStartTime = each("SetExpectedStartTime", (ctx) => {
  const p = ctx.proposedState!;
  if (!ctx.run.expected_start_time)
    ctx.run.expected_start_time = p.type === "SCHEDULED" ? toIsoOrNull(p.state_details.scheduled_time) : p.timestamp;
});

export const SetNextScheduledStartTime = each("SetNextScheduledStartTime", (ctx) => {
  const p = ctx.proposedState!;
  if (ctx.initialState?.type === "SCHEDULED") ctx.run.next_scheduled_start_time = null;
  // Columns hold UTC text (compared as text); a sent scheduled_time may carry another offset.
  if (p.type === "SCHEDULED") ctx.run.next_scheduled_start_time = toIsoOrNull(p.state_details.scheduled_time);
});

export const UpdateStateDetails = each("UpdateStateDetails", (ctx) => {
  const d = ctx.proposedState!.state_details;
  if (ctx.kind === "flow") {
    d.flow_run_id = ctx.run.id;
  } else {
    d.flow_run_id = ctx.run.flow_run_id;
    d.task_run_id = ctx.run.id;
  }
});

/** A subflow's states point at the task run that wraps it in the parent flow run. */
export const UpdateSubflowStateDetails: Transform<FlowContext> = {
  name: "UpdateSubflowStateDetails",
  universal: true,
  before(ctx) {
    if (!nullified(ctx) && ctx.run.parent_task_run_id) ctx.proposedState!.state_details.task_run_id = ctx.run.parent_task_run_id;
  },
};

/** The wrapper task run follows its subflow: it gets a copy of each new state, forced. */
export const UpdateSubflowParentTask: Transform<FlowContext> = {
  name: "UpdateSubflowParentTask",
  universal: true,
  after(ctx) {
    if (nullified(ctx) || !ctx.run.parent_task_run_id || !ctx.validatedState) return;
    const copy = freshCopy(ctx.validatedState, ctx.validatedState.timestamp);
    copy.state_details.child_flow_run_id = ctx.run.id;
    ctx.effects.parentTaskState = copy;
  },
};

export const IncrementFlowRunCount: Transform<FlowContext> = {
  name: "IncrementFlowRunCount",
  universal: true,
  before(ctx) {
    if (nullified(ctx) || ctx.proposedState!.type !== "RUNNING") return;
    // Resuming a paused run continues the same attempt.
    if (apiVersionAtLeast(ctx.parameters.apiVersion, "0.8.4") && ctx.run.empirical_policy.resuming) return;
    ctx.run.run_count += 1;
  },
};

export const RemoveResumingIndicator: Transform<FlowContext> = {
  name: "RemoveResumingIndicator",
  universal: true,
  before(ctx) {
    if (nullified(ctx) || !apiVersionAtLeast(ctx.parameters.apiVersion, "0.8.4")) return;
    const p = ctx.proposedState!;
    if ((p.type === "RUNNING" || isFinal(p)) && ctx.run.empirical_policy.resuming)
      ctx.run.empirical_policy = { ...ctx.run.empirical_policy, resuming: false };
  },
};

export const IncrementTaskRunCount: Transform<TaskContext> = {
  name: "IncrementTaskRunCount",
  universal: true,
  before(ctx) {
    if (!nullified(ctx) && ctx.proposedState!.type === "RUNNING") ctx.run.run_count += 1;
  },
};

const COMMON = [
  SetRunStateType,
  SetRunStateName,
  SetRunStateTimestamp,
  SetStartTime,
  SetEndTime,
  IncrementRunTime,
  SetExpectedStartTime,
  SetNextScheduledStartTime,
  UpdateStateDetails,
];

export const GlobalFlowPolicy: readonly Transform<FlowContext>[] = [
  EnsureStateTimestampIsUnique,
  ...COMMON,
  UpdateSubflowParentTask,
  UpdateSubflowStateDetails,
  IncrementFlowRunCount,
  RemoveResumingIndicator,
];

export const GlobalTaskPolicy: readonly Transform<TaskContext>[] = [EnsureStateTimestampIsUnique, ...COMMON, IncrementTaskRunCount];
