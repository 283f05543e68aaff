import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { SERVICES } from "../../src/services/cron";
import type { Bindings } from "../../src/env";
import { api, unique } from "../helpers";

/** The query plan of a page of runs filtered by state, sorted by expected start time (POST /flow_runs/filter). */
async function planOfFilteredPage(): Promise<string[]> {
  const sql = `EXPLAIN QUERY PLAN SELECT id FROM flow_run WHERE state_type IN (SELECT value FROM json_each(?))
               ORDER BY expected_start_time DESC, rowid DESC LIMIT 50`;
  const { results } = await env.DB.prepare(sql).bind('["FAILED"]').all<{ detail: string }>();
  return results.map((r) => r.detail);
}

describe("the planner-statistics service", () => {
  it("lets a filtered, sorted page of many runs read the sort index in order instead of sorting every match", async () => {
    const flow = (await api("POST", "/flows/", { name: unique("stats") })).body;
    await env.DB.prepare(
      `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 4000)
       INSERT INTO flow_run (id, created, updated, name, flow_id, state_type, state_name, expected_start_time)
       SELECT lower(hex(randomblob(16))), 'x', 'x', 'run-' || x, ?1,
              CASE x % 4 WHEN 0 THEN 'COMPLETED' WHEN 1 THEN 'FAILED' WHEN 2 THEN 'RUNNING' ELSE 'SCHEDULED' END, 'n',
              strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || x || ' seconds')
       FROM n`,
    )
      .bind(flow.id)
      .run();
    // (No plan is asked for before: planning marks the table for a plain PRAGMA optimize, which
    // then would analyze it too; the service must not depend on that. Without statistics the
    // plan sorts: "USE TEMP B-TREE FOR ORDER BY".)
    const warn = vi.spyOn(console, "warn");
    await SERVICES["planner-statistics"](env as unknown as Bindings);
    expect(warn).not.toHaveBeenCalled(); // the form that looks at every table ran
    warn.mockRestore();
    const plan = await planOfFilteredPage();
    expect(plan).toContain("SCAN flow_run USING INDEX ix_flow_run_expected_start_time");
    expect(plan).not.toContain("USE TEMP B-TREE FOR ORDER BY");
  });
});
