import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import { markLateRuns } from "../../src/services/late-runs";
import { api, unique } from "../helpers";

async function scheduledRun(secondsFromNow: number) {
  const flow = (await api("POST", "/flows/", { name: unique("late") })).body;
  const at = new Date(Date.now() + secondsFromNow * 1000).toISOString();
  return (await api("POST", "/flow_runs/", { flow_id: flow.id, state: { type: "SCHEDULED", state_details: { scheduled_time: at } } })).body;
}

describe("late runs service", () => {
  it("marks SCHEDULED runs past the threshold Late, keeping their scheduled time", async () => {
    const overdue = await scheduledRun(-60);
    const recent = await scheduledRun(-5);
    const future = await scheduledRun(600);
    const marked = await markLateRuns(env as any, getDb(env.DB));
    expect(marked).toContain(overdue.id);
    expect(marked).not.toContain(recent.id);
    expect(marked).not.toContain(future.id);
    const run = (await api("GET", `/flow_runs/${overdue.id}`)).body;
    expect(run.state_type).toBe("SCHEDULED");
    expect(run.state_name).toBe("Late");
    expect(run.state.state_details.scheduled_time).toBe(overdue.state.state_details.scheduled_time);
    const history = (await api("GET", `/flow_run_states/?flow_run_id=${overdue.id}`)).body;
    expect(history.map((s: any) => s.name)).toEqual(["Scheduled", "Late"]);
  });

  it("leaves late runs alone on the next pass", async () => {
    const overdue = await scheduledRun(-120);
    await markLateRuns(env as any, getDb(env.DB));
    const again = await markLateRuns(env as any, getDb(env.DB));
    expect(again).not.toContain(overdue.id);
  });
});
