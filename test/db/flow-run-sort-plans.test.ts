import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import { filterFlowRuns } from "../../src/db/queries/flow-runs";
import { FlowRunSort } from "../../src/schemas/prefect.gen";
import { refreshPlannerStatistics } from "../../src/services/planner-statistics";
import { queryPlan, recordingDb } from "../fixtures/recording-d1";

/** The query plan of a page of 20 flow runs matching `filter` in `sort`. */
async function planOfPage(filter: object, sort: (typeof FlowRunSort.options)[number]): Promise<string[]> {
  const { db, seen } = recordingDb(env.DB);
  await filterFlowRuns(db, filter as any, sort, 20, 0);
  const [sql] = [...seen];
  return queryPlan(env.DB, sql);
}

const sorting = (plan: string[]) => plan.filter((step) => step.startsWith("USE TEMP B-TREE") || step === "SCAN flow_run");

/**
 * A page of flow runs in any of Prefect's sorts reads the sort's index in order and stops at the
 * page's end: with a million runs, sorting them all for 20 would cost seconds (Prefect indexes the
 * same sort keys, START_TIME's coalesce(start_time, expected_start_time) included).
 */
describe("flow-run sorts", () => {
  it.each(FlowRunSort.options)("%s reads an index in order (no sort step)", async (sort) => {
    expect(sorting(await planOfPage({}, sort))).toEqual([]);
  });

  /*
   * Filtered by one state, the UI's sorts read (state_type, sort key) from that state's first
   * entry: a state no run is in costs one index probe, not a walk of the whole sort index.
   */
  describe.each([
    ["EXPECTED_START_TIME_DESC", "ix_flow_run_state_type_expected_start_time"],
    ["EXPECTED_START_TIME_ASC", "ix_flow_run_state_type_expected_start_time"],
    ["START_TIME_DESC", "ix_flow_run_state_type_coalesce_start_time_expected_start_time"],
    ["START_TIME_ASC", "ix_flow_run_state_type_coalesce_start_time_expected_start_time"],
  ] as const)("%s with a state filter", (sort, index) => {
    const oneState = { flow_runs: { state: { type: { any_: ["PAUSED"] } } } };

    it(`searches ${index} by state, in order (no sort step)`, async () => {
      const plan = await planOfPage(oneState, sort);
      expect(plan).toContain(`SEARCH flow_run USING INDEX ${index} (state_type=?)`);
      expect(sorting(plan)).toEqual([]);
    });

    it("still does once the planner's statistics describe many runs in a few states", async () => {
      await manyRunsInFewStates();
      const plan = await planOfPage(oneState, sort);
      expect(plan).toContain(`SEARCH flow_run USING INDEX ${index} (state_type=?)`);
      expect(sorting(plan)).toEqual([]);
    });

    // Several states' entries are not in the sort's order, and SQLite keeps no per-value statistics
    // to see that a state is rare: it would read the sort's own index until the page is full (to
    // its end when the states are empty). Each state is read in order instead, and the page is
    // chosen among the rows those reads stopped at (src/db/page.ts, pageOf).
    it.each([
      ["two states", ["COMPLETED", "FAILED"]],
      ["every state", ["SCHEDULED", "PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "CRASHED", "PAUSED", "CANCELLING"]],
    ])("with %s, searches the index once per state and sorts only the rows those searches read", async (_, states) => {
      await manyRunsInFewStates();
      const plan = await planOfPage({ flow_runs: { state: { type: { any_: states } } } }, sort);
      const searches = [`SEARCH flow_run USING INDEX ${index} (state_type=?)`, `SEARCH flow_run USING COVERING INDEX ${index} (state_type=?)`];
      expect(plan.filter((step) => searches.includes(step))).toHaveLength(states.length);
      expect(plan).toContain("SEARCH flow_run USING INTEGER PRIMARY KEY (rowid=?)");
      expect(plan.filter((step) => step.startsWith("SCAN flow_run"))).toEqual([]);
      // The one sort step is the outer query's, over the merged rows (the page's last step).
      expect(plan.filter((step) => step.startsWith("USE TEMP B-TREE"))).toEqual(["USE TEMP B-TREE FOR ORDER BY"]);
      // The page runs as a co-routine of page.ts's wrapper, whose scan of it comes last.
      expect(plan.at(-1)).toMatch(/^SCAN \(subquery-\d+\)$/);
      expect(plan.at(-2)).toBe("USE TEMP B-TREE FOR ORDER BY");
    });
  });
});

/** 4 000 runs in four states, and the planner's statistics of them. */
async function manyRunsInFewStates(): Promise<void> {
  await env.DB.prepare(
    `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 4000)
     INSERT INTO flow_run (id, created, updated, name, flow_id, state_type, state_name, expected_start_time, start_time)
     SELECT lower(hex(randomblob(16))), 'x', 'x', 'run-' || x, 'f',
            CASE x % 4 WHEN 0 THEN 'COMPLETED' WHEN 1 THEN 'FAILED' WHEN 2 THEN 'RUNNING' ELSE 'SCHEDULED' END, 'n',
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || x || ' seconds'),
            CASE WHEN x % 4 < 3 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || x || ' seconds') END
     FROM n`,
  ).run();
  await refreshPlannerStatistics(getDb(env.DB));
}
