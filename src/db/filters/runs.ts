import { isNotNull, isNull, sql, type Column } from "drizzle-orm";
import { flowRun, taskRun } from "../schema";
import { anyOf, array, present, scalar, scalarConds, uuid, uuidConds, uuidValues, type Cond, type FieldRule, type FilterSpec } from "./core";

/**
 * `state: {type, name, operator}` over the run's denormalized current state columns.
 * Prefect keeps a nested criterion only when it comes down to exactly one comparison: a `type`
 * (or `name`) sub-filter sending both `any_` and `not_any_` — or nothing — is left out entirely.
 */
function stateRule(typeCol: Column, nameCol: Column): FieldRule {
  const single = (conds: Cond[]): Cond[] => {
    const present = conds.filter((c) => c !== undefined);
    return present.length === 1 ? present : [];
  };
  return (sub) => [
    ...(sub.type ? single(scalarConds(typeCol, sub.type)) : []),
    ...(sub.name ? single(scalarConds(nameCol, sub.name)) : []),
  ];
}

/** The time a flow run started, or is expected to start when it has not. */
const flowRunStart = sql`coalesce(${flowRun.start_time}, ${flowRun.expected_start_time})`;

/** FlowRunFilter: every field of Prefect's flow-run filter. */
export const flowRunFilterSpec: FilterSpec = {
  id: uuid(flowRun.id),
  name: scalar(flowRun.name),
  tags: array(flowRun.tags),
  deployment_id: uuid(flowRun.deployment_id),
  work_queue_name: scalar(flowRun.work_queue_name),
  state: stateRule(flowRun.state_type, flowRun.state_name),
  flow_version: scalar(flowRun.flow_version),
  // before_/after_ compare the actual start, falling back to the expected one; is_null_ only the actual.
  start_time: ({ is_null_, ...rest }) => [...scalarConds(flowRunStart, rest), ...scalarConds(flowRun.start_time, { is_null_ })],
  end_time: scalar(flowRun.end_time),
  expected_start_time: scalar(flowRun.expected_start_time),
  next_scheduled_start_time: scalar(flowRun.next_scheduled_start_time),
  // Subflow runs of the given flow runs: runs whose parent task run belongs to one of them.
  parent_flow_run_id: ({ any_ }) =>
    present(any_) ? [sql`${flowRun.parent_task_run_id} IN (SELECT ${taskRun.id} FROM ${taskRun} WHERE ${anyOf(taskRun.flow_run_id, uuidValues(any_)!)})`] : [],
  parent_task_run_id: uuid(flowRun.parent_task_run_id),
  idempotency_key: scalar(flowRun.idempotency_key),
  // created_by is a JSON object {id, type, display_value} or NULL.
  created_by: ({ id_, type_, is_null_ }) => {
    const out: Cond[] = [];
    if (id_ !== undefined && id_ !== null)
      out.push(anyOf(sql`lower(json_extract(${flowRun.created_by}, '$.id'))`, uuidValues(id_)!));
    if (type_ !== undefined && type_ !== null) out.push(anyOf(sql`json_extract(${flowRun.created_by}, '$.type')`, type_));
    if (is_null_ !== undefined && is_null_ !== null)
      out.push(
        is_null_
          ? sql`coalesce(json_type(${flowRun.created_by}), 'null') = 'null'`
          : sql`coalesce(json_type(${flowRun.created_by}), 'null') <> 'null'`,
      );
    return out;
  },
};

/** TaskRunFilter: every field of Prefect's task-run filter. */
export const taskRunFilterSpec: FilterSpec = {
  id: uuid(taskRun.id),
  name: scalar(taskRun.name),
  tags: array(taskRun.tags),
  state: stateRule(taskRun.state_type, taskRun.state_name),
  start_time: scalar(taskRun.start_time),
  end_time: scalar(taskRun.end_time),
  expected_start_time: scalar(taskRun.expected_start_time),
  // Task runs that stand for a subflow run (some flow run names them as its parent task run).
  subflow_runs: ({ exists_ }) => {
    if (!present(exists_)) return [];
    const has = sql`EXISTS (SELECT 1 FROM ${flowRun} WHERE ${flowRun.parent_task_run_id} = ${taskRun.id})`;
    return [exists_ ? has : sql`NOT ${has}`];
  },
  // is_null_ defaults to false: true → no flow run; false without any_ → has a flow run;
  // otherwise any_ picks the flow runs (is_null_: null with no any_ constrains nothing).
  flow_run_id: ({ any_, is_null_ = false }) => {
    if (is_null_ === true) return [isNull(taskRun.flow_run_id)];
    if (is_null_ === false && !present(any_)) return [isNotNull(taskRun.flow_run_id)];
    return uuidConds(taskRun.flow_run_id, { any_ });
  },
};
