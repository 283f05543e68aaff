import { isNotNull, isNull, sql, type Column } from "drizzle-orm";
import { artifact, artifactCollection, flowRun, taskRun } from "../schema";
import { allOf, present, scalarConds, scalar, uuid, whereOf, type Cond, type FieldRule, type FilterSpec } from "./core";
import { flowRunWhere, taskRunFilterSpec, type ResourceFilters } from "./index";

/** ArtifactFilterKey / ArtifactCollectionFilterKey: any_, like_, and exists_ (key set or not). */
const key =
  (col: Column): FieldRule =>
  (sub) => {
    const conds: Cond[] = scalarConds(col, { any_: sub.any_, like_: sub.like_ });
    if (sub.exists_ !== undefined && sub.exists_ !== null) conds.push(sub.exists_ ? isNotNull(col) : isNull(col));
    return conds;
  };

/** ArtifactFilter: id, key, flow_run_id, task_run_id, type (any_, not_any_). */
export const artifactFilterSpec: FilterSpec = {
  id: uuid(artifact.id),
  key: key(artifact.key),
  flow_run_id: uuid(artifact.flow_run_id),
  task_run_id: uuid(artifact.task_run_id),
  type: scalar(artifact.type),
};

/** ArtifactCollectionFilter: latest_id, key, flow_run_id, task_run_id, type. */
export const artifactCollectionFilterSpec: FilterSpec = {
  latest_id: uuid(artifactCollection.latest_id),
  key: key(artifactCollection.key),
  flow_run_id: uuid(artifactCollection.flow_run_id),
  task_run_id: uuid(artifactCollection.task_run_id),
  type: scalar(artifactCollection.type),
};

/** The filters the artifact read/count endpoints take together. */
export type ArtifactFilters = Pick<ResourceFilters, "flows" | "flow_runs" | "task_runs" | "deployments"> & { artifacts?: Record<string, any> | null };

/**
 * Prefect's artifact filtering: the artifact's own filter, then an EXISTS on its flow run
 * (matching the flow-run filter, with its flow and deployment matching theirs) when any of those
 * three is sent, and an EXISTS on its task run when a task-run filter is sent.
 */
function linkedWhere(
  spec: FilterSpec,
  cols: { flow_run_id: Column; task_run_id: Column },
  f: ArtifactFilters,
): Cond {
  const runs = present(f.flows) || present(f.flow_runs) || present(f.deployments);
  return allOf(
    whereOf(spec, f.artifacts),
    runs
      ? sql`EXISTS (SELECT 1 FROM ${flowRun} WHERE ${flowRun.id} = ${cols.flow_run_id} AND ${flowRunWhere({ flows: f.flows, flow_runs: f.flow_runs, deployments: f.deployments }) ?? sql`1`})`
      : undefined,
    present(f.task_runs)
      ? sql`EXISTS (SELECT 1 FROM ${taskRun} WHERE ${taskRun.id} = ${cols.task_run_id} AND ${whereOf(taskRunFilterSpec, f.task_runs) ?? sql`1`})`
      : undefined,
  );
}

export const artifactWhere = (f: ArtifactFilters): Cond => linkedWhere(artifactFilterSpec, artifact, f);
export const artifactCollectionWhere = (f: ArtifactFilters): Cond =>
  linkedWhere(artifactCollectionFilterSpec, artifactCollection, f);
