import { describe, expect, it } from "vitest";
import { api } from "../helpers";
import { seedFlow, seedFlowRun, seedTaskRun } from "../fixtures/runs";

const MISSING = "00000000-0000-4000-8000-000000000000";
const T = (s: number) => `2030-01-01T00:00:${String(s).padStart(2, "0")}.000000Z`;
const ref = (id: string) => ({ input_type: "task_run", id });

/**
 * parent run
 *   a (completed, 1s..2s)
 *   b (running from 3s) <- a (twice, via two arguments), parameter p
 *   w: wrapper task of subflow run `sub` (flow `child`, 4s..6s) <- a
 *   e (completed, 7s..8s) inside w (__parents__), <- b
 *   u: never started, no expected start: not in the graph
 */
async function graphFixture() {
  const parent = await seedFlowRun({
    start_time: T(0),
    expected_start_time: T(0),
    states: [
      { type: "PENDING", timestamp: T(0) },
      { type: "RUNNING", timestamp: T(1) },
    ],
  });
  const a = await seedTaskRun({
    flow_run_id: parent.id,
    name: "a",
    start_time: T(1),
    expected_start_time: T(1),
    end_time: T(2),
    state: { type: "COMPLETED", state_details: { untrackable_result: true } },
    total_run_time: 1,
  });
  const b = await seedTaskRun({
    flow_run_id: parent.id,
    name: "b",
    start_time: T(3),
    expected_start_time: T(3),
    state: { type: "RUNNING" },
    task_inputs: { x: [ref(a.id)], y: [ref(a.id), { input_type: "parameter", name: "p" }] },
  });
  const w = await seedTaskRun({
    flow_run_id: parent.id,
    name: "child-0",
    expected_start_time: T(4),
    state: { type: "RUNNING" },
    task_inputs: { x: [ref(a.id)] },
  });
  const childFlow = await seedFlow({ name: `child-${crypto.randomUUID().slice(0, 8)}` });
  const sub = await seedFlowRun({
    flow_id: childFlow.id,
    name: "sub-run",
    parent_task_run_id: w.id,
    start_time: T(4),
    end_time: T(6),
    state: { type: "COMPLETED" },
  });
  const e = await seedTaskRun({
    flow_run_id: parent.id,
    name: "e",
    start_time: T(7),
    end_time: T(8),
    state: { type: "COMPLETED" },
    task_inputs: { __parents__: [ref(w.id)], z: [ref(b.id)] },
  });
  const u = await seedTaskRun({ flow_run_id: parent.id, name: "u", state: { type: "PENDING" } });
  return { parent, a, b, w, sub, childFlow, e, u };
}

describe("GET /flow_runs/{id}/graph (v1)", () => {
  it("lists each task run with its upstream task runs", async () => {
    const { parent, a, b, w, e, u } = await graphFixture();
    const res = await api("GET", `/flow_runs/${parent.id}/graph`);
    expect(res.status).toBe(200);
    expect(res.body.map((n: any) => n.id)).toEqual([a.id, b.id, w.id, e.id, u.id].sort().reverse());
    const byId = new Map(res.body.map((n: any) => [n.id, n]));
    const nodeA: any = byId.get(a.id);
    expect(Object.keys(nodeA)).toEqual([
      "id", "name", "upstream_dependencies", "state", "expected_start_time", "start_time", "end_time",
      "total_run_time", "estimated_run_time", "untrackable_result",
    ]);
    expect(nodeA).toMatchObject({
      name: "a",
      upstream_dependencies: [],
      expected_start_time: T(1),
      start_time: T(1),
      end_time: T(2),
      total_run_time: 1,
      estimated_run_time: 1,
      untrackable_result: true,
    });
    expect(nodeA.state).toMatchObject({ type: "COMPLETED", id: a.stateIds[0] });
    expect((byId.get(b.id) as any).upstream_dependencies).toEqual([{ input_type: "task_run", id: a.id }]);
    expect((byId.get(b.id) as any).untrackable_result).toBe(false);
    expect((byId.get(e.id) as any).upstream_dependencies).toEqual([ref(w.id), ref(b.id)]);
  });

  it("answers Prefect's object-not-found shape for a missing run", async () => {
    expect(await api("GET", `/flow_runs/${MISSING}/graph`)).toMatchObject({
      status: 404,
      body: { exception_message: `Flow run with id ${MISSING} not found` },
    });
  });
});

describe("GET /flow_runs/{id}/graph-v2", () => {
  it("answers nodes, edges, subflows, encapsulation, root nodes and the run's states", async () => {
    const { parent, a, b, w, sub, childFlow, e } = await graphFixture();
    const res = await api("GET", `/flow_runs/${parent.id}/graph-v2`);
    expect(res.status).toBe(200);
    const g = res.body;
    expect(Object.keys(g)).toEqual(["start_time", "end_time", "root_node_ids", "nodes", "artifacts", "states"]);
    expect(g.start_time).toBe(T(0));
    expect(g.end_time).toBeNull();
    expect(g.artifacts).toEqual([]);
    expect(g.states).toEqual([
      { id: parent.stateIds[0], timestamp: T(0), type: "PENDING", name: "Pending" },
      { id: parent.stateIds[1], timestamp: T(1), type: "RUNNING", name: "Running" },
    ]);
    // Ordered by start time; the never-started task is left out; the subflow stands for its wrapper.
    expect(g.nodes.map(([id]: [string]) => id)).toEqual([a.id, b.id, sub.id, e.id]);
    const nodes = Object.fromEntries(g.nodes);
    expect(Object.keys(nodes[a.id])).toEqual([
      "kind", "id", "label", "state_type", "start_time", "end_time", "parents", "children", "encapsulating", "artifacts",
    ]);
    expect(nodes[a.id]).toEqual({
      kind: "task-run",
      id: a.id,
      label: "a",
      state_type: "COMPLETED",
      start_time: T(1),
      end_time: T(2),
      parents: [],
      children: [{ id: b.id }, { id: sub.id }],
      encapsulating: [],
      artifacts: [],
    });
    expect(nodes[b.id]).toMatchObject({ kind: "task-run", state_type: "RUNNING", end_time: null, parents: [{ id: a.id }], children: [{ id: e.id }] });
    // The subflow's wrapper took `a` as input, but edges join on the subflow's id.
    expect(nodes[sub.id]).toMatchObject({
      kind: "flow-run",
      label: `${childFlow.name} / sub-run`,
      state_type: "COMPLETED",
      start_time: T(4),
      end_time: T(6),
      parents: [{ id: a.id }],
      children: [],
    });
    expect(nodes[a.id].children).not.toContainEqual({ id: w.id });
    // `e` names the wrapper task run in __parents__, which is not a node id (the subflow is).
    expect(nodes[e.id]).toMatchObject({ parents: [{ id: b.id }], encapsulating: [] });
    expect(g.root_node_ids).toEqual([a.id]);
  });

  it("marks encapsulating edges and leaves nodes ended before `since` out", async () => {
    const parent = await seedFlowRun({ expected_start_time: T(0), end_time: T(9), state: { type: "COMPLETED" } });
    const outer = await seedTaskRun({ flow_run_id: parent.id, name: "outer", start_time: T(1), end_time: T(5), state: { type: "COMPLETED" } });
    const inner = await seedTaskRun({
      flow_run_id: parent.id,
      name: "inner",
      start_time: T(2),
      end_time: T(3),
      state: { type: "COMPLETED" },
      task_inputs: { __parents__: [ref(outer.id)] },
    });
    const scheduled = await seedTaskRun({ flow_run_id: parent.id, name: "done-early", expected_start_time: T(1), state: { type: "COMPLETED" } });
    const g = (await api("GET", `/flow_runs/${parent.id}/graph-v2`)).body;
    expect(g).toMatchObject({ start_time: T(0), end_time: T(9) });
    const nodes = Object.fromEntries(g.nodes);
    expect(nodes[inner.id]).toMatchObject({ parents: [], encapsulating: [{ id: outer.id }] });
    expect(nodes[outer.id].children).toEqual([]);
    // A completed task run without end time ends at its expected start.
    expect(nodes[scheduled.id]).toMatchObject({ start_time: T(1), end_time: T(1) });
    expect(g.root_node_ids.sort()).toEqual([outer.id, inner.id, scheduled.id].sort());

    const since = await api("GET", `/flow_runs/${parent.id}/graph-v2?since=${encodeURIComponent("2030-01-01T00:00:04Z")}`);
    expect(since.status).toBe(200);
    expect(since.body.nodes.map(([id]: [string]) => id)).toEqual([outer.id]);
    expect(since.body.root_node_ids).toEqual([outer.id]);
  });

  it("404s a missing run with Prefect's object-not-found shape, 422s a bad `since`", async () => {
    expect(await api("GET", `/flow_runs/${MISSING}/graph-v2`)).toMatchObject({
      status: 404,
      body: { exception_message: `Flow run ${MISSING} not found` },
    });
    const run = await seedFlowRun();
    const empty = await api("GET", `/flow_runs/${run.id}/graph-v2`);
    expect(empty.body).toMatchObject({ start_time: null, end_time: null, root_node_ids: [], nodes: [], artifacts: [] });
    const bad = await api("GET", `/flow_runs/${run.id}/graph-v2?since=yesterday`);
    expect(bad.status).toBe(422);
    expect(bad.body.exception_detail[0]).toMatchObject({ loc: ["query", "since"] });
  });
});
