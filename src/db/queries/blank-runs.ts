import type { FlowRunRow, TaskRunRow } from "./runs-serialize";

/*
 * A run row before its first state, with the columns' defaults: what creating a run starts from
 * (services/flow-run-create.ts, task-run-create.ts), and what tests build their runs from.
 */

/** No state yet, never run, no times. */
const UNSTARTED = {
  state_id: null,
  state_type: null,
  state_name: null,
  state_timestamp: null,
  state: null,
  run_count: 0,
  expected_start_time: null,
  next_scheduled_start_time: null,
  start_time: null,
  end_time: null,
  total_run_time: 0,
} satisfies Partial<FlowRunRow> & Partial<TaskRunRow>;

type FlowRunIdentity = Pick<FlowRunRow, "id" | "created" | "updated" | "name" | "flow_id">;
type TaskRunIdentity = Pick<TaskRunRow, "id" | "created" | "updated" | "name" | "task_key" | "dynamic_key">;

/** A flow run of `flow_id` with nothing but `fields` set. */
export function blankFlowRun(fields: FlowRunIdentity & Partial<FlowRunRow>): FlowRunRow {
  return {
    deployment_id: null,
    deployment_version: null,
    work_queue_id: null,
    work_queue_name: null,
    work_pool_id: null,
    work_pool_name: null,
    flow_version: null,
    parameters: {},
    idempotency_key: null,
    context: {},
    empirical_policy: {},
    tags: [],
    labels: {},
    parent_task_run_id: null,
    ...UNSTARTED,
    auto_scheduled: false,
    infrastructure_document_id: null,
    infrastructure_pid: null,
    created_by: null,
    job_variables: null,
    ...fields,
  };
}

/** A task run with nothing but `fields` set. */
export function blankTaskRun(fields: TaskRunIdentity & Partial<TaskRunRow>): TaskRunRow {
  return {
    flow_run_id: null,
    cache_key: null,
    cache_expiration: null,
    task_version: null,
    empirical_policy: {},
    tags: [],
    labels: {},
    task_inputs: {},
    ...UNSTARTED,
    flow_run_run_count: 0,
    ...fields,
  };
}
