import { beforeAll, describe, expect, it } from "vitest";
import { and, inArray, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { deployment, flow, flowRun, log, taskRun, workPool, workQueue } from "../../src/db/schema";
import {
  deploymentFilterSpec,
  flowRunWhere,
  flowWhere,
  taskRunWhere,
  whereOf,
  workPoolFilterSpec,
  workQueueFilterSpec,
  type ResourceFilters,
} from "../../src/db/filters";
import { logFilterSpec } from "../../src/db/filters/logs";
import {
  DeploymentFilter,
  FlowFilter,
  FlowRunFilter,
  LogFilter,
  TaskRunFilter,
  WorkPoolFilter,
  WorkQueueFilter,
} from "../../src/schemas/prefect.gen";
import { seeder } from "../fixtures/filter-seed";
import { uuid4 } from "../../src/lib/ids";

const SCHEMAS = {
  flows: FlowFilter,
  flow_runs: FlowRunFilter,
  task_runs: TaskRunFilter,
  deployments: DeploymentFilter,
  work_pools: WorkPoolFilter,
  work_pool_queues: WorkQueueFilter,
} as const;

/** Each filter parsed by its generated schema, as a route would hand it over. */
function parsed(filters: Partial<Record<keyof typeof SCHEMAS, unknown>>): ResourceFilters {
  const out: ResourceFilters = {};
  for (const [k, v] of Object.entries(filters)) (out as any)[k] = SCHEMAS[k as keyof typeof SCHEMAS].parse(v);
  return out;
}

const day = (d: number, hms = "00:00:00") => `2026-01-0${d}T${hms}.000000Z`;
const upper = (id: string) => id.toUpperCase();
const bare = (id: string) => id.replace(/-/g, "");

let s: ReturnType<typeof seeder>;
let t: (x: string) => string;
const W = {
  pools: {} as Record<string, any>,
  queues: {} as Record<string, any>,
  flows: {} as Record<string, any>,
  deps: {} as Record<string, any>,
  runs: {} as Record<string, any>,
  tasks: {} as Record<string, any>,
};

/** The labels (R1, T2 …) of the rows of this file's world that `where` selects, sorted. */
async function pick(table: SQLiteTable, idCol: SQLiteColumn, world: Record<string, any>, where: SQL | undefined): Promise<string[]> {
  const byId = new Map(Object.entries(world).map(([label, row]) => [row.id, label]));
  const rows = await s.db
    .select({ id: idCol })
    .from(table)
    .where(and(where, inArray(idCol, [...byId.keys()])));
  return rows.map((r) => byId.get(r.id as string)!).sort();
}

const runs = (f: Parameters<typeof parsed>[0]) => pick(flowRun, flowRun.id, W.runs, flowRunWhere(parsed(f)));
const fr = (flow_runs: unknown) => runs({ flow_runs });
const tasks = (f: Parameters<typeof parsed>[0]) => pick(taskRun, taskRun.id, W.tasks, taskRunWhere(parsed(f)));
const tr = (task_runs: unknown) => tasks({ task_runs });
const flows = (f: Parameters<typeof parsed>[0]) => pick(flow, flow.id, W.flows, flowWhere(parsed(f)));
const deps = (f: unknown) => pick(deployment, deployment.id, W.deps, whereOf(deploymentFilterSpec, DeploymentFilter.parse(f)));
const pools = (f: unknown) => pick(workPool, workPool.id, W.pools, whereOf(workPoolFilterSpec, WorkPoolFilter.parse(f)));
const queues = (f: unknown) => pick(workQueue, workQueue.id, W.queues, whereOf(workQueueFilterSpec, WorkQueueFilter.parse(f)));

const ALL_RUNS = ["R1", "R2", "R3", "R4", "R5"];
const ALL_TASKS = ["T1", "T2", "T3", "T4"];

beforeAll(async () => {
  s = seeder();
  const u = s.u;
  t = (x) => `${x}-${u}`;
  const P1 = await s.pool({ name: t("pool-one"), type: t("process") });
  const P2 = await s.pool({ name: t("pool-two"), type: t("k8s") });
  const Q1 = await s.queue({ work_pool_id: P1.id, name: t("Alpha") });
  const Q2 = await s.queue({ work_pool_id: P2.id, name: t("beta") });
  const F1 = await s.flow({ name: t("Marvin-flow"), tags: [t("ft1"), t("ft2")] });
  const F2 = await s.flow({ name: t("other-flow"), tags: [] });
  const F3 = await s.flow({ name: t("lonely"), tags: [t("ft1")] });
  const D1 = await s.deployment({
    flow_id: F1.id,
    name: t("dep-a"),
    paused: false,
    tags: [t("dt1"), t("dt2")],
    work_queue_name: Q1.name,
    work_queue_id: Q1.id,
    concurrency_limit: 3,
  });
  const D2 = await s.deployment({ flow_id: F2.id, name: t("dep-MARVIN"), paused: true, tags: [], work_queue_name: Q2.name, work_queue_id: Q2.id });
  const inQ1 = { work_queue_id: Q1.id, work_queue_name: Q1.name, work_pool_id: P1.id, work_pool_name: P1.name };
  const inQ2 = { work_queue_id: Q2.id, work_queue_name: Q2.name, work_pool_id: P2.id, work_pool_name: P2.name };
  const CB1 = uuid4();
  const CB2 = uuid4();
  const R1 = await s.flowRun({
    flow_id: F1.id,
    deployment_id: D1.id,
    ...inQ1,
    name: t("Marvin-run"),
    tags: [t("a"), t("b")],
    state_type: "COMPLETED",
    state_name: "Completed",
    flow_version: "v1",
    expected_start_time: day(1),
    start_time: day(1, "00:01:00"),
    end_time: day(1, "01:00:00"),
    next_scheduled_start_time: day(1),
    idempotency_key: t("k1"),
    created_by: { id: CB1, type: "DEPLOYMENT", display_value: "dep" },
  });
  const R2 = await s.flowRun({
    flow_id: F1.id,
    name: t("sad-marvin"),
    tags: [],
    state_type: "SCHEDULED",
    state_name: "Late",
    flow_version: "v2",
    expected_start_time: day(2),
    next_scheduled_start_time: day(2),
  });
  const R3 = await s.flowRun({
    flow_id: F2.id,
    deployment_id: D2.id,
    ...inQ2,
    name: t("other"),
    tags: [t("b")],
    state_type: "RUNNING",
    state_name: "Running",
    expected_start_time: day(3),
    start_time: day(3, "00:05:00"),
    idempotency_key: t("k3"),
    created_by: { id: CB2, type: "AUTOMATION", display_value: "auto" },
  });
  const T1 = await s.taskRun({
    flow_run_id: R1.id,
    name: t("Marvin-task"),
    tags: [t("tt1"), t("tt2")],
    state_type: "COMPLETED",
    state_name: "Completed",
    expected_start_time: day(1, "00:01:00"),
    start_time: day(1, "00:02:00"),
    end_time: day(1, "00:03:00"),
  });
  const T2 = await s.taskRun({
    flow_run_id: R1.id,
    name: t("subflow-wrapper"),
    tags: [],
    state_type: "COMPLETED",
    state_name: "Cached",
    expected_start_time: day(1, "00:04:00"),
    start_time: day(1, "00:05:00"),
    end_time: day(1, "00:06:00"),
  });
  const T3 = await s.taskRun({
    flow_run_id: R3.id,
    name: t("other-task"),
    tags: [t("tt1")],
    state_type: "RUNNING",
    state_name: "Running",
    expected_start_time: day(3),
    start_time: day(3, "00:06:00"),
  });
  const T4 = await s.taskRun({ flow_run_id: null, name: t("loose"), tags: [], state_type: "PENDING", state_name: "Pending" });
  const R4 = await s.flowRun({
    flow_id: F2.id,
    parent_task_run_id: T2.id,
    name: t("sub"),
    tags: [t("c")],
    state_type: "FAILED",
    state_name: "Failed",
    expected_start_time: day(4),
    start_time: day(4),
    end_time: day(4, "01:00:00"),
  });
  // A run with no state, no times and a name holding `x` where like_ patterns put `_`.
  const R5 = await s.flowRun({ flow_id: F1.id, name: t("axb"), tags: [] });
  Object.assign(W, {
    pools: { P1, P2 },
    queues: { Q1, Q2 },
    flows: { F1, F2, F3 },
    deps: { D1, D2 },
    runs: { R1, R2, R3, R4, R5 },
    tasks: { T1, T2, T3, T4 },
  });
  Object.assign(W, { CB1, CB2 });
});

const id = (label: string) => {
  for (const group of Object.values(W)) if (group && typeof group === "object" && label in group) return (group as any)[label].id;
  throw new Error(label);
};

describe("FlowRunFilter", () => {
  it("an empty filter, or none, constrains nothing", async () => {
    expect(await fr({})).toEqual(ALL_RUNS);
    expect(await runs({})).toEqual(ALL_RUNS);
  });

  it("id: any_ / not_any_, ids in any form pydantic accepts; any_ [] matches nothing", async () => {
    expect(await fr({ id: { any_: [id("R1"), upper(id("R3"))] } })).toEqual(["R1", "R3"]);
    expect(await fr({ id: { any_: [bare(id("R2"))] } })).toEqual(["R2"]);
    expect(await fr({ id: { not_any_: [id("R1"), upper(id("R2"))] } })).toEqual(["R3", "R4", "R5"]);
    expect(await fr({ id: { any_: [] } })).toEqual([]);
    expect(await fr({ id: { not_any_: [] } })).toEqual(ALL_RUNS);
    expect(await fr({ id: { any_: [id("R1"), id("R2")], not_any_: [id("R2")] } })).toEqual(["R1"]);
  });

  it("name: any_, like_ (case-insensitive substring, `_` and `%` as wildcards), both together", async () => {
    expect(await fr({ name: { any_: [t("other"), t("sub")] } })).toEqual(["R3", "R4"]);
    expect(await fr({ name: { like_: "MARVIN" } })).toEqual(["R1", "R2"]);
    expect(await fr({ name: { like_: t("a_b") } })).toEqual(["R5"]);
    expect(await fr({ name: { like_: `m%n-run-${s.u}` } })).toEqual(["R1"]);
    expect(await fr({ name: { any_: [t("other"), t("sad-marvin")], like_: "marvin" } })).toEqual(["R2"]);
    expect(await fr({ name: { any_: [] } })).toEqual([]);
  });

  it("tags: all_ (superset), any_ (overlap), is_null_ (no tags), with the sub-filter's operator", async () => {
    expect(await fr({ tags: { all_: [t("a"), t("b")] } })).toEqual(["R1"]);
    expect(await fr({ tags: { all_: [t("b"), t("b")] } })).toEqual(["R1", "R3"]);
    expect(await fr({ tags: { all_: [] } })).toEqual(ALL_RUNS);
    expect(await fr({ tags: { any_: [t("a"), t("c")] } })).toEqual(["R1", "R4"]);
    expect(await fr({ tags: { any_: [] } })).toEqual([]);
    expect(await fr({ tags: { is_null_: true } })).toEqual(["R2", "R5"]);
    expect(await fr({ tags: { is_null_: false } })).toEqual(["R1", "R3", "R4"]);
    expect(await fr({ tags: { all_: [t("b")], any_: [t("a")] } })).toEqual(["R1"]);
    expect(await fr({ tags: { operator: "or_", all_: [t("a")], is_null_: true } })).toEqual(["R1", "R2", "R5"]);
  });

  it("deployment_id: any_, is_null_, operator", async () => {
    expect(await fr({ deployment_id: { any_: [upper(id("D1"))] } })).toEqual(["R1"]);
    expect(await fr({ deployment_id: { any_: [] } })).toEqual([]);
    expect(await fr({ deployment_id: { is_null_: true } })).toEqual(["R2", "R4", "R5"]);
    expect(await fr({ deployment_id: { is_null_: false } })).toEqual(["R1", "R3"]);
    expect(await fr({ deployment_id: { any_: [id("D1")], is_null_: true } })).toEqual([]);
    expect(await fr({ deployment_id: { operator: "or_", any_: [id("D1")], is_null_: true } })).toEqual(["R1", "R2", "R4", "R5"]);
  });

  it("work_queue_name: any_, is_null_, operator", async () => {
    expect(await fr({ work_queue_name: { any_: [t("Alpha")] } })).toEqual(["R1"]);
    expect(await fr({ work_queue_name: { any_: [t("alpha")] } })).toEqual([]);
    expect(await fr({ work_queue_name: { is_null_: true } })).toEqual(["R2", "R4", "R5"]);
    expect(await fr({ work_queue_name: { is_null_: false } })).toEqual(["R1", "R3"]);
    expect(await fr({ work_queue_name: { operator: "or_", any_: [t("beta")], is_null_: true } })).toEqual(["R2", "R3", "R4", "R5"]);
  });

  it("state: type any_/not_any_, name any_/not_any_, and_/or_; NULL states match no list", async () => {
    expect(await fr({ state: { type: { any_: ["COMPLETED", "FAILED"] } } })).toEqual(["R1", "R4"]);
    expect(await fr({ state: { type: { any_: [] } } })).toEqual([]);
    expect(await fr({ state: { type: { not_any_: ["COMPLETED"] } } })).toEqual(["R2", "R3", "R4"]);
    expect(await fr({ state: { type: { not_any_: [] } } })).toEqual(ALL_RUNS);
    expect(await fr({ state: { name: { any_: ["Late"] } } })).toEqual(["R2"]);
    expect(await fr({ state: { name: { not_any_: ["Late", "Running"] } } })).toEqual(["R1", "R4"]);
    expect(await fr({ state: { type: { any_: ["RUNNING"] }, name: { any_: ["Late"] } } })).toEqual([]);
    expect(await fr({ state: { operator: "or_", type: { any_: ["RUNNING"] }, name: { any_: ["Late"] } } })).toEqual(["R2", "R3"]);
    expect(await fr({ state: { type: { any_: ["SCHEDULED"] }, name: { any_: ["Late"] } } })).toEqual(["R2"]);
  });

  it("state: as Prefect, a type or name sub-filter sending both any_ and not_any_ is left out", async () => {
    expect(await fr({ state: { type: { any_: ["COMPLETED"], not_any_: ["FAILED"] } } })).toEqual(ALL_RUNS);
    expect(await fr({ state: { type: { any_: ["COMPLETED"], not_any_: ["FAILED"] }, name: { any_: ["Late"] } } })).toEqual(["R2"]);
    expect(await fr({ state: { name: { any_: ["Late"], not_any_: ["Running"] } } })).toEqual(ALL_RUNS);
    expect(await fr({ state: {} })).toEqual(ALL_RUNS);
  });

  it("flow_version: any_", async () => {
    expect(await fr({ flow_version: { any_: ["v1", "v2"] } })).toEqual(["R1", "R2"]);
    expect(await fr({ flow_version: { any_: [] } })).toEqual([]);
  });

  it("start_time: before_/after_ on the start, or the expected start before it starts; is_null_ on the start", async () => {
    expect(await fr({ start_time: { before_: "2026-01-02T00:00:00Z" } })).toEqual(["R1", "R2"]);
    expect(await fr({ start_time: { before_: "2026-01-02T01:00:00+01:00" } })).toEqual(["R1", "R2"]);
    expect(await fr({ start_time: { before_: "2026-01-01T00:00:59.999999Z" } })).toEqual([]);
    expect(await fr({ start_time: { after_: "2026-01-02T00:00:00.000000Z" } })).toEqual(["R2", "R3", "R4"]);
    expect(await fr({ start_time: { after_: "2026-01-02T00:00:00Z", before_: "2026-01-03T12:00:00Z" } })).toEqual(["R2", "R3"]);
    expect(await fr({ start_time: { is_null_: true } })).toEqual(["R2", "R5"]);
    expect(await fr({ start_time: { is_null_: false } })).toEqual(["R1", "R3", "R4"]);
  });

  it("end_time: before_, after_, is_null_", async () => {
    expect(await fr({ end_time: { before_: "2026-01-02T00:00:00Z" } })).toEqual(["R1"]);
    expect(await fr({ end_time: { before_: day(1, "01:00:00") } })).toEqual(["R1"]);
    expect(await fr({ end_time: { after_: "2026-01-02T00:00:00Z" } })).toEqual(["R4"]);
    expect(await fr({ end_time: { is_null_: true } })).toEqual(["R2", "R3", "R5"]);
    expect(await fr({ end_time: { is_null_: false } })).toEqual(["R1", "R4"]);
  });

  it("expected_start_time and next_scheduled_start_time: before_, after_", async () => {
    expect(await fr({ expected_start_time: { before_: day(2) } })).toEqual(["R1", "R2"]);
    expect(await fr({ expected_start_time: { after_: day(3) } })).toEqual(["R3", "R4"]);
    expect(await fr({ expected_start_time: { after_: day(2), before_: day(3) } })).toEqual(["R2", "R3"]);
    expect(await fr({ next_scheduled_start_time: { before_: day(1, "12:00:00") } })).toEqual(["R1"]);
    expect(await fr({ next_scheduled_start_time: { after_: day(1, "12:00:00") } })).toEqual(["R2"]);
  });

  it("parent_flow_run_id: subflow runs of the given flow runs", async () => {
    expect(await fr({ parent_flow_run_id: { any_: [upper(id("R1"))] } })).toEqual(["R4"]);
    expect(await fr({ parent_flow_run_id: { any_: [id("R3"), id("R4")] } })).toEqual([]);
    expect(await fr({ parent_flow_run_id: { any_: [] } })).toEqual([]);
    expect(await fr({ parent_flow_run_id: {} })).toEqual(ALL_RUNS);
  });

  it("parent_task_run_id: any_, is_null_, operator", async () => {
    expect(await fr({ parent_task_run_id: { any_: [bare(id("T2"))] } })).toEqual(["R4"]);
    expect(await fr({ parent_task_run_id: { any_: [id("T1")] } })).toEqual([]);
    expect(await fr({ parent_task_run_id: { is_null_: false } })).toEqual(["R4"]);
    expect(await fr({ parent_task_run_id: { is_null_: true } })).toEqual(["R1", "R2", "R3", "R5"]);
    expect(await fr({ parent_task_run_id: { operator: "or_", any_: [id("T2")], is_null_: true } })).toEqual(ALL_RUNS);
  });

  it("idempotency_key: any_, not_any_ (NULL keys match neither)", async () => {
    expect(await fr({ idempotency_key: { any_: [t("k1")] } })).toEqual(["R1"]);
    expect(await fr({ idempotency_key: { not_any_: [t("k1")] } })).toEqual(["R3"]);
    expect(await fr({ idempotency_key: { any_: [] } })).toEqual([]);
  });

  it("created_by: id_, type_, is_null_, operator", async () => {
    const { CB1, CB2 } = W as any;
    expect(await fr({ created_by: { id_: [upper(CB1)] } })).toEqual(["R1"]);
    expect(await fr({ created_by: { id_: [CB1, CB2] } })).toEqual(["R1", "R3"]);
    expect(await fr({ created_by: { id_: [] } })).toEqual([]);
    expect(await fr({ created_by: { type_: ["AUTOMATION"] } })).toEqual(["R3"]);
    expect(await fr({ created_by: { id_: [CB1], type_: ["AUTOMATION"] } })).toEqual([]);
    expect(await fr({ created_by: { is_null_: true } })).toEqual(["R2", "R4", "R5"]);
    expect(await fr({ created_by: { is_null_: false } })).toEqual(["R1", "R3"]);
    expect(await fr({ created_by: { operator: "or_", type_: ["DEPLOYMENT"], is_null_: true } })).toEqual(["R1", "R2", "R4", "R5"]);
  });

  it("the resource filter's operator combines its fields; a field sent empty counts as true", async () => {
    const r1 = { any_: [t("Marvin-run")] };
    expect(await fr({ name: r1, tags: { any_: [t("c")] } })).toEqual([]);
    expect(await fr({ operator: "or_", name: r1, tags: { any_: [t("c")] } })).toEqual(["R1", "R4"]);
    expect(await fr({ operator: "or_", name: r1, tags: {} })).toEqual(ALL_RUNS);
    expect(await fr({ operator: "or_", name: r1, start_time: { before_: null } })).toEqual(ALL_RUNS);
    expect(await fr({ name: r1, tags: {} })).toEqual(["R1"]);
    expect(
      await fr({
        operator: "or_",
        state: { type: { any_: ["FAILED"] } },
        expected_start_time: { before_: day(1) },
        flow_version: { any_: ["v2"] },
      }),
    ).toEqual(["R1", "R2", "R4"]);
  });
});

describe("TaskRunFilter", () => {
  it("id: any_ (any id form), any_ [] matches nothing", async () => {
    expect(await tr({ id: { any_: [upper(id("T1")), bare(id("T4"))] } })).toEqual(["T1", "T4"]);
    expect(await tr({ id: { any_: [] } })).toEqual([]);
    expect(await tr({})).toEqual(ALL_TASKS);
  });

  it("name: any_, like_", async () => {
    expect(await tr({ name: { any_: [t("loose")] } })).toEqual(["T4"]);
    expect(await tr({ name: { like_: "marVIN" } })).toEqual(["T1"]);
    expect(await tr({ name: { like_: "-task-" } })).toEqual(["T1", "T3"]);
    expect(await tr({ name: { any_: [t("loose")], like_: "task" } })).toEqual([]);
  });

  it("tags: all_, is_null_, operator", async () => {
    expect(await tr({ tags: { all_: [t("tt1")] } })).toEqual(["T1", "T3"]);
    expect(await tr({ tags: { all_: [t("tt1"), t("tt2")] } })).toEqual(["T1"]);
    expect(await tr({ tags: { is_null_: true } })).toEqual(["T2", "T4"]);
    expect(await tr({ tags: { is_null_: false } })).toEqual(["T1", "T3"]);
    expect(await tr({ tags: { operator: "or_", all_: [t("tt2")], is_null_: true } })).toEqual(["T1", "T2", "T4"]);
  });

  it("state: type any_, name any_, and_/or_", async () => {
    expect(await tr({ state: { type: { any_: ["COMPLETED"] } } })).toEqual(["T1", "T2"]);
    expect(await tr({ state: { type: { any_: [] } } })).toEqual([]);
    expect(await tr({ state: { name: { any_: ["Cached"] } } })).toEqual(["T2"]);
    expect(await tr({ state: { type: { any_: ["COMPLETED"] }, name: { any_: ["Completed"] } } })).toEqual(["T1"]);
    expect(await tr({ state: { operator: "or_", type: { any_: ["RUNNING"] }, name: { any_: ["Cached"] } } })).toEqual(["T2", "T3"]);
  });

  it("start_time, end_time: before_, after_, is_null_; expected_start_time: before_, after_", async () => {
    expect(await tr({ start_time: { before_: day(1, "00:02:00") } })).toEqual(["T1"]);
    expect(await tr({ start_time: { after_: day(1, "00:02:00") } })).toEqual(["T1", "T2", "T3"]);
    expect(await tr({ start_time: { after_: "2026-01-01T00:02:00.000001Z" } })).toEqual(["T2", "T3"]);
    expect(await tr({ start_time: { is_null_: true } })).toEqual(["T4"]);
    expect(await tr({ start_time: { is_null_: false } })).toEqual(["T1", "T2", "T3"]);
    expect(await tr({ end_time: { before_: day(1, "00:03:00") } })).toEqual(["T1"]);
    expect(await tr({ end_time: { after_: day(1, "00:03:30") } })).toEqual(["T2"]);
    expect(await tr({ end_time: { is_null_: true } })).toEqual(["T3", "T4"]);
    expect(await tr({ end_time: { is_null_: false } })).toEqual(["T1", "T2"]);
    expect(await tr({ expected_start_time: { before_: day(1, "00:04:00") } })).toEqual(["T1", "T2"]);
    expect(await tr({ expected_start_time: { after_: day(2) } })).toEqual(["T3"]);
  });

  it("subflow_runs: exists_", async () => {
    expect(await tr({ subflow_runs: { exists_: true } })).toEqual(["T2"]);
    expect(await tr({ subflow_runs: { exists_: false } })).toEqual(["T1", "T3", "T4"]);
    expect(await tr({ subflow_runs: {} })).toEqual(ALL_TASKS);
  });

  it("flow_run_id: any_, is_null_ (defaults to false: only task runs of a flow run), operator", async () => {
    expect(await tr({ flow_run_id: { any_: [upper(id("R1"))] } })).toEqual(["T1", "T2"]);
    expect(await tr({ flow_run_id: { any_: [] } })).toEqual([]);
    expect(await tr({ flow_run_id: {} })).toEqual(["T1", "T2", "T3"]);
    expect(await tr({ flow_run_id: { is_null_: false } })).toEqual(["T1", "T2", "T3"]);
    expect(await tr({ flow_run_id: { is_null_: true } })).toEqual(["T4"]);
    expect(await tr({ flow_run_id: { is_null_: null } })).toEqual(ALL_TASKS);
    expect(await tr({ flow_run_id: { is_null_: null, any_: [id("R3")] } })).toEqual(["T3"]);
    // is_null_: true wins over any_, as in Prefect.
    expect(await tr({ flow_run_id: { is_null_: true, any_: [id("R1")] } })).toEqual(["T4"]);
  });

  it("the resource filter's operator", async () => {
    expect(await tr({ operator: "or_", name: { any_: [t("loose")] }, tags: { all_: [t("tt2")] } })).toEqual(["T1", "T4"]);
    expect(await tr({ operator: "or_", name: { any_: [t("loose")] }, subflow_runs: {} })).toEqual(ALL_TASKS);
  });
});

describe("DeploymentFilter", () => {
  it("id: any_, not_any_", async () => {
    expect(await deps({ id: { any_: [upper(id("D1"))] } })).toEqual(["D1"]);
    expect(await deps({ id: { not_any_: [bare(id("D1"))] } })).toEqual(["D2"]);
    expect(await deps({ id: { any_: [] } })).toEqual([]);
  });

  it("name: any_, like_", async () => {
    expect(await deps({ name: { any_: [t("dep-a")] } })).toEqual(["D1"]);
    expect(await deps({ name: { like_: "marvin" } })).toEqual(["D2"]);
    expect(await deps({ name: { like_: "DEP-" } })).toEqual(["D1", "D2"]);
  });

  it("flow_or_deployment_name: like_ over the deployment's and its flow's name", async () => {
    expect(await deps({ flow_or_deployment_name: { like_: "marvin" } })).toEqual(["D1", "D2"]);
    expect(await deps({ flow_or_deployment_name: { like_: t("dep-a") } })).toEqual(["D1"]);
    expect(await deps({ flow_or_deployment_name: { like_: t("OTHER-flow") } })).toEqual(["D2"]);
    expect(await deps({ flow_or_deployment_name: { like_: "" } })).toEqual(["D1", "D2"]);
  });

  it("paused: eq_", async () => {
    expect(await deps({ paused: { eq_: true } })).toEqual(["D2"]);
    expect(await deps({ paused: { eq_: false } })).toEqual(["D1"]);
    expect(await deps({ paused: {} })).toEqual(["D1", "D2"]);
  });

  it("tags: all_, any_, is_null_, operator", async () => {
    expect(await deps({ tags: { all_: [t("dt1"), t("dt2")] } })).toEqual(["D1"]);
    expect(await deps({ tags: { any_: [t("dt2"), t("zz")] } })).toEqual(["D1"]);
    expect(await deps({ tags: { any_: [] } })).toEqual([]);
    expect(await deps({ tags: { is_null_: true } })).toEqual(["D2"]);
    expect(await deps({ tags: { operator: "or_", is_null_: true, all_: [t("dt1")] } })).toEqual(["D1", "D2"]);
  });

  it("work_queue_name: any_", async () => {
    expect(await deps({ work_queue_name: { any_: [t("beta")] } })).toEqual(["D2"]);
    expect(await deps({ work_queue_name: { any_: [] } })).toEqual([]);
  });

  it("concurrency_limit is accepted and ignored (deprecated in Prefect), even under or_", async () => {
    expect(await deps({ concurrency_limit: { ge_: 5 } })).toEqual(["D1", "D2"]);
    expect(await deps({ concurrency_limit: { is_null_: true } })).toEqual(["D1", "D2"]);
    expect(await deps({ operator: "or_", name: { any_: [t("dep-a")] }, concurrency_limit: { le_: 1 } })).toEqual(["D1"]);
  });

  it("the resource filter's operator", async () => {
    expect(await deps({ paused: { eq_: true }, tags: { is_null_: false } })).toEqual([]);
    expect(await deps({ operator: "or_", paused: { eq_: true }, tags: { is_null_: false } })).toEqual(["D1", "D2"]);
  });
});

describe("WorkPoolFilter and WorkQueueFilter", () => {
  it("work pools: id, name, type any_; operator", async () => {
    expect(await pools({ id: { any_: [upper(id("P1"))] } })).toEqual(["P1"]);
    expect(await pools({ name: { any_: [t("pool-two")] } })).toEqual(["P2"]);
    expect(await pools({ type: { any_: [t("k8s"), t("process")] } })).toEqual(["P1", "P2"]);
    expect(await pools({ type: { any_: [] } })).toEqual([]);
    expect(await pools({ name: { any_: [t("pool-two")] }, type: { any_: [t("process")] } })).toEqual([]);
    expect(await pools({ operator: "or_", name: { any_: [t("pool-two")] }, type: { any_: [t("process")] } })).toEqual(["P1", "P2"]);
  });

  it("work queues: id any_, name any_ and startswith_ (any prefix, case-insensitive)", async () => {
    expect(await queues({ id: { any_: [bare(id("Q2"))] } })).toEqual(["Q2"]);
    expect(await queues({ name: { any_: [t("Alpha")] } })).toEqual(["Q1"]);
    expect(await queues({ name: { startswith_: ["ALPHA-", "zzz"] } })).toEqual(["Q1"]);
    expect(await queues({ name: { startswith_: ["alpha", "Beta"] } })).toEqual(["Q1", "Q2"]);
    // An empty prefix list is Prefect's empty OR, dropped by SQLAlchemy: no constraint, not even TRUE under or_.
    expect(await queues({ name: { startswith_: [] } })).toEqual(["Q1", "Q2"]);
    expect(await queues({ name: { startswith_: [], any_: [t("beta")] } })).toEqual(["Q2"]);
    expect(await queues({ operator: "or_", id: { any_: [id("Q2")] }, name: { startswith_: [] } })).toEqual(["Q2"]);
    expect(await queues({ operator: "or_", id: { any_: [id("Q2")] }, name: {} })).toEqual(["Q1", "Q2"]);
    expect(await queues({ name: { startswith_: [s.u] } })).toEqual([]);
    expect(await queues({ name: { any_: [t("beta")], startswith_: ["alpha"] } })).toEqual([]);
    expect(await queues({ operator: "or_", id: { any_: [id("Q2")] }, name: { startswith_: ["alpha"] } })).toEqual(["Q1", "Q2"]);
  });
});

describe("FlowFilter", () => {
  it("id, name, tags, deployment", async () => {
    expect(await flows({ flows: { id: { any_: [upper(id("F1"))] } } })).toEqual(["F1"]);
    expect(await flows({ flows: { id: { not_any_: [id("F1")] } } })).toEqual(["F2", "F3"]);
    expect(await flows({ flows: { id: { any_: [] } } })).toEqual([]);
    expect(await flows({ flows: { name: { any_: [t("lonely")] } } })).toEqual(["F3"]);
    expect(await flows({ flows: { name: { like_: "FLOW" } } })).toEqual(["F1", "F2"]);
    expect(await flows({ flows: { tags: { all_: [t("ft1")] } } })).toEqual(["F1", "F3"]);
    expect(await flows({ flows: { tags: { all_: [t("ft1"), t("ft2")] } } })).toEqual(["F1"]);
    expect(await flows({ flows: { tags: { is_null_: true } } })).toEqual(["F2"]);
    expect(await flows({ flows: { tags: { operator: "or_", is_null_: true, all_: [t("ft2")] } } })).toEqual(["F1", "F2"]);
    expect(await flows({ flows: { deployment: { is_null_: true } } })).toEqual(["F3"]);
    expect(await flows({ flows: { deployment: { is_null_: false } } })).toEqual(["F1", "F2"]);
    expect(await flows({ flows: { operator: "or_", deployment: { is_null_: true }, name: { like_: "other" } } })).toEqual(["F2", "F3"]);
  });
});

describe("filters of several resources in one where", () => {
  it("flow runs by their flow, deployment, work pool, queue and task runs", async () => {
    expect(await runs({ flows: { name: { like_: "marvin" } } })).toEqual(["R1", "R2", "R5"]);
    expect(await runs({ flows: {} })).toEqual(ALL_RUNS);
    expect(await runs({ deployments: { paused: { eq_: true } } })).toEqual(["R3"]);
    expect(await runs({ deployments: {} })).toEqual(["R1", "R3"]);
    expect(await runs({ work_pools: { type: { any_: [t("k8s")] } } })).toEqual(["R3"]);
    expect(await runs({ work_pool_queues: { name: { startswith_: ["ALPHA"] } } })).toEqual(["R1"]);
    expect(await runs({ task_runs: { state: { type: { any_: ["RUNNING"] } } } })).toEqual(["R3"]);
    expect(await runs({ task_runs: { subflow_runs: { exists_: true } } })).toEqual(["R1"]);
    expect(await runs({ task_runs: {} })).toEqual(["R1", "R3"]);
    expect(
      await runs({
        flow_runs: { state: { type: { any_: ["COMPLETED", "RUNNING"] } } },
        flows: { tags: { all_: [t("ft1")] } },
        task_runs: { name: { like_: "wrapper" } },
      }),
    ).toEqual(["R1"]);
    expect(
      await runs({
        flow_runs: { state: { type: { any_: ["COMPLETED", "RUNNING"] } } },
        deployments: { tags: { is_null_: true } },
        work_pools: { name: { any_: [t("pool-two")] } },
      }),
    ).toEqual(["R3"]);
    expect(await runs({ flows: { name: { any_: [t("other-flow")] } }, deployments: { name: { any_: [t("dep-a")] } } })).toEqual([]);
  });

  it("task runs by their flow run, flow, deployment, work pool and queue", async () => {
    expect(await tasks({ flow_runs: { state: { type: { any_: ["RUNNING"] } } } })).toEqual(["T3"]);
    expect(await tasks({ flows: { name: { any_: [t("Marvin-flow")] } } })).toEqual(["T1", "T2"]);
    expect(await tasks({ deployments: { name: { any_: [t("dep-MARVIN")] } } })).toEqual(["T3"]);
    expect(await tasks({ work_pools: { name: { any_: [t("pool-one")] } } })).toEqual(["T1", "T2"]);
    expect(await tasks({ work_pool_queues: { id: { any_: [id("Q2")] } } })).toEqual(["T3"]);
    expect(await tasks({ flow_runs: {} })).toEqual(["T1", "T2", "T3"]);
    expect(await tasks({ task_runs: { tags: { is_null_: true } }, flow_runs: { tags: { any_: [t("a")] } } })).toEqual(["T2"]);
  });

  it("task runs filtered only by flow-run ids (Prefect's shortcut) and the same with more criteria", async () => {
    expect(await tasks({ flow_runs: { id: { any_: [upper(id("R1"))] } } })).toEqual(["T1", "T2"]);
    expect(await tasks({ flow_runs: { id: { any_: [id("R1"), id("R3")] } }, task_runs: { tags: { is_null_: false } } })).toEqual(["T1", "T3"]);
    expect(await tasks({ flow_runs: { id: { any_: [] } } })).toEqual([]);
    expect(await tasks({ flow_runs: { id: { any_: [id("R1")] }, name: { any_: ["nope"] } } })).toEqual([]);
    expect(await tasks({ flow_runs: { id: { any_: [id("R1"), id("R3")], not_any_: [id("R3")] } } })).toEqual(["T1", "T2"]);
    expect(await tasks({ flow_runs: { id: { any_: [id("R1")] } }, work_pools: { name: { any_: [t("pool-two")] } } })).toEqual([]);
  });

  it("flows by their deployments, work pools, flow runs and task runs", async () => {
    expect(await flows({ deployments: { tags: { any_: [t("dt1")] } } })).toEqual(["F1"]);
    expect(await flows({ deployments: {} })).toEqual(["F1", "F2"]);
    expect(await flows({ work_pools: { type: { any_: [t("k8s")] } } })).toEqual(["F2"]);
    expect(await flows({ deployments: { paused: { eq_: false } }, work_pools: { type: { any_: [t("k8s")] } } })).toEqual([]);
    expect(await flows({ flow_runs: { state: { type: { any_: ["FAILED"] } } } })).toEqual(["F2"]);
    expect(await flows({ flow_runs: {} })).toEqual(["F1", "F2"]);
    expect(await flows({ task_runs: { tags: { all_: [t("tt2")] } } })).toEqual(["F1"]);
    expect(await flows({ flow_runs: { name: { any_: [t("other")] } }, task_runs: { state: { type: { any_: ["COMPLETED"] } } } })).toEqual([]);
    expect(await flows({ flows: { tags: { is_null_: false } }, flow_runs: { tags: { any_: [t("b")] } } })).toEqual(["F1"]);
  });
});

describe("LogFilter", () => {
  it("an empty text query adds nothing, even under or_; text terms join the filter's own list", async () => {
    const a = uuid4();
    const b = uuid4();
    const now = "2026-01-01T00:00:00.000000Z";
    const row = (id: string, fr: string, message: string) => ({ id, created: now, updated: now, name: "n", level: 20, flow_run_id: fr, message, timestamp: now });
    const L1 = row(uuid4(), a, "hello world");
    const L2 = row(uuid4(), b, "other text");
    await s.db.insert(log).values([L1, L2]);
    const logs = (f: unknown) => pick(log, log.id, { L1, L2 }, whereOf(logFilterSpec, LogFilter.parse(f)));
    expect(await logs({ operator: "or_", flow_run_id: { any_: [upper(a)] }, text: { query: "" } })).toEqual(["L1"]);
    expect(await logs({ operator: "or_", flow_run_id: { any_: [a] }, text: { query: "other" } })).toEqual(["L1", "L2"]);
    expect(await logs({ flow_run_id: { any_: [a] }, text: { query: "other" } })).toEqual([]);
    expect(await logs({ text: { query: "HELLO" } })).toEqual(["L1"]);
  });
});
