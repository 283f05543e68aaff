import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { filterFlowRuns } from "../../src/db/queries/flow-runs";
import { FlowRunSort } from "../../src/schemas/prefect.gen";
import { queryPlan, recordingDb } from "../fixtures/recording-d1";

/**
 * A page of flow runs in any of Prefect's sorts reads the sort's index in order and stops at the
 * page's end: with a million runs, sorting them all for 20 would cost seconds (Prefect indexes the
 * same sort keys, START_TIME's coalesce(start_time, expected_start_time) included).
 */
describe("flow-run sorts", () => {
  it.each(FlowRunSort.options)("%s reads an index in order (no sort step)", async (sort) => {
    const { db, seen } = recordingDb(env.DB);
    await filterFlowRuns(db, {} as any, sort, 20, 0);
    const [sql] = [...seen];
    const plan = await queryPlan(env.DB, sql);
    expect(plan.filter((step) => step.startsWith("USE TEMP B-TREE") || step === "SCAN flow_run")).toEqual([]);
  });
});
