import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import { flowRunWhere, taskRunWhere, type ResourceFilters } from "../../src/db/filters";
import { selectPage } from "../../src/db/page";
import type { Pieces } from "../../src/lib/pieces";
import { filterFlowRuns, paginateFlowRuns } from "../../src/db/queries/flow-runs";
import { filterTaskRuns } from "../../src/db/queries/task-runs";
import { flowRunHistory } from "../../src/db/queries/ui-runs";
import { flow, flowRun, taskRun } from "../../src/db/schema";
import { flowRunOrder, taskRunOrder } from "../../src/db/sorts";
import { uuid4 } from "../../src/lib/ids";
import { limitCheckedD1 } from "../../src/lib/d1-limits/checked-d1";
import { FlowRunSort, TaskRunSort } from "../../src/schemas/prefect.gen";
import { recordingDb } from "../fixtures/recording-d1";

/*
 * A page whose filter asks for several states is read state by state and merged (src/db/page.ts,
 * pageOf) where an index on (state_type, sort key) serves the sort. Whatever the sort, filter,
 * offset or ties, it must answer exactly the page the plain `WHERE … ORDER BY … LIMIT … OFFSET`
 * answers. The statements go through the production-limits checker.
 */

const STATES = ["SCHEDULED", "PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "CRASHED", "PAUSED", "CANCELLING"];
// Few distinct times and names: many ties, so the rowid tiebreak decides much of every order.
const TIMES = Array.from({ length: 6 }, (_, i) => `2026-01-0${i + 1}T00:00:00.000000Z`);

/** A deterministic pseudo-random sequence (the same rows every run). */
function prng(seed: number) {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

const flowId = uuid4();
const runIds: string[] = [];

beforeAll(async () => {
  const db = getDb(env.DB);
  const r = prng(7);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const maybe = <T>(x: T, p = 0.5): T | null => (r() < p ? x : null);
  await db.insert(flow).values({ id: flowId, created: TIMES[0], updated: TIMES[0], name: `merged-${flowId}` });
  const runs = Array.from({ length: 240 }, (_, i) => {
    // No run is CANCELLING; few are PAUSED.
    const state = i % 40 === 0 ? "PAUSED" : pick(STATES.slice(0, 7));
    return {
      id: uuid4(),
      created: TIMES[0],
      updated: TIMES[0],
      name: `run-${pick(["a", "b", "c", "ab"])}`,
      flow_id: flowId,
      state_type: state,
      state_name: state === "SCHEDULED" ? pick(["Scheduled", "Late"]) : state[0] + state.slice(1).toLowerCase(),
      expected_start_time: maybe(pick(TIMES), 0.9),
      start_time: maybe(pick(TIMES)),
      end_time: maybe(pick(TIMES)),
      next_scheduled_start_time: maybe(pick(TIMES)),
      tags: r() < 0.3 ? ["nightly"] : [],
    };
  });
  await db.batch(runs.map((run) => db.insert(flowRun).values(run)) as any);
  runIds.push(...runs.map((x) => x.id));
  const tasks = runs.flatMap((run, i) =>
    i % 2
      ? []
      : [
          {
            id: uuid4(),
            created: TIMES[0],
            updated: TIMES[0],
            name: `task-${pick(["a", "b"])}`,
            flow_run_id: run.id,
            task_key: "k",
            dynamic_key: "0",
            state_type: i % 40 === 0 ? "PAUSED" : pick(STATES.slice(0, 7)),
            state_name: "x",
            expected_start_time: maybe(pick(TIMES), 0.9),
            end_time: maybe(pick(TIMES)),
            next_scheduled_start_time: maybe(pick(TIMES)),
          },
        ],
  );
  await db.batch(tasks.map((task) => db.insert(taskRun).values(task)) as any);
});

/** A drizzle handle that refuses what production D1 refuses and records every statement. */
const checked = () => recordingDb(limitCheckedD1(env.DB));

const withFlow = (f: Record<string, any>): Record<string, any> => ({ ...f, flows: { id: { any_: [flowId] } } });

const FLOW_RUN_FILTERS: [string, ResourceFilters][] = [
  ["two states", withFlow({ flow_runs: { state: { type: { any_: ["COMPLETED", "FAILED"] } } } })],
  ["two states no run is in", withFlow({ flow_runs: { state: { type: { any_: ["PAUSED", "CANCELLING"] } } } })],
  ["every state", withFlow({ flow_runs: { state: { type: { any_: STATES } } } })],
  ["repeated states", withFlow({ flow_runs: { state: { type: { any_: ["FAILED", "RUNNING", "FAILED"] } } } })],
  ["states and a name", withFlow({ flow_runs: { name: { like_: "a" }, state: { type: { any_: ["SCHEDULED", "RUNNING", "PENDING"] } } } })],
  ["states and a tag", withFlow({ flow_runs: { tags: { all_: ["nightly"] }, state: { type: { any_: ["SCHEDULED", "COMPLETED"] } } } })],
  ["states and a state name", withFlow({ flow_runs: { state: { type: { any_: ["SCHEDULED", "FAILED"] }, name: { any_: ["Late", "Failed"] } } } })],
  ["states or a state name", withFlow({ flow_runs: { state: { operator: "or_", type: { any_: ["RUNNING", "FAILED"] }, name: { any_: ["Late"] } } } })],
  ["states or a tag", withFlow({ flow_runs: { operator: "or_", tags: { all_: ["nightly"] }, state: { type: { any_: ["RUNNING", "FAILED"] } } } })],
  ["states with an empty not_any_", withFlow({ flow_runs: { state: { type: { any_: ["RUNNING", "CRASHED"], not_any_: [] } } } })],
  ["states with a not_any_", withFlow({ flow_runs: { state: { type: { any_: ["RUNNING", "CRASHED"], not_any_: ["RUNNING"] } } } })],
  ["one state", withFlow({ flow_runs: { state: { type: { any_: ["FAILED"] } } } })],
  ["states of the flow runs of task runs", withFlow({ flow_runs: { state: { type: { any_: ["COMPLETED", "SCHEDULED"] } } }, task_runs: { name: { like_: "a" } } })],
];

// [limit, offset]: first page, pages inside and across branches, a page past every row.
const WINDOWS: [number, number][] = [
  [20, 0],
  [7, 3],
  [20, 20],
  [1, 45],
  [13, 52],
  [20, 300],
];

/** The ids of a page: a list, or pieces (one here: the rows are small). */
const ids = (rows: { id: string }[] | Pieces<{ id: string }>) => (Array.isArray(rows) ? rows : (expect(rows.rest).toBeUndefined(), rows.first)).map((r) => r.id);

describe("a flow-run page over several states", () => {
  it.each(FlowRunSort.options)("%s: every filter and window answers the plain query's page", async (sort) => {
    const plain = getDb(env.DB);
    for (const [name, filters] of FLOW_RUN_FILTERS) {
      for (const [limit, offset] of WINDOWS) {
        const expected = ids(await selectPage(plain, flowRun, { where: flowRunWhere(filters), orderBy: flowRunOrder(sort), limit, offset }));
        const { db } = checked();
        expect({ name, limit, offset, page: ids(await filterFlowRuns(db, filters, sort, limit, offset)) }).toEqual({ name, limit, offset, page: expected });
      }
    }
  });

  it("is read state by state for the sorts an index on (state_type, sort key) serves, and only where the states are ANDed", async () => {
    const merged = async (filters: ResourceFilters, sort: (typeof FlowRunSort.options)[number]) => {
      const { db, seen } = checked();
      await filterFlowRuns(db, filters, sort, 20, 0);
      return [...seen].some((s) => s.includes("UNION ALL"));
    };
    const filters = Object.fromEntries(FLOW_RUN_FILTERS);
    for (const sort of ["START_TIME_DESC", "START_TIME_ASC", "EXPECTED_START_TIME_DESC", "EXPECTED_START_TIME_ASC"] as const) {
      expect(await merged(filters["two states"], sort)).toBe(true);
      expect(await merged(filters["states and a state name"], sort)).toBe(true);
      expect(await merged(filters["states or a state name"], sort)).toBe(false);
      expect(await merged(filters["states or a tag"], sort)).toBe(false);
      expect(await merged(filters["states with a not_any_"], sort)).toBe(false);
      expect(await merged(filters["one state"], sort)).toBe(false);
    }
    for (const sort of ["ID_DESC", "NAME_ASC", "END_TIME_DESC", "NEXT_SCHEDULED_START_TIME_ASC"] as const)
      expect(await merged(filters["two states"], sort)).toBe(false);
  });

  it("falls back to the plain page where the branches would exceed D1's 100 bound parameters", async () => {
    // 15 parameters per branch: nine states take 9 × 15; two take 30.
    const busy = (states: string[]) =>
      withFlow({
        flow_runs: {
          state: { type: { any_: states } },
          name: { any_: ["run-a", "run-b", "run-c", "run-ab"], like_: "run" },
          expected_start_time: { after_: TIMES[0], before_: TIMES[5] },
          next_scheduled_start_time: { after_: "2000-01-01T00:00:00Z", before_: "2100-01-01T00:00:00Z" },
          flow_version: { any_: ["1", "2"] },
          id: { not_any_: [uuid4()] },
          tags: { all_: ["nightly"] },
        },
      });
    for (const [states, union] of [
      [STATES, false],
      [["COMPLETED", "FAILED"], true],
    ] as const) {
      const filters = busy([...states]);
      const expected = ids(await selectPage(getDb(env.DB), flowRun, { where: flowRunWhere(filters), orderBy: flowRunOrder("START_TIME_DESC"), limit: 20, offset: 0 }));
      const { db, seen } = checked();
      expect(ids(await filterFlowRuns(db, filters, "START_TIME_DESC", 20, 0))).toEqual(expected);
      expect([...seen].some((s) => s.includes("UNION ALL"))).toBe(union);
    }
  });

  it("reads the plain page past 10 000 rows per state (offset + limit)", async () => {
    const filters = Object.fromEntries(FLOW_RUN_FILTERS)["two states"];
    const { db, seen } = checked();
    expect(ids(await filterFlowRuns(db, filters, "START_TIME_DESC", 200, 9_801))).toEqual([]);
    expect([...seen].some((s) => s.includes("UNION ALL"))).toBe(false);
  });

  it("paginate and the UI's run history answer the merged page too", async () => {
    const filters = Object.fromEntries(FLOW_RUN_FILTERS)["every state"];
    const expected = ids(await selectPage(getDb(env.DB), flowRun, { where: flowRunWhere(filters), orderBy: flowRunOrder("EXPECTED_START_TIME_DESC"), limit: 15, offset: 30 }));
    const { db, seen } = checked();
    const page = await paginateFlowRuns(db, filters, "EXPECTED_START_TIME_DESC", 15, 30);
    expect({ ids: ids(page.results), count: page.count }).toEqual({ ids: expected, count: runIds.length });
    expect(ids(await flowRunHistory(db, filters, "EXPECTED_START_TIME_DESC", 15, 30))).toEqual(expected);
    expect([...seen].filter((s) => s.includes("UNION ALL"))).toHaveLength(2);
  });
});

const TASK_RUN_FILTERS: [string, ResourceFilters][] = [
  ["two states", { task_runs: { state: { type: { any_: ["COMPLETED", "FAILED"] } } }, flows: { id: { any_: [flowId] } } }],
  ["two states no task run is in", { task_runs: { state: { type: { any_: ["PAUSED", "CANCELLING"] } } }, flows: { id: { any_: [flowId] } } }],
  ["every state", { task_runs: { state: { type: { any_: STATES } } }, flows: { id: { any_: [flowId] } } }],
  ["states and a name", { task_runs: { name: { like_: "a" }, state: { type: { any_: ["SCHEDULED", "RUNNING", "PENDING"] } } }, flows: { id: { any_: [flowId] } } }],
  ["states or a name", { task_runs: { operator: "or_", name: { like_: "a" }, state: { type: { any_: ["SCHEDULED", "RUNNING"] } } }, flows: { id: { any_: [flowId] } } }],
  ["states of their flow runs", { task_runs: { name: { like_: "task" } }, flow_runs: { state: { type: { any_: ["SCHEDULED", "RUNNING"] } } }, flows: { id: { any_: [flowId] } } }],
];

describe("a task-run page over several states", () => {
  it.each(TaskRunSort.options)("%s: every filter and window answers the plain query's page", async (sort) => {
    const plain = getDb(env.DB);
    for (const [name, filters] of TASK_RUN_FILTERS) {
      for (const [limit, offset] of WINDOWS) {
        const expected = ids(await selectPage(plain, taskRun, { where: taskRunWhere(filters), orderBy: taskRunOrder(sort), limit, offset }));
        const { db } = checked();
        expect({ name, limit, offset, page: ids(await filterTaskRuns(db, filters, sort, limit, offset)) }).toEqual({ name, limit, offset, page: expected });
      }
    }
  });

  it("is read state by state for EXPECTED_START_TIME sorts", async () => {
    const filters = Object.fromEntries(TASK_RUN_FILTERS);
    for (const [sort, f, union] of [
      ["EXPECTED_START_TIME_DESC", filters["two states"], true],
      ["EXPECTED_START_TIME_ASC", filters["states and a name"], true],
      ["EXPECTED_START_TIME_DESC", filters["states or a name"], false],
      ["NAME_ASC", filters["two states"], false],
    ] as const) {
      const { db, seen } = checked();
      await filterTaskRuns(db, f, sort, 20, 0);
      expect({ sort, union: [...seen].some((s) => s.includes("UNION ALL")) }).toEqual({ sort, union });
    }
  });
});
