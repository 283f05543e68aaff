import { and, asc, desc, eq, ne, sql, type Column, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../client";
import { artifact, artifactCollection, flow, flowRun, flowRunState, taskRun } from "../schema";
import { toState } from "../../schemas/serialize";
import { estimatedRunTime } from "./runs-serialize";
import { isoNow } from "../../lib/time";
import type { DependencyResult, Graph, GraphArtifact, GraphState, Node } from "../../schemas/prefect.gen";

/** Prefect's default PREFECT_SERVER_FLOW_RUN_GRAPH_MAX_NODES. */
export const MAX_GRAPH_NODES = 10000;
/** Prefect's default PREFECT_SERVER_FLOW_RUN_GRAPH_MAX_ARTIFACTS. */
export const MAX_GRAPH_ARTIFACTS = 10000;

export class GraphTooLarge extends Error {}

/**
 * Nullable columns of a joined table under result names of their own, `<prefix><column>` (D1
 * batches answer rows keyed by name), as stored (JSON as text).
 */
function resultNames<P extends string, K extends string>(prefix: P, columns: Record<K, Column>): { [N in K as `${P}${N}`]: SQL.Aliased<string | null> } {
  const named = Object.entries<Column>(columns).map(([key, column]) => [`${prefix}${key}`, sql<string | null>`${column}`.as(`${prefix}${key}`)]);
  return Object.fromEntries(named);
}

interface InputRef {
  input_type?: string;
  id?: string;
}

function inputsOf(taskInputs: unknown): [string, InputRef[]][] {
  if (!taskInputs || typeof taskInputs !== "object") return [];
  return Object.entries(taskInputs as Record<string, unknown>).map(([k, v]) => [k, Array.isArray(v) ? (v as InputRef[]) : []]);
}

/**
 * The v1 graph: every task run of the flow run (newest id first) with the task runs it took
 * inputs from. Undefined when the flow run does not exist.
 */
export async function readTaskRunDependencies(db: Db, flowRunId: string): Promise<DependencyResult[] | undefined> {
  const [run, tasks] = await db.batch([
    db.select({ id: flowRun.id }).from(flowRun).where(eq(flowRun.id, flowRunId)),
    db.select().from(taskRun).where(eq(taskRun.flow_run_id, flowRunId)).orderBy(desc(taskRun.id)),
  ]);
  if (!run.length) return undefined;
  const now = isoNow();
  return tasks.map((t) => {
    const seen = new Set<string>();
    const upstream: { input_type: "task_run"; id: string }[] = [];
    for (const [, refs] of inputsOf(t.task_inputs))
      for (const ref of refs)
        if (ref?.input_type === "task_run" && ref.id && !seen.has(ref.id)) {
          seen.add(ref.id);
          upstream.push({ input_type: "task_run", id: ref.id });
        }
    const state = t.state ? toState(t.state) : null;
    return {
      id: t.id,
      name: t.name,
      upstream_dependencies: upstream,
      state,
      expected_start_time: t.expected_start_time,
      start_time: t.start_time,
      end_time: t.end_time,
      total_run_time: t.total_run_time,
      estimated_run_time: estimatedRunTime(t, now),
      untrackable_result: Boolean((state?.state_details as Record<string, unknown> | undefined)?.untrackable_result ?? false),
    };
  });
}

interface GraphNode {
  node: Node;
  parentRefs: string[];
  encapsulatingRefs: string[];
}

const byTime = (a: { start_time: string; end_time: string | null }, b: { start_time: string; end_time: string | null }) =>
  a.start_time < b.start_time ? -1 : a.start_time > b.start_time ? 1 : (a.end_time ?? "") < (b.end_time ?? "") ? -1 : (a.end_time ?? "") > (b.end_time ?? "") ? 1 : 0;

/**
 * The v2 graph of a flow run, as Prefect builds it: one node per task run of the run (a subflow's
 * wrapper task run stands for the subflow run, labelled `<flow> / <run>`), edges from the task
 * runs its inputs came from (`__parents__` inputs are encapsulating edges instead), nodes without
 * a start time left out, and only nodes not ended before `since`. Undefined when the flow run does
 * not exist; GraphTooLarge beyond MAX_GRAPH_NODES nodes.
 */
export async function readFlowRunGraph(db: Db, flowRunId: string, since: string): Promise<Graph | undefined> {
  const sub = alias(flowRun, "sub");
  const [run, rows, states, artifactRows] = await db.batch([
    db
      .select({ start_time: sql<string | null>`coalesce(${flowRun.start_time}, ${flowRun.expected_start_time})`, end_time: flowRun.end_time })
      .from(flowRun)
      .where(eq(flowRun.id, flowRunId)),
    db
      .select({
        id: taskRun.id,
        name: taskRun.name,
        state_type: taskRun.state_type,
        start_time: taskRun.start_time,
        expected_start_time: taskRun.expected_start_time,
        end_time: taskRun.end_time,
        task_inputs: taskRun.task_inputs,
        // Distinct result names: D1 batches answer rows keyed by column name.
        ...resultNames("sub_", {
          id: sub.id,
          name: sub.name,
          state_type: sub.state_type,
          start_time: sub.start_time,
          expected_start_time: sub.expected_start_time,
          end_time: sub.end_time,
        }),
        ...resultNames("flow_", { name: flow.name }),
      })
      .from(taskRun)
      .leftJoin(sub, eq(sub.parent_task_run_id, taskRun.id))
      .leftJoin(flow, eq(flow.id, sub.flow_id))
      .where(eq(taskRun.flow_run_id, flowRunId)),
    db
      .select({ id: flowRunState.id, timestamp: flowRunState.timestamp, type: flowRunState.type, name: flowRunState.name })
      .from(flowRunState)
      .where(eq(flowRunState.flow_run_id, flowRunId))
      .orderBy(asc(flowRunState.timestamp), asc(flowRunState.id)),
    // The run's own artifacts (not its subflows'), results left out, oldest first; is_latest when
    // unkeyed or its key's collection points at it. Distinct result names, as above.
    db
      .select({
        artifact_id: sql<string>`${artifact.id}`.as("artifact_id"),
        artifact_created: sql<string>`${artifact.created}`.as("artifact_created"),
        ...resultNames("artifact_", { key: artifact.key, type: artifact.type, data: artifact.data, task_run_id: artifact.task_run_id }),
        latest_in_collection_id: sql<string | null>`${artifactCollection.id}`.as("latest_in_collection_id"),
      })
      .from(artifact)
      .leftJoin(artifactCollection, and(eq(artifactCollection.key, artifact.key), eq(artifactCollection.latest_id, artifact.id)))
      .where(and(eq(artifact.flow_run_id, flowRunId), ne(artifact.type, "result")))
      .orderBy(asc(artifact.created), asc(sql`${artifact}.rowid`))
      .limit(MAX_GRAPH_ARTIFACTS),
  ]);
  if (!run.length) return undefined;

  const artifactsByTask = new Map<string | null, GraphArtifact[]>();
  for (const a of artifactRows) {
    const list = artifactsByTask.get(a.artifact_task_run_id) ?? [];
    list.push({
      id: a.artifact_id,
      created: a.artifact_created,
      key: a.artifact_key,
      type: a.artifact_type,
      // Only progress artifacts carry their data on the graph.
      data: a.artifact_type === "progress" && a.artifact_data !== null ? JSON.parse(a.artifact_data) : null,
      is_latest: a.artifact_key === null || a.latest_in_collection_id !== null,
    });
    artifactsByTask.set(a.artifact_task_run_id, list);
  }

  const nodes = new Map<string, GraphNode>();
  for (const r of rows) {
    const start = r.sub_start_time ?? r.sub_expected_start_time ?? r.start_time ?? r.expected_start_time;
    if (!start) continue;
    const id = r.sub_id ?? r.id;
    if (nodes.has(id)) continue;
    const parentRefs: string[] = [];
    const encapsulatingRefs: string[] = [];
    for (const [key, refs] of inputsOf(r.task_inputs))
      for (const ref of refs) if (ref?.id) (key === "__parents__" ? encapsulatingRefs : parentRefs).push(ref.id);
    nodes.set(id, {
      node: {
        kind: r.sub_id ? "flow-run" : "task-run",
        id,
        label: r.sub_id && r.flow_name !== null ? `${r.flow_name} / ${r.sub_name}` : r.name,
        state_type: (r.sub_state_type ?? r.state_type) as Node["state_type"],
        start_time: start,
        end_time: r.sub_end_time ?? r.end_time ?? (r.state_type === "COMPLETED" ? r.expected_start_time : null),
        parents: [],
        children: [],
        encapsulating: [],
        artifacts: artifactsByTask.get(id) ?? [],
      },
      parentRefs,
      encapsulatingRefs,
    });
  }

  // Edges only between nodes of this graph, each once, ordered by the other end's start time.
  const parents = new Map<string, Set<string>>();
  const children = new Map<string, Set<string>>();
  const link = (m: Map<string, Set<string>>, k: string, v: string) => {
    const s = m.get(k) ?? new Set<string>();
    s.add(v);
    m.set(k, s);
  };
  for (const [id, g] of nodes) {
    for (const p of g.parentRefs)
      if (nodes.has(p)) {
        link(parents, id, p);
        link(children, p, id);
      }
    const enc = new Set(g.encapsulatingRefs.filter((p) => nodes.has(p)));
    g.node.encapsulating = [...enc].sort((a, b) => byTime(nodes.get(a)!.node, nodes.get(b)!.node)).map((e) => ({ id: e }));
  }
  const edges = (ids: Set<string> | undefined) =>
    [...(ids ?? [])].sort((a, b) => byTime(nodes.get(a)!.node, nodes.get(b)!.node)).map((e) => ({ id: e }));
  for (const [id, g] of nodes) {
    g.node.parents = edges(parents.get(id));
    g.node.children = edges(children.get(id));
  }

  const sinceIso = since;
  const kept = [...nodes.values()]
    .map((g) => g.node)
    .filter((n) => n.end_time === null || n.end_time >= sinceIso)
    .sort(byTime);
  if (kept.length > MAX_GRAPH_NODES) throw new GraphTooLarge(`The graph of flow run ${flowRunId} has more than ${MAX_GRAPH_NODES} nodes.`);
  return {
    start_time: run[0].start_time,
    end_time: run[0].end_time,
    root_node_ids: kept.filter((n) => n.parents.length === 0).map((n) => n.id),
    nodes: kept.map((n) => [n.id, n] as [string, Node]),
    artifacts: artifactsByTask.get(null) ?? [],
    states: states as GraphState[],
  };
}
