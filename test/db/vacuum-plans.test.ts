import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { vacuumEvents } from "../../src/services/db-vacuum/events";
import { vacuumFlowRuns } from "../../src/services/db-vacuum/flow-runs";
import { seedEvents } from "../fixtures/events";
import { seedFlowRun, seedLog, seedTaskRun } from "../fixtures/runs";
import { queryPlan, recordingDb } from "../fixtures/recording-d1";
import { toIso } from "../../src/lib/time";

/** Tables that grow with use: a statement reaches their rows through an index, and sorts none of them. */
const GROWING = ["event", "event_resource", "flow_run", "flow_run_state", "flow_run_input", "task_run", "task_run_state", "log", "artifact"];
const fullScan = new RegExp(`^SCAN (${GROWING.join("|")})( AS \\w+)?$`);

describe("the vacuum's statements", () => {
  it("read every growing table through an index, in index order (no full scan or sort, however large it is)", async () => {
    await seedEvents(3, { daysAgo: 10 });
    await seedEvents(3, { daysAgo: 2, event: "prefect.flow-run.heartbeat" });
    const run = await seedFlowRun({ states: [{ type: "COMPLETED" }], end_time: toIso(Date.now() - 200 * 86_400_000) });
    const task = await seedTaskRun({ flow_run_id: run.id, states: [{ type: "COMPLETED" }] });
    await seedLog({ flow_run_id: run.id, task_run_id: task.id });
    await seedLog({ flow_run_id: crypto.randomUUID() });

    const { db, seen } = recordingDb(env.DB);
    const vars = {
      ...env,
      PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED: "true",
      PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES: '{"prefect.flow-run.heartbeat": 86400}',
    } as any;
    await vacuumEvents(vars, db);
    await vacuumFlowRuns(vars, db);
    const statements = [...seen].filter((q) => !/configuration/.test(q));
    expect(statements.length).toBeGreaterThanOrEqual(17);

    for (const sql of statements) {
      const plan = await queryPlan(env.DB, sql);
      const bad = plan.filter((step) => fullScan.test(step) || step.startsWith("USE TEMP B-TREE"));
      expect({ sql, bad }).toEqual({ sql, bad: [] });
    }
    const plans = await Promise.all(statements.map((q) => queryPlan(env.DB, q)));
    expect(plans.flat()).toContain("SEARCH event USING INDEX ix_event_event_occurred (event=? AND occurred<?)");
    expect(plans.flat()).toContain("SEARCH flow_run USING INDEX ix_flow_run_parent_task_run_id_end_time (parent_task_run_id=? AND end_time<?)");
  });
});
