import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../../src/db/client";
import { FLOW_RUN_ROUND_TRIPS_PER_PASS, vacuumFlowRuns } from "../../../src/services/db-vacuum/flow-runs";
import { toIso } from "../../../src/lib/time";
import { api, unique } from "../../helpers";
import { remaining, seedFlowRun, seedInput, seedLog, seedTaskRun } from "../../fixtures/runs";

const db = getDb(env.DB);
const ON = { PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED: "events,flow_runs" };
const withSettings = (vars: Record<string, string>) => ({ ...env, ...vars }) as any;
const pass = (vars: Record<string, string> = ON, budget = FLOW_RUN_ROUND_TRIPS_PER_PASS) => vacuumFlowRuns(withSettings(vars), db, budget);
const daysAgo = (days: number) => toIso(Date.now() - days * 86_400_000);
/** What `remaining` counts once a run and everything under it are gone. */
const NOTHING_LEFT = { flowRuns: 0, flowRunStates: 0, inputs: 0, flowRunLogs: 0, taskRuns: 0, taskRunStates: 0, taskRunLogs: 0 };
const COMPLETED = [{ type: "PENDING" }, { type: "RUNNING" }, { type: "COMPLETED" }];

const oldRun = (days = 91, seed: Parameters<typeof seedFlowRun>[0] = {}) => seedFlowRun({ states: COMPLETED, end_time: daysAgo(days), ...seed });
const artifact = async (body: Record<string, unknown>) => (await api("POST", "/artifacts/", body)).body;
const artifactKey = () => unique("art").toLowerCase().replace(/[^a-z0-9-]/g, "-");
const exists = async (path: string) => (await api("GET", path)).status === 200;
const count = (sql: string, ...args: unknown[]) => env.DB.prepare(sql).bind(...args).first<{ n: number }>().then((r) => r?.n ?? 0);

// Each test starts with no old terminal run left by another (tests share the file's database).
beforeEach(async () => {
  await pass({ ...ON, PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD: "3601" });
});

describe("flow-run vacuum", () => {
  it("is off by default, as in Prefect", async () => {
    const run = await oldRun(400);
    expect(await pass({})).toBeNull();
    expect(await pass({ PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED: "events" })).toBeNull();
    expect(await exists(`/flow_runs/${run.id}`)).toBe(true);
  });

  it("deletes old top-level terminal runs with everything under them, as Prefect's cascade and orphan tasks do", async () => {
    const run = await oldRun();
    const t1 = await seedTaskRun({ flow_run_id: run.id, states: COMPLETED });
    const t2 = await seedTaskRun({ flow_run_id: run.id, states: COMPLETED });
    const child = await seedFlowRun({ parent_task_run_id: t2.id, states: [{ type: "RUNNING" }] });
    await seedInput(run.id, "k");
    await seedLog({ flow_run_id: run.id });
    await seedLog({ flow_run_id: run.id, task_run_id: t1.id });
    const art = await artifact({ key: artifactKey(), type: "markdown", data: "x", flow_run_id: run.id, task_run_id: t1.id });

    const result = await pass();
    expect(result?.oldFlowRuns).toEqual({ deleted: 1, done: true });
    expect(await remaining({ flowRuns: [run.id], taskRuns: [t1.id, t2.id] })).toEqual(NOTHING_LEFT);
    expect(await exists(`/artifacts/${art.id}`)).toBe(false);
    // The artifact was its key's latest: the collection goes with it.
    expect((await api("GET", `/artifacts/${art.key}/latest`)).status).toBe(404);
    // A subflow of a deleted task run survives, unparented (it is not terminal).
    expect((await api("GET", `/flow_runs/${child.id}`)).body).toMatchObject({ id: child.id, parent_task_run_id: null });
  });

  it("keeps what Prefect keeps: recent, non-terminal, unended and nested runs", async () => {
    const recent = await oldRun(89);
    const running = await seedFlowRun({ states: [{ type: "RUNNING" }], end_time: daysAgo(200) });
    const unended = await seedFlowRun({ states: [{ type: "CANCELLED" }], end_time: null });
    const parent = await seedFlowRun({ states: [{ type: "RUNNING" }] });
    const wrapper = await seedTaskRun({ flow_run_id: parent.id, states: [{ type: "RUNNING" }] });
    const nested = await oldRun(200, { parent_task_run_id: wrapper.id });
    await pass();
    for (const run of [recent, running, unended, parent, nested]) expect(await exists(`/flow_runs/${run.id}`)).toBe(true);
    expect(await exists(`/task_runs/${wrapper.id}`)).toBe(true);
  });

  it("takes every terminal state and, once their parent is gone, old terminal subflows in the same pass", async () => {
    const runs = [];
    for (const type of ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"]) runs.push(await seedFlowRun({ states: [{ type }], end_time: daysAgo(100) }));
    const wrapper = await seedTaskRun({ flow_run_id: runs[0].id, states: COMPLETED });
    const subflow = await oldRun(100, { parent_task_run_id: wrapper.id });
    expect((await pass())?.oldFlowRuns).toEqual({ deleted: 5, done: true });
    expect(await remaining({ flowRuns: [...runs, subflow].map((r) => r.id), taskRuns: [wrapper.id] })).toEqual(NOTHING_LEFT);
  });

  it("keeps runs for PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD, which must exceed an hour", async () => {
    const threeHours = await oldRun(3 / 24);
    const oneHour = await oldRun(0.9 / 24);
    await pass({ ...ON, PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD: "7200" });
    expect(await exists(`/flow_runs/${threeHours.id}`)).toBe(false);
    expect(await exists(`/flow_runs/${oneHour.id}`)).toBe(true);
    await expect(pass({ ...ON, PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD: "3600" })).rejects.toThrow(/RETENTION_PERIOD/);
    // The legacy `true` means events and flow runs.
    await pass({ PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED: "true", PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD: "PT1H1S" });
    expect(await exists(`/flow_runs/${oneHour.id}`)).toBe(true);
  });

  it("deletes in batches bounded per round trip and pass; a run goes only with the last of its children", async () => {
    const big = await oldRun(120);
    const tasks = [];
    for (let i = 0; i < 5; i++) tasks.push(await seedTaskRun({ flow_run_id: big.id, states: COMPLETED }));
    const small = [await oldRun(110), await oldRun(110), await oldRun(110)];
    const vars = { ...ON, PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE: "2" };
    const tight = { ...FLOW_RUN_ROUND_TRIPS_PER_PASS, oldFlowRuns: 3 };

    // Three round trips: the oldest two runs chosen, their logs/artifacts, one step: 2 of big's
    // task runs go, and the other run chosen, having nothing under it, goes too.
    expect((await pass(vars, tight))?.oldFlowRuns).toEqual({ deleted: 1, done: false });
    expect(await count("SELECT count(*) AS n FROM task_run WHERE flow_run_id = ?", big.id)).toBe(3);
    expect(await exists(`/flow_runs/${big.id}`)).toBe(true);

    let passes = 1;
    while (!(await pass(vars, tight))?.oldFlowRuns.done) passes += 1;
    expect(passes).toBeGreaterThan(1);
    expect(await remaining({ flowRuns: [big, ...small].map((r) => r.id), taskRuns: tasks.map((t) => t.id) })).toEqual(NOTHING_LEFT);
  });

  it("deletes orphaned logs and artifacts (no such flow run), keeping logs without a run", async () => {
    const gone = crypto.randomUUID();
    const orphanLog = await seedLog({ flow_run_id: gone });
    const runless = await seedLog({ flow_run_id: null });
    const live = await seedFlowRun();
    const liveLog = await seedLog({ flow_run_id: live.id });
    // Deleting a run through the API leaves its artifacts (as Prefect's does); the vacuum takes them.
    const deleted = await seedFlowRun();
    const key = artifactKey();
    const keep = await artifact({ key, data: "older", flow_run_id: live.id });
    const orphan = await artifact({ key, data: "newer", flow_run_id: deleted.id });
    expect((await api("DELETE", `/flow_runs/${deleted.id}`)).status).toBe(204);

    const result = await pass();
    expect(result).toMatchObject({ orphanedLogs: 1, orphanedArtifacts: 1 });
    const logIds = JSON.stringify([orphanLog.id, runless.id, liveLog.id]);
    const left = await env.DB.prepare("SELECT id FROM log WHERE id IN (SELECT value FROM json_each(?))").bind(logIds).all<{ id: string }>();
    expect(left.results.map((r) => r.id).sort()).toEqual([runless.id, liveLog.id].sort());
    expect(await exists(`/artifacts/${orphan.id}`)).toBe(false);
    // The key's collection falls back to its newest remaining artifact, whole.
    const latest = (await api("POST", "/artifacts/latest/filter", { artifacts: { key: { any_: [key] } } })).body;
    expect(latest).toMatchObject([{ key, latest_id: keep.id, data: "older", flow_run_id: live.id }]);
  });
});

describe("orphan sweeps", () => {
  it("read a window of flow_run_id values per round trip and go on from there on the next pass", async () => {
    const statements = [];
    const orphanRuns = Array.from({ length: 650 }, () => crypto.randomUUID());
    for (let i = 0; i < orphanRuns.length; i += 10) {
      const rows = orphanRuns.slice(i, i + 10).map((id) => `('${crypto.randomUUID()}', '2030-01-01', '2030-01-01', 'x', 20, '${id}', 'orphan', '2030-01-01')`);
      statements.push(env.DB.prepare(`INSERT INTO log (id, created, updated, name, level, flow_run_id, message, timestamp) VALUES ${rows.join(", ")}`));
    }
    await env.DB.batch(statements);
    const orphans = () => count("SELECT count(*) AS n FROM log WHERE flow_run_id IN (SELECT value FROM json_each(?))", JSON.stringify(orphanRuns));
    // Two round trips a pass: a window of 500 values, one delete of its orphans.
    const vars = { ...ON, PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE: "1000" };
    const tight = { ...FLOW_RUN_ROUND_TRIPS_PER_PASS, orphans: 2 };
    const first = await pass(vars, tight);
    expect(first?.orphanedLogs).toBeGreaterThan(0);
    expect(first?.orphanedLogs).toBeLessThanOrEqual(500);
    expect(await orphans()).toBe(650 - first!.orphanedLogs);
    for (let i = 0; i < 3 && (await orphans()) > 0; i++) await pass(vars, tight);
    expect(await orphans()).toBe(0);
  });
});
