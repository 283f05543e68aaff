import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "../../src/db/client";
import { concurrencyLimitV2, flowRun, taskRun } from "../../src/db/schema";
import { readFlowRunSnapshot } from "../../src/db/queries/flow-run-snapshot";
import { forgetSnapshot, recallSnapshot, LARGEST_REMEMBERED, REMEMBERED_CHARS, rememberSnapshot } from "../../src/orchestration/flow-run-snapshots";
import { api, unique } from "../helpers";
import { poolWithQueue, scheduledRuns } from "../fixtures/pools";

const COUNT = { "x-count-d1-round-trips": "1" };
const db = () => getDb(env.DB);

async function newRun(extra: Record<string, unknown> = {}) {
  const flow = (await api("POST", "/flows/", { name: unique("snap") })).body;
  const past = new Date(Date.now() - 60_000).toISOString();
  const run = await api("POST", "/flow_runs/", { flow_id: flow.id, state: { type: "SCHEDULED", state_details: { scheduled_time: past } }, ...extra });
  expect(run.status).toBe(201);
  return run.body;
}

const propose = (id: string, type: string) => api("POST", `/flow_runs/${id}/set_state`, { state: { type } }, COUNT);
const roundTrips = (res: { headers: Headers }) => res.headers.get("x-d1-round-trips");
const stateTypes = async (id: string) => (await api("GET", `/flow_run_states/?flow_run_id=${id}`)).body.map((s: any) => s.type);

async function eventsOf(runId: string) {
  const res = await api("POST", "/events/filter", { filter: { resource: { id: [`prefect.flow-run.${runId}`] }, order: "ASC" }, limit: 50 });
  expect(res.status).toBe(200);
  return res.body.events as any[];
}

describe("flow-run snapshots remembered by the isolate", () => {
  it("decide the next state change in one D1 round trip, from the run's creation on", async () => {
    const run = await newRun();
    expect(recallSnapshot(run.id)?.rows.run.state_id).toBe(run.state.id);
    const pending = await propose(run.id, "PENDING");
    expect(recallSnapshot(run.id)?.rows.run.state_id).toBe(pending.body.state.id);
    const running = await propose(run.id, "RUNNING");
    const completed = await propose(run.id, "COMPLETED");
    for (const res of [pending, running, completed]) {
      expect(res.status).toBe(201);
      expect(res.body.status).toBe("ACCEPT");
      expect(roundTrips(res)).toBe("1");
    }
    const read = (await api("GET", `/flow_runs/${run.id}`)).body;
    expect(read).toMatchObject({ state_type: "COMPLETED", run_count: 1, state: { id: completed.body.state.id } });
    expect(read.start_time).toBe(running.body.state.timestamp);
    expect(read.end_time).toBe(completed.body.state.timestamp);
    expect(read.total_run_time).toBeGreaterThan(0);
    expect(await stateTypes(run.id)).toEqual(["SCHEDULED", "PENDING", "RUNNING", "COMPLETED"]);
    expect((await eventsOf(run.id)).map((e) => e.event)).toEqual([
      "prefect.flow-run.Scheduled",
      "prefect.flow-run.Pending",
      "prefect.flow-run.Running",
      "prefect.flow-run.Completed",
    ]);
  });

  it("once forgotten, cost a read first: two D1 round trips", async () => {
    const run = await newRun();
    forgetSnapshot(run.id);
    const pending = await propose(run.id, "PENDING");
    expect(pending.body.status).toBe("ACCEPT");
    expect(roundTrips(pending)).toBe("2");
    expect(roundTrips(await propose(run.id, "RUNNING"))).toBe("1");
  });

  it("are bounded in size: the runs changed longest ago are forgotten, huge ones never remembered", async () => {
    const { text } = (await readFlowRunSnapshot(db(), (await newRun()).id))!;
    const fit = Math.floor(REMEMBERED_CHARS / text.length);
    const ids = Array.from({ length: fit + 2 }, () => crypto.randomUUID());
    for (const id of ids) rememberSnapshot(id, text);
    expect(recallSnapshot(ids[0])).toBeNull();
    expect(recallSnapshot(ids[1])).toBeNull();
    expect(recallSnapshot(ids[2])?.text).toBe(text);
    rememberSnapshot(ids[2], text); // remembered again: now the newest
    rememberSnapshot(crypto.randomUUID(), text);
    expect(recallSnapshot(ids[2])).not.toBeNull();
    expect(recallSnapshot(ids[3])).toBeNull();

    const huge = crypto.randomUUID();
    rememberSnapshot(huge, "x".repeat(LARGEST_REMEMBERED + 1));
    expect(recallSnapshot(huge)).toBeNull();
    expect(recallSnapshot(ids.at(-1)!)).not.toBeNull();
  });

  it("hold the run and its surroundings exactly as drizzle reads them", async () => {
    const { pool, queue } = await poolWithQueue({ queueLimit: 3, poolLimit: 4 });
    const flowRow = (await api("POST", "/flows/", { name: unique("snap"), tags: ["f"] })).body;
    const dep = (
      await api("POST", "/deployments/", {
        name: unique("dep"),
        flow_id: flowRow.id,
        tags: ["d"],
        concurrency_limit: 2,
        work_pool_name: pool.name,
        work_queue_name: queue.name,
      })
    ).body;
    const run = (await api("POST", `/deployments/${dep.id}/create_flow_run`, { tags: ["a"], parameters: { x: 1.5, y: [true, null] } })).body;
    for (const type of ["PENDING", "RUNNING", "COMPLETED"]) expect((await propose(run.id, type)).body.status).toBe("ACCEPT");
    const parent = await newRun();
    const task = (await api("POST", "/task_runs/", { flow_run_id: parent.id, task_key: "t", dynamic_key: "0" })).body;
    await db().update(flowRun).set({ parent_task_run_id: task.id }).where(eq(flowRun.id, run.id));

    const { rows } = (await readFlowRunSnapshot(db(), run.id))!;
    const one = async <T>(query: Promise<T[]>) => (await query)[0];
    expect(rows.run).toEqual(await one(db().select().from(flowRun).where(eq(flowRun.id, run.id))));
    expect(rows.run.total_run_time).toBeGreaterThan(0);
    expect(rows.parentTaskRun).toEqual(await one(db().select().from(taskRun).where(eq(taskRun.id, task.id))));
    expect(rows.deploymentLimit).toEqual(await one(db().select().from(concurrencyLimitV2).where(eq(concurrencyLimitV2.name, `deployment:${dep.id}`))));
    expect(rows.flow).toEqual({ id: flowRow.id, name: flowRow.name, tags: ["f"], labels: flowRow.labels });
    expect(rows.deployment).toEqual({ id: dep.id, name: dep.name, tags: ["d"], concurrency_options: dep.concurrency_options });
    expect(rows.workQueue).toEqual({ id: queue.id, name: queue.name, concurrency_limit: 3 });
    expect(rows.workPool).toEqual({ id: pool.id, name: pool.name, type: "process", concurrency_limit: 4 });
  });

  it("when stale, write nothing: the change is decided again on the run as it is", async () => {
    const run = await newRun();
    const scheduled = await readFlowRunSnapshot(db(), run.id);
    expect((await propose(run.id, "PENDING")).body.status).toBe("ACCEPT");
    // As if another isolate had moved the run on: this one still remembers it SCHEDULED.
    rememberSnapshot(run.id, scheduled!.text);

    const again = await propose(run.id, "PENDING");
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("ABORT"); // a second PENDING, decided on the run as stored
    expect(roundTrips(again)).toBe("1"); // the refused write's batch read the current run
    expect(await stateTypes(run.id)).toEqual(["SCHEDULED", "PENDING"]);
    expect((await eventsOf(run.id)).map((e) => e.event)).toEqual(["prefect.flow-run.Scheduled", "prefect.flow-run.Pending"]);
    expect(recallSnapshot(run.id)?.rows.run.state_type).toBe("PENDING");
  });

  it("are stale when anything they hold changed, not only the state", async () => {
    const run = await newRun({ tags: ["old"] });
    await propose(run.id, "PENDING");
    expect((await api("PATCH", `/flow_runs/${run.id}`, { tags: ["new"] })).status).toBe(204);

    const running = await propose(run.id, "RUNNING");
    expect(running.body.status).toBe("ACCEPT");
    expect(roundTrips(running)).toBe("2");
    const event = (await eventsOf(run.id)).find((e) => e.event === "prefect.flow-run.Running");
    const tags = event.related.filter((r: any) => r["prefect.resource.role"] === "tag").map((r: any) => r["prefect.resource.id"]);
    expect(tags).toEqual(["prefect.tag.new"]);
    expect(await stateTypes(run.id)).toEqual(["SCHEDULED", "PENDING", "RUNNING"]);
  });

  it("store only plain changes: a subflow's, which also moves its parent task run, is decided again on a fresh read", async () => {
    const parent = await newRun();
    await propose(parent.id, "PENDING");
    await propose(parent.id, "RUNNING");
    const task = (await api("POST", "/task_runs/", { flow_run_id: parent.id, task_key: "sub", dynamic_key: "0", state: { type: "PENDING" } })).body;
    const child = await newRun({ parent_task_run_id: task.id });
    await propose(child.id, "PENDING");
    expect(recallSnapshot(child.id)).not.toBeNull();

    const running = await propose(child.id, "RUNNING");
    expect(running.body.status).toBe("ACCEPT");
    expect(roundTrips(running)).toBe("2");
    expect((await api("GET", `/task_runs/${task.id}`)).body.state_type).toBe("RUNNING");
  });

  it("decide under the limits as they are: a work-queue limit lowered since the snapshot holds", async () => {
    const { pool, queue } = await poolWithQueue({ queueLimit: 5 });
    const [a, b] = await scheduledRuns(queue, pool.name, 2);
    expect((await propose(a, "PENDING")).body.status).toBe("ACCEPT");
    rememberSnapshot(b, (await readFlowRunSnapshot(db(), b))!.text); // b remembered under a limit of 5
    expect((await api("PATCH", `/work_queues/${queue.id}`, { concurrency_limit: 1 })).status).toBe(204);

    const res = await propose(b, "PENDING");
    expect(res.body.status).toBe("REJECT");
    expect(res.body.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingConcurrencySlot" });
    const status = await api("POST", `/work_queues/${queue.id}/concurrency_status`, {});
    expect(status.body).toMatchObject({ active_slots: 1, concurrency_limit: 1 });
    expect(status.body.flow_runs.map((r: any) => r.id)).toEqual([a]);
  });

  it("take no slot: a change that needs one is decided on a fresh read, and takes it once", async () => {
    const { pool, queue } = await poolWithQueue({ queueLimit: 2 });
    const [run] = await scheduledRuns(queue, pool.name, 1);
    rememberSnapshot(run, (await readFlowRunSnapshot(db(), run))!.text);
    const pending = await propose(run, "PENDING");
    expect(pending.body.status).toBe("ACCEPT");
    expect(roundTrips(pending)).toBe("2"); // the remembered decision reached for the slot: read first
    const status = await api("POST", `/work_queues/${queue.id}/concurrency_status`, {});
    expect(status.body).toMatchObject({ active_slots: 1 });
    expect(roundTrips(await propose(run, "RUNNING"))).toBe("1"); // keeps its slot: nothing to take
  });

  it("of a deleted run answer 404", async () => {
    const run = await newRun();
    await propose(run.id, "PENDING");
    expect((await api("DELETE", `/flow_runs/${run.id}`)).status).toBe(204);
    const res = await propose(run.id, "RUNNING");
    expect(res.status).toBe(404);
    expect(recallSnapshot(run.id)).toBeNull();
  });
});
