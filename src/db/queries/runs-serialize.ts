import type { flowRun, taskRun } from "../schema";
import { toState } from "../../schemas/serialize";
import { isoNow, secondsBetween } from "../../lib/time";
import type { FlowRunResponse, FlowRunSlotSummary, TaskRun } from "../../schemas/prefect.gen";

export type FlowRunRow = typeof flowRun.$inferSelect;
export type TaskRunRow = typeof taskRun.$inferSelect;

const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCELLED", "CRASHED"]);

type Timed = Pick<FlowRunRow, "state_type" | "state_timestamp" | "total_run_time" | "start_time" | "expected_start_time">;

/** Run time so far: the stored total plus the current RUNNING stretch, as Prefect estimates it. */
export function estimatedRunTime(r: Timed, now = isoNow()): number {
  if (r.state_type === "RUNNING" && r.state_timestamp) return r.total_run_time + Math.max(0, secondsBetween(r.state_timestamp, now));
  return r.total_run_time;
}

/** How late the run started (or, not yet started and overdue, how late it is now). */
export function estimatedStartTimeDelta(r: Timed, now = isoNow()): number {
  if (r.start_time && r.expected_start_time && r.start_time > r.expected_start_time)
    return secondsBetween(r.expected_start_time, r.start_time);
  if (!r.start_time && r.expected_start_time && r.expected_start_time < now && !TERMINAL.has(r.state_type ?? ""))
    return secondsBetween(r.expected_start_time, now);
  return 0;
}

/** A run's times as answered, with Prefect's estimates of its run time and start delay. */
function runTimes(r: Timed & Pick<FlowRunRow, "next_scheduled_start_time" | "end_time">, now: string) {
  return {
    expected_start_time: r.expected_start_time,
    next_scheduled_start_time: r.next_scheduled_start_time,
    start_time: r.start_time,
    end_time: r.end_time,
    total_run_time: r.total_run_time,
    estimated_run_time: estimatedRunTime(r, now),
    estimated_start_time_delta: estimatedStartTimeDelta(r, now),
  };
}

const FLOW_RUN_POLICY_DEFAULTS = {
  max_retries: 0,
  retry_delay_seconds: 0.0,
  retries: null,
  retry_delay: null,
  pause_keys: [],
  resuming: false,
  retry_type: null,
};

const TASK_RUN_POLICY_DEFAULTS = {
  max_retries: 0,
  retry_delay_seconds: 0.0,
  retries: 0,
  retry_delay: 0,
  retry_jitter_factor: null,
};

/** Maps a list of rows with one `now` for all (their estimated times agree). */
export const allAtNow =
  <Row, Out>(map: (row: Row, now: string) => Out) =>
  (rows: Row[]): Out[] => {
    const now = isoNow();
    return rows.map((r) => map(r, now));
  };

/** A flow-run row as Prefect answers it (FlowRunResponse), every field present. */
export function toFlowRunResponse(r: FlowRunRow, now = isoNow()): FlowRunResponse {
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    name: r.name,
    flow_id: r.flow_id,
    state_id: r.state_id,
    deployment_id: r.deployment_id,
    deployment_version: r.deployment_version,
    work_queue_id: r.work_queue_id,
    work_queue_name: r.work_queue_name,
    flow_version: r.flow_version,
    parameters: r.parameters,
    idempotency_key: r.idempotency_key,
    context: r.context,
    empirical_policy: { ...FLOW_RUN_POLICY_DEFAULTS, ...r.empirical_policy },
    tags: r.tags,
    labels: r.labels,
    parent_task_run_id: r.parent_task_run_id,
    state_type: r.state_type as FlowRunResponse["state_type"],
    state_name: r.state_name,
    run_count: r.run_count,
    ...runTimes(r, now),
    auto_scheduled: r.auto_scheduled,
    infrastructure_document_id: r.infrastructure_document_id,
    infrastructure_pid: r.infrastructure_pid,
    created_by: r.created_by ?? null,
    work_pool_id: r.work_pool_id,
    work_pool_name: r.work_pool_name,
    state: r.state ? toState(r.state) : null,
    job_variables: r.job_variables ?? {},
  };
}

/** A task-run row as Prefect answers it (TaskRun), every field present. */
export function toTaskRun(r: TaskRunRow, now = isoNow()): TaskRun {
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    name: r.name,
    flow_run_id: r.flow_run_id,
    task_key: r.task_key,
    dynamic_key: r.dynamic_key,
    cache_key: r.cache_key,
    cache_expiration: r.cache_expiration,
    task_version: r.task_version,
    empirical_policy: { ...TASK_RUN_POLICY_DEFAULTS, ...r.empirical_policy },
    tags: r.tags,
    labels: r.labels,
    state_id: r.state_id,
    task_inputs: r.task_inputs,
    state_type: r.state_type as TaskRun["state_type"],
    state_name: r.state_name,
    run_count: r.run_count,
    flow_run_run_count: r.flow_run_run_count,
    ...runTimes(r, now),
    state: r.state ? toState(r.state) : null,
  } as TaskRun;
}

/** A run holding a work-queue or work-pool slot, as the concurrency_status routes list it. */
export function toFlowRunSlotSummary(
  run: Pick<FlowRunRow, "id" | "name" | "state_type" | "state_name" | "start_time" | "state_timestamp">,
  now: string,
): FlowRunSlotSummary {
  return {
    id: run.id,
    name: run.name,
    state_type: run.state_type as FlowRunSlotSummary["state_type"],
    state_name: run.state_name,
    start_time: run.start_time,
    state_timestamp: run.state_timestamp,
    time_in_current_state: run.state_timestamp ? secondsBetween(run.state_timestamp, now) : null,
  };
}
