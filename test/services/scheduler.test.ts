import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import { scheduleDeployments } from "../../src/services/scheduler";
import { api, unique, waitFor } from "../helpers";

async function deploymentWith(schedules: unknown[], extra: Record<string, unknown> = {}) {
  const flow = (await api("POST", "/flows/", { name: unique("sched-flow") })).body;
  const res = await api("POST", "/deployments/", { name: unique("dep"), flow_id: flow.id, schedules, parameters: { a: 1 }, tags: ["t"], ...extra });
  expect(res.status).toBe(201);
  return res.body;
}

const runsOf = async (deploymentId: string) =>
  (await api("POST", "/flow_runs/filter", { deployments: { id: { any_: [deploymentId] } }, sort: "EXPECTED_START_TIME_ASC", limit: 200 })).body;

describe("scheduler service", () => {
  it("creates future SCHEDULED runs for active schedules, idempotently", async () => {
    const dep = await deploymentWith([{ schedule: { interval: 3600 }, active: true, parameters: { b: 2 } }]);
    const db = getDb(env.DB);
    const created = await scheduleDeployments(db);
    const runs = await runsOf(dep.id);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(created).toEqual(expect.arrayContaining(runs.map((r: any) => r.id)));
    for (const r of runs) {
      expect(r.state_type).toBe("SCHEDULED");
      expect(r.state_name).toBe("Scheduled");
      expect(r.auto_scheduled).toBe(true);
      expect(r.tags).toEqual(["auto-scheduled", "t"]);
      expect(r.parameters).toEqual({ a: 1, b: 2 });
      expect(r.labels["prefect.deployment.id"]).toBe(dep.id);
      expect(r.idempotency_key).toMatch(new RegExp(`^scheduled ${dep.id} `));
      expect(r.next_scheduled_start_time).toBe(r.state.state_details.scheduled_time);
      expect(r.created_by.type).toBe("SCHEDULE");
    }
    const again = await scheduleDeployments(db);
    expect(again.filter((id) => runs.some((r: any) => r.id === id))).toEqual([]);
    expect((await runsOf(dep.id)).length).toBe(runs.length);
    const history = (await api("GET", `/flow_run_states/?flow_run_id=${runs[0].id}`)).body;
    expect(history).toHaveLength(1);
  });

  it("skips paused deployments and inactive schedules", async () => {
    const paused = await deploymentWith([{ schedule: { interval: 600 }, active: true }], { paused: true });
    const inactive = await deploymentWith([{ schedule: { interval: 600 }, active: false }]);
    await scheduleDeployments(getDb(env.DB));
    expect(await runsOf(paused.id)).toEqual([]);
    expect(await runsOf(inactive.id)).toEqual([]);
  });
});

describe("on-demand scheduling", () => {
  it("schedules a deployment's runs when it is created with a schedule, without waiting for the cron", async () => {
    const flow = (await api("POST", "/flows/", { name: unique("ondemand") })).body;
    const dep = (await api("POST", "/deployments/", { name: unique("dep"), flow_id: flow.id, schedules: [{ schedule: { interval: 3600 }, active: true }] })).body;
    const runs = await waitFor(async () => {
      const made = await runsOf(dep.id);
      return made.length ? made : undefined;
    });
    expect(runs.length).toBeGreaterThanOrEqual(3);
  });
});
