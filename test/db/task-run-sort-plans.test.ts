import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import { filterTaskRuns } from "../../src/db/queries/task-runs";
import { refreshPlannerStatistics } from "../../src/services/planner-statistics";
import { queryPlan, recordingDb } from "../fixtures/recording-d1";

/** The query plan of a page of 20 task runs in `states`, newest expected start first (the UI's sort). */
async function planOfPage(states: string[]): Promise<string[]> {
  const { db, seen } = recordingDb(env.DB);
  await filterTaskRuns(db, { task_runs: { state: { type: { any_: states } } } } as any, "EXPECTED_START_TIME_DESC", 20, 0);
  const [sql] = [...seen];
  return queryPlan(env.DB, sql);
}

const INDEX = "ix_task_run_state_type_expected_start_time";
const searches = [`SEARCH task_run USING INDEX ${INDEX} (state_type=?)`, `SEARCH task_run USING COVERING INDEX ${INDEX} (state_type=?)`];

/*
 * Filtered by state in the UI's sort, task runs read (state_type, expected_start_time) in order
 * from each state's first entry: a state no task run is in costs one probe, however many task
 * runs there are; several states are read one by one and merged (src/db/page.ts, pageOf).
 */
describe("task-run pages by state, EXPECTED_START_TIME_DESC", () => {
  it("one state: searches the index by state, in order (no sort step)", async () => {
    await manyTaskRunsInFewStates();
    const plan = await planOfPage(["PAUSED"]);
    expect(plan.filter((step) => searches.includes(step))).toHaveLength(1);
    expect(plan.filter((step) => step.startsWith("USE TEMP B-TREE") || step.startsWith("SCAN task_run"))).toEqual([]);
  });

  it("several states: one search per state, and only the rows they read are sorted", async () => {
    await manyTaskRunsInFewStates();
    const plan = await planOfPage(["PAUSED", "CANCELLING", "FAILED"]);
    expect(plan.filter((step) => searches.includes(step))).toHaveLength(3);
    expect(plan.filter((step) => step.startsWith("SCAN task_run"))).toEqual([]);
    expect(plan.filter((step) => step.startsWith("USE TEMP B-TREE"))).toEqual(["USE TEMP B-TREE FOR ORDER BY"]);
    // The page runs as a co-routine of page.ts's wrapper, whose scan of it comes last.
    expect(plan.at(-1)).toMatch(/^SCAN \(subquery-\d+\)$/);
    expect(plan.at(-2)).toBe("USE TEMP B-TREE FOR ORDER BY");
  });
});

/** 4 000 task runs in four states, and the planner's statistics of them. */
async function manyTaskRunsInFewStates(): Promise<void> {
  await env.DB.prepare(
    `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 4000)
     INSERT INTO task_run (id, created, updated, name, flow_run_id, task_key, dynamic_key, state_type, state_name, expected_start_time)
     SELECT lower(hex(randomblob(16))), 'x', 'x', 'task-' || x, lower(hex(randomblob(16))), 'k', '0',
            CASE x % 4 WHEN 0 THEN 'COMPLETED' WHEN 1 THEN 'FAILED' WHEN 2 THEN 'RUNNING' ELSE 'SCHEDULED' END, 'n',
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || x || ' seconds')
     FROM n`,
  ).run();
  await refreshPlannerStatistics(getDb(env.DB));
}
