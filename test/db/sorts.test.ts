import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { inArray, type SQL } from "drizzle-orm";
import { sqliteTable, text, type SQLiteColumn, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { deployment, flow, flowRun, log, taskRun } from "../../src/db/schema";
import {
  artifactOrder,
  blockDocumentOrder,
  deploymentOrder,
  flowOrder,
  flowRunOrder,
  logOrder,
  taskRunOrder,
  namedResourceOrder,
} from "../../src/db/sorts";
import {
  ArtifactCollectionSort,
  ArtifactSort,
  AutomationSort,
  BlockDocumentSort,
  DeploymentSort,
  FlowRunSort,
  FlowSort,
  LogSort,
  TaskRunSort,
  VariableSort,
} from "../../src/schemas/prefect.gen";
import { seeder } from "../fixtures/filter-seed";
import { uuid4 } from "../../src/lib/ids";

let s: ReturnType<typeof seeder>;
const day = (d: number, hms = "00:00:00") => `2026-01-0${d}T${hms}.000000Z`;

/** The labels of `world`'s rows in the order `orderBy` gives them. */
async function ordered(table: SQLiteTable, idCol: SQLiteColumn, world: Record<string, { id: string }>, orderBy: SQL[]) {
  const byId = new Map(Object.entries(world).map(([label, row]) => [row.id, label]));
  const rows = await s.db
    .select({ id: idCol })
    .from(table)
    .where(inArray(idCol, [...byId.keys()]))
    .orderBy(...orderBy);
  return rows.map((r) => byId.get(r.id as string)!);
}

/** Labels sorted by id, descending (what ID_DESC must answer). */
const byIdDesc = (world: Record<string, { id: string }>) =>
  Object.entries(world)
    .sort(([, a], [, b]) => (a.id < b.id ? 1 : -1))
    .map(([label]) => label);

/** Checks one expectation per enum value, and that the expectations cover the whole enum. */
async function checkAll<K extends string>(options: readonly K[], expected: Record<K, string[]>, run: (sort: K) => Promise<string[]>) {
  expect(Object.keys(expected).sort()).toEqual([...options].sort());
  for (const sort of options) expect({ sort, order: await run(sort) }).toEqual({ sort, order: expected[sort] });
}

// Rows are inserted in label order (A first), so insertion order (rowid) is the label order.
const runs: Record<string, any> = {};
const tasks: Record<string, any> = {};
const flows: Record<string, any> = {};
const deps: Record<string, any> = {};
const logs: Record<string, any> = {};

beforeAll(async () => {
  s = seeder();
  const n = (x: string) => `${s.u}-${x}`;
  const F = await s.flow();
  // coalesce(start, expected): A 01-02, B 01-03, C null, D 01-01T12, E 01-02.
  const rows = {
    A: { name: n("b"), start_time: null, expected_start_time: day(2), next_scheduled_start_time: day(2), end_time: null },
    B: { name: n("a"), start_time: day(3), expected_start_time: day(1), next_scheduled_start_time: null, end_time: day(4) },
    C: { name: n("c"), start_time: null, expected_start_time: null, next_scheduled_start_time: day(1), end_time: day(5) },
    D: { name: n("a"), start_time: day(1, "12:00:00"), expected_start_time: day(1), next_scheduled_start_time: day(2), end_time: day(4) },
    E: { name: n("b"), start_time: null, expected_start_time: day(2), next_scheduled_start_time: null, end_time: null },
  };
  for (const [label, r] of Object.entries(rows)) runs[label] = await s.flowRun({ flow_id: F.id, ...r });
  for (const [label, r] of Object.entries(rows)) tasks[label] = await s.taskRun({ flow_run_id: null, ...r });

  // created: X 01-02, Y 01-01, Z 01-02 (tie with X); updated: X 01-03, Y 01-05, Z 01-01.
  const stamps = {
    X: { name: n("m"), created: day(2), updated: day(3) },
    Y: { name: n("z"), created: day(1), updated: day(5) },
    Z: { name: n("a"), created: day(2), updated: day(1) },
  };
  for (const [label, r] of Object.entries(stamps)) flows[label] = await s.flow(r);
  for (const [label, r] of Object.entries(stamps)) deps[label] = await s.deployment({ flow_id: F.id, ...r });

  const fr = uuid4();
  const entry = (timestamp: string) => ({ id: uuid4(), created: day(1), updated: day(1), name: "n", level: 20, message: "m", flow_run_id: fr, timestamp });
  for (const [label, ts] of Object.entries({ L1: day(2), L2: day(1), L3: day(2), L4: day(3) })) {
    logs[label] = entry(ts);
    await s.db.insert(log).values(logs[label]);
  }
});

describe("sorts", () => {
  it("FlowRunSort: every value; NULLs smallest; ties in insertion order, reversed when descending", async () => {
    await checkAll(FlowRunSort.options, {
      ID_DESC: byIdDesc(runs),
      START_TIME_ASC: ["C", "D", "A", "E", "B"],
      START_TIME_DESC: ["B", "E", "A", "D", "C"],
      EXPECTED_START_TIME_ASC: ["C", "B", "D", "A", "E"],
      EXPECTED_START_TIME_DESC: ["E", "A", "D", "B", "C"],
      NAME_ASC: ["B", "D", "A", "E", "C"],
      NAME_DESC: ["C", "E", "A", "D", "B"],
      NEXT_SCHEDULED_START_TIME_ASC: ["B", "E", "C", "A", "D"],
      END_TIME_DESC: ["C", "D", "B", "E", "A"],
    }, (sort) => ordered(flowRun, flowRun.id, runs, flowRunOrder(sort)));
  });

  it("TaskRunSort: every value", async () => {
    await checkAll(TaskRunSort.options, {
      ID_DESC: byIdDesc(tasks),
      EXPECTED_START_TIME_ASC: ["C", "B", "D", "A", "E"],
      EXPECTED_START_TIME_DESC: ["E", "A", "D", "B", "C"],
      NAME_ASC: ["B", "D", "A", "E", "C"],
      NAME_DESC: ["C", "E", "A", "D", "B"],
      NEXT_SCHEDULED_START_TIME_ASC: ["B", "E", "C", "A", "D"],
      END_TIME_DESC: ["C", "D", "B", "E", "A"],
    }, (sort) => ordered(taskRun, taskRun.id, tasks, taskRunOrder(sort)));
  });

  it("FlowSort and DeploymentSort: every value", async () => {
    const expected = {
      CREATED_DESC: ["Z", "X", "Y"],
      UPDATED_DESC: ["Y", "X", "Z"],
      NAME_ASC: ["Z", "X", "Y"],
      NAME_DESC: ["Y", "X", "Z"],
    };
    await checkAll(FlowSort.options, expected, (sort) => ordered(flow, flow.id, flows, flowOrder(sort)));
    await checkAll(DeploymentSort.options, expected, (sort) => ordered(deployment, deployment.id, deps, deploymentOrder(sort)));
  });

  it("LogSort: every value, ties in insertion order", async () => {
    await checkAll(LogSort.options, {
      TIMESTAMP_ASC: ["L2", "L1", "L3", "L4"],
      TIMESTAMP_DESC: ["L4", "L3", "L1", "L2"],
    }, (sort) => ordered(log, log.id, logs, logOrder(sort)));
  });

  it("artifact, variable, automation and block-document sorts over a table that brings the columns", async () => {
    await env.DB.exec(
      "CREATE TABLE IF NOT EXISTS sort_probe (id TEXT PRIMARY KEY, created TEXT, updated TEXT, name TEXT, key TEXT, block_type_name TEXT)",
    );
    const probe = sqliteTable("sort_probe", {
      id: text("id").primaryKey(),
      created: text("created"),
      updated: text("updated"),
      name: text("name"),
      key: text("key"),
      block_type_name: text("block_type_name"),
    });
    const items: Record<string, { id: string }> = {};
    const values = {
      P: { created: day(2), updated: day(1), name: "b", key: "k2", block_type_name: "t2" },
      Q: { created: day(1), updated: day(3), name: "a", key: "k1", block_type_name: "t2" },
      R: { created: day(2), updated: day(2), name: "c", key: "k1", block_type_name: "t1" },
    };
    for (const [label, v] of Object.entries(values)) {
      items[label] = { id: uuid4(), ...v };
      await s.db.insert(probe).values(items[label] as any);
    }
    const artifacts = {
      CREATED_DESC: ["R", "P", "Q"],
      UPDATED_DESC: ["Q", "R", "P"],
      ID_DESC: byIdDesc(items),
      KEY_DESC: ["P", "R", "Q"],
      KEY_ASC: ["Q", "R", "P"],
    };
    await checkAll(ArtifactSort.options, artifacts, (sort) => ordered(probe, probe.id, items, artifactOrder(sort, probe)));
    await checkAll(ArtifactCollectionSort.options, artifacts, (sort) => ordered(probe, probe.id, items, artifactOrder(sort, probe)));
    await checkAll(VariableSort.options, {
      CREATED_DESC: ["R", "P", "Q"],
      UPDATED_DESC: ["Q", "R", "P"],
      NAME_DESC: ["R", "P", "Q"],
      NAME_ASC: ["Q", "P", "R"],
    }, (sort) => ordered(probe, probe.id, items, namedResourceOrder(sort, probe)));
    await checkAll(AutomationSort.options, {
      CREATED_DESC: ["R", "P", "Q"],
      UPDATED_DESC: ["Q", "R", "P"],
      NAME_ASC: ["Q", "P", "R"],
      NAME_DESC: ["R", "P", "Q"],
    }, (sort) => ordered(probe, probe.id, items, namedResourceOrder(sort, probe)));
    await checkAll(BlockDocumentSort.options, {
      NAME_DESC: ["R", "P", "Q"],
      NAME_ASC: ["Q", "P", "R"],
      BLOCK_TYPE_AND_NAME_ASC: ["R", "Q", "P"],
    }, (sort) => ordered(probe, probe.id, items, blockDocumentOrder(sort, probe)));
  });
});
