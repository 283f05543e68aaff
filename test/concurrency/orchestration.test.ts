import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api, unique } from "../helpers";
import { getDb } from "../../src/db/client";
import { setFlowRunState } from "../../src/orchestration/flow-run-state";
import { MarkLateRunsPolicy } from "../../src/orchestration/policies";
import { SecureFlowConcurrencySlots, ValidateDeploymentConcurrencyAtRunning } from "../../src/orchestration/rules/flow-concurrency";
import { deploymentConcurrencyGate } from "../../src/concurrency/gates";
import { concurrencyLimitV2 } from "../../src/db/schema";
import { eq } from "drizzle-orm";
import { allStatesExcept, states, type StateType } from "../../src/orchestration/states";
import type { Rule } from "../../src/orchestration/engine";
import type { FlowContext } from "../../src/orchestration/context";
import { limitStub } from "../../src/concurrency/slots";
import { uuid4 } from "../../src/lib/ids";

const db = () => getDb(env.DB);

/** A rule placed after the one under test that refuses the proposal (so that one's cleanup runs). */
const refusing = (from: Rule<FlowContext>["from"], to: StateType): Rule<FlowContext> => ({
  name: `Refuse${to}`,
  from,
  to: states(to),
  before: ({ reject }) => reject(null, "not now"),
});
const setState = (kind: "flow_runs" | "task_runs", id: string, type: string, extra: Record<string, unknown> = {}, force = false) =>
  api("POST", `/${kind}/${id}/set_state`, { state: { type, ...extra }, force });

// ---------------------------------------------------------------- task runs and tag limits

async function taskRun(tags: string[]) {
  const res = await api("POST", "/task_runs/", { task_key: unique("task"), dynamic_key: "0", tags });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
const holders = async (tag: string) => (await api("GET", `/concurrency_limits/tag/${tag}`)).body.active_slots;

describe("SecureTaskConcurrencySlots / ReleaseTaskConcurrencySlots", () => {
  it("a task run entering RUNNING takes a slot of each tag limit; a full limit answers WAIT; leaving RUNNING gives it back", async () => {
    const tag = unique("tag");
    await api("POST", "/concurrency_limits/", { tag, concurrency_limit: 1 });
    const [a, b] = [await taskRun([tag, unique("free")]), await taskRun([tag])];
    const running = await setState("task_runs", a, "RUNNING");
    expect(running.status).toBe(201);
    expect(running.body.status).toBe("ACCEPT");
    expect(await holders(tag)).toEqual([a]);

    const waiting = await setState("task_runs", b, "RUNNING");
    expect(waiting.status).toBe(200);
    expect(waiting.body.status).toBe("WAIT");
    expect(waiting.body.details.type).toBe("wait_details");
    expect(waiting.body.details.reason).toBe(`Concurrency limit reached for tags: ${tag}`);
    // Prefect's delay: the most contended limit's average occupancy (2 s by default), jittered, rounded.
    expect(waiting.body.details.delay_seconds).toBeGreaterThanOrEqual(1);
    expect(waiting.body.details.delay_seconds).toBeLessThanOrEqual(3);
    expect(waiting.body.state.type).toBe("PENDING");

    // Re-proposing RUNNING while running keeps the one slot.
    expect((await setState("task_runs", a, "RUNNING")).body.status).toBe("ACCEPT");
    expect(await holders(tag)).toEqual([a]);

    expect((await setState("task_runs", a, "COMPLETED")).body.status).toBe("ACCEPT");
    expect(await holders(tag)).toEqual([]);
    expect((await setState("task_runs", b, "RUNNING")).body.status).toBe("ACCEPT");
    expect(await holders(tag)).toEqual([b]);
    // Forced transitions give slots back too (the minimal policy keeps the release).
    expect((await setState("task_runs", b, "FAILED", {}, true)).body.status).toBe("ACCEPT");
    expect(await holders(tag)).toEqual([]);
  });

  it("a tag limit of 0 aborts; an inactive limit never blocks", async () => {
    const zero = unique("zero");
    await api("POST", "/concurrency_limits/", { tag: zero, concurrency_limit: 0 });
    const res = await setState("task_runs", await taskRun([zero]), "RUNNING");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ABORT");
    expect(res.body.details).toEqual({
      type: "abort_details",
      reason: `The concurrency limit on tag "${zero}" is 0 and will deadlock if the task tries to run again.`,
    });

    const off = unique("off");
    await api("POST", "/v2/concurrency_limits/", { name: `tag:${off}`, limit: 1, active: false });
    for (const run of [await taskRun([off]), await taskRun([off])]) expect((await setState("task_runs", run, "RUNNING")).body.status).toBe("ACCEPT");
  });

  it("a run with several tags takes all of its slots or none", async () => {
    const [wide, narrow] = [unique("wide"), unique("narrow")];
    await api("POST", "/concurrency_limits/", { tag: wide, concurrency_limit: 5 });
    await api("POST", "/concurrency_limits/", { tag: narrow, concurrency_limit: 1 });
    expect((await setState("task_runs", await taskRun([narrow]), "RUNNING")).body.status).toBe("ACCEPT");
    const both = await setState("task_runs", await taskRun([wide, narrow]), "RUNNING");
    expect(both.body.status).toBe("WAIT");
    expect(both.body.details.reason).toBe(`Concurrency limit reached for tags: ${[narrow, wide].sort().join(", ")}`);
    expect(await holders(wide)).toEqual([]);
  });

  it("the v1 API and the rule share the slots", async () => {
    const tag = unique("tag");
    await api("POST", "/concurrency_limits/", { tag, concurrency_limit: 1 });
    const other = uuid4();
    await api("POST", "/concurrency_limits/increment", { names: [tag], task_run_id: other });
    expect((await setState("task_runs", await taskRun([tag]), "RUNNING")).body.status).toBe("WAIT");
    await api("POST", `/concurrency_limits/tag/${tag}/reset`, {});
    expect((await setState("task_runs", await taskRun([tag]), "RUNNING")).body.status).toBe("ACCEPT");
  });
});

// ---------------------------------------------------------------- flow runs and deployment limits

async function deploymentWith(limit: number, options?: Record<string, unknown>) {
  const flow = (await api("POST", "/flows/", { name: unique("flow") })).body;
  const res = await api("POST", "/deployments/", {
    name: unique("dep"),
    flow_id: flow.id,
    concurrency_limit: limit,
    ...(options ? { concurrency_options: options } : {}),
  });
  expect(res.status).toBe(201);
  return res.body;
}
const newRun = async (depId: string) => (await api("POST", `/deployments/${depId}/create_flow_run`, {})).body;
const depSlots = async (depId: string) => (await api("GET", `/v2/concurrency_limits/deployment:${depId}`)).body.active_slots;

describe("deployment concurrency (SecureFlowConcurrencySlots and friends)", () => {
  it("backs the deployment's concurrency_limit with the v2 limit deployment:<id>", async () => {
    const dep = await deploymentWith(2);
    const gcl = await api("GET", `/v2/concurrency_limits/deployment:${dep.id}`);
    expect(gcl.status).toBe(200);
    expect(gcl.body).toMatchObject({ id: dep.global_concurrency_limit.id, name: `deployment:${dep.id}`, limit: 2, active: true, active_slots: 0 });
    await api("PATCH", `/deployments/${dep.id}`, { concurrency_limit: 4 });
    expect((await api("GET", `/v2/concurrency_limits/deployment:${dep.id}`)).body).toMatchObject({ id: gcl.body.id, limit: 4 });
    await api("PATCH", `/deployments/${dep.id}`, { concurrency_limit: null });
    expect((await api("GET", `/v2/concurrency_limits/deployment:${dep.id}`)).status).toBe(404);
    await api("PATCH", `/deployments/${dep.id}`, { concurrency_limit: 1 });
    expect((await api("GET", `/deployments/${dep.id}`)).body.global_concurrency_limit).toMatchObject({ name: `deployment:${dep.id}`, limit: 1 });
    expect((await api("DELETE", `/deployments/${dep.id}`)).status).toBe(204);
    expect((await api("GET", `/v2/concurrency_limits/deployment:${dep.id}`)).status).toBe(404);
  });

  it("ENQUEUE: a run over the limit goes back to SCHEDULED AwaitingConcurrencySlot; the slot frees when the holder finishes", async () => {
    const dep = await deploymentWith(1, { collision_strategy: "ENQUEUE" });
    const [a, b] = [await newRun(dep.id), await newRun(dep.id)];
    const pending = await setState("flow_runs", a.id, "PENDING");
    expect(pending.status).toBe(201);
    expect(pending.body.status).toBe("ACCEPT");
    const leaseId = pending.body.state.state_details.deployment_concurrency_lease_id;
    expect(leaseId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await depSlots(dep.id)).toBe(1);
    // The lease is Prefect's: renewable through the v2 API.
    expect((await api("POST", `/v2/concurrency_limits/leases/${leaseId}/renew`, { lease_duration: 300 })).status).toBe(204);

    const refused = await setState("flow_runs", b.id, "PENDING");
    expect(refused.status).toBe(201);
    expect(refused.body.status).toBe("REJECT");
    expect(refused.body.details).toEqual({ type: "reject_details", reason: "Deployment concurrency limit reached." });
    expect(refused.body.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingConcurrencySlot" });
    const wait = (Date.parse(refused.body.state.state_details.scheduled_time) - Date.parse(refused.body.state.timestamp)) / 1000;
    expect(wait).toBeCloseTo(30, 0);

    // RUNNING keeps the lease id; finishing gives the slot back.
    const running = await setState("flow_runs", a.id, "RUNNING");
    expect(running.body.state.state_details.deployment_concurrency_lease_id).toBe(leaseId);
    expect(await depSlots(dep.id)).toBe(1);
    expect((await setState("flow_runs", a.id, "COMPLETED")).body.status).toBe("ACCEPT");
    expect(await depSlots(dep.id)).toBe(0);
    expect((await setState("flow_runs", b.id, "PENDING")).body.status).toBe("ACCEPT");
    expect(await depSlots(dep.id)).toBe(1);
  });

  it("ENQUEUE is the default when the deployment sets no collision strategy", async () => {
    const dep = await deploymentWith(1);
    const [a, b] = [await newRun(dep.id), await newRun(dep.id)];
    await setState("flow_runs", a.id, "PENDING");
    expect((await setState("flow_runs", b.id, "PENDING")).body.state.name).toBe("AwaitingConcurrencySlot");
  });

  it("CANCEL_NEW: a run over the limit is cancelled", async () => {
    const dep = await deploymentWith(1, { collision_strategy: "CANCEL_NEW" });
    const [a, b] = [await newRun(dep.id), await newRun(dep.id)];
    expect((await setState("flow_runs", a.id, "PENDING")).body.status).toBe("ACCEPT");
    const refused = await setState("flow_runs", b.id, "PENDING");
    expect(refused.body.status).toBe("REJECT");
    expect(refused.body.details.reason).toBe("Deployment concurrency limit reached.");
    expect(refused.body.state).toMatchObject({ type: "CANCELLED", message: "Deployment concurrency limit reached." });
    expect(await depSlots(dep.id)).toBe(1);
  });

  it("gives the slot back when a submitted run is sent back to SCHEDULED or crashes", async () => {
    const dep = await deploymentWith(1);
    const run = await newRun(dep.id);
    await setState("flow_runs", run.id, "PENDING");
    expect(await depSlots(dep.id)).toBe(1);
    await setState("flow_runs", run.id, "SCHEDULED");
    expect(await depSlots(dep.id)).toBe(0);
    await setState("flow_runs", run.id, "PENDING");
    await setState("flow_runs", run.id, "CRASHED", {}, true);
    expect(await depSlots(dep.id)).toBe(0);
  });

  it("runs submitted at once never hold more than the limit", async () => {
    const dep = await deploymentWith(3);
    const runs = await Promise.all(Array.from({ length: 20 }, () => newRun(dep.id)));
    const results = await Promise.all(runs.map((r) => setState("flow_runs", r.id, "PENDING")));
    expect(results.filter((r) => r.body.status === "ACCEPT")).toHaveLength(3);
    expect(await depSlots(dep.id)).toBe(3);
  });

  it("a limit of 0 aborts submission", async () => {
    const dep = await deploymentWith(1);
    await api("PATCH", `/v2/concurrency_limits/deployment:${dep.id}`, { limit: 0 });
    const res = await setState("flow_runs", (await newRun(dep.id)).id, "PENDING");
    expect(res.body.status).toBe("ABORT");
    expect(res.body.details.reason).toBe("The deployment concurrency limit is 0. The flow will deadlock if submitted again.");
  });

  it("ValidateDeploymentConcurrencyAtRunning: renews the lease; takes a slot again when it lapsed, cancels when none is free", async () => {
    const dep = await deploymentWith(1);
    const [a, b] = [await newRun(dep.id), await newRun(dep.id)];
    const opts = { clientVersion: "3.8.3" };
    const pending = await setFlowRunState(env, db(), a.id, { type: "PENDING" }, opts);
    const leaseId = pending!.result.state!.state_details.deployment_concurrency_lease_id!;
    const running = await setFlowRunState(env, db(), a.id, { type: "RUNNING" }, opts);
    expect(running!.result.status).toBe("ACCEPT");
    expect(running!.result.state!.state_details.deployment_concurrency_lease_id).toBe(leaseId);

    // b's lease lapses (released here) while a holds the only slot: b is cancelled at RUNNING.
    await setFlowRunState(env, db(), a.id, { type: "COMPLETED" }, opts);
    const bPending = await setFlowRunState(env, db(), b.id, { type: "PENDING" }, opts);
    const bLease = bPending!.result.state!.state_details.deployment_concurrency_lease_id!;
    await api("POST", "/v2/concurrency_limits/decrement-with-lease", { lease_id: bLease });
    const c = await newRun(dep.id);
    expect((await setFlowRunState(env, db(), c.id, { type: "PENDING" }, opts))!.result.status).toBe("ACCEPT");
    const lost = await setFlowRunState(env, db(), b.id, { type: "RUNNING" }, opts);
    expect(lost!.result.status).toBe("REJECT");
    expect(lost!.result.state).toMatchObject({
      type: "CANCELLED",
      message: "Deployment concurrency slot lost during provisioning - no slots available to continue execution",
    });
    expect(lost!.result.details).toEqual({ type: "reject_details", reason: "Deployment concurrency limit reached after lease expiry." });

    // With the slot free again, a lapsed lease is replaced by a new one.
    await setFlowRunState(env, db(), c.id, { type: "CANCELLED" }, { ...opts, force: true });
    const d = await newRun(dep.id);
    const dLease = (await setFlowRunState(env, db(), d.id, { type: "PENDING" }, opts))!.result.state!.state_details.deployment_concurrency_lease_id!;
    await api("POST", "/v2/concurrency_limits/decrement-with-lease", { lease_id: dLease });
    const dRunning = await setFlowRunState(env, db(), d.id, { type: "RUNNING" }, opts);
    expect(dRunning!.result.status).toBe("ACCEPT");
    const fresh = dRunning!.result.state!.state_details.deployment_concurrency_lease_id;
    expect(fresh).toBeTruthy();
    expect(fresh).not.toBe(dLease);
    expect(await depSlots(dep.id)).toBe(1);
  });

  it("ValidateDeploymentConcurrencyAtRunning: a lease taken anew goes back when a later rule changes the proposal", async () => {
    const dep = await deploymentWith(1);
    const run = await newRun(dep.id);
    const opts = { clientVersion: "3.8.3" };
    const lease = (await setFlowRunState(env, db(), run.id, { type: "PENDING" }, opts))!.result.state!.state_details.deployment_concurrency_lease_id!;
    await api("POST", "/v2/concurrency_limits/decrement-with-lease", { lease_id: lease });
    expect(await depSlots(dep.id)).toBe(0);
    const policy = [ValidateDeploymentConcurrencyAtRunning, refusing(states("PENDING"), "RUNNING")];
    const out = await setFlowRunState(env, db(), run.id, { type: "RUNNING" }, { ...opts, policy });
    expect(out!.result.status).toBe("REJECT");
    expect(await depSlots(dep.id)).toBe(0);
  });

  it("SecureFlowConcurrencySlots: a lease the run already held is not given back when a later rule changes the proposal", async () => {
    const dep = await deploymentWith(1);
    const run = await newRun(dep.id);
    const [limit] = await db().select().from(concurrencyLimitV2).where(eq(concurrencyLimitV2.name, `deployment:${dep.id}`));
    // Another request for the same run took its lease (and will store it).
    const held = await deploymentConcurrencyGate(env, run.id, limit, null).acquire();
    expect(held).toMatchObject({ reused: false });
    expect(await depSlots(dep.id)).toBe(1);
    const policy = [SecureFlowConcurrencySlots, refusing(allStatesExcept("PENDING"), "PENDING")];
    const out = await setFlowRunState(env, db(), run.id, { type: "PENDING" }, { clientVersion: "3.8.3", policy });
    expect(out!.result.status).toBe("REJECT");
    expect(await depSlots(dep.id)).toBe(1);
  });

  it("a client that renews leases (current SDK) can keep renewing its lease once RUNNING", async () => {
    const dep = await deploymentWith(1);
    const run = await newRun(dep.id);
    const leaseId = (await setState("flow_runs", run.id, "PENDING")).body.state.state_details.deployment_concurrency_lease_id;
    await setState("flow_runs", run.id, "RUNNING");
    expect((await api("POST", `/v2/concurrency_limits/leases/${leaseId}/renew`, { lease_duration: 300 })).status).toBe(204);
  });

  it("old clients (< 3.4.11): the lease stops expiring once the run starts, and the slot is still given back at the end", async () => {
    const dep = await deploymentWith(1);
    const run = await newRun(dep.id);
    const old = { clientVersion: "3.2.0" };
    const pending = await setFlowRunState(env, db(), run.id, { type: "PENDING" }, old);
    const leaseId = pending!.result.state!.state_details.deployment_concurrency_lease_id!;
    expect(leaseId).toBeTruthy();
    await setFlowRunState(env, db(), run.id, { type: "RUNNING" }, old);
    // No renewing it any more (Prefect revoked it) …
    expect((await api("POST", `/v2/concurrency_limits/leases/${leaseId}/renew`, {})).status).toBe(410);
    const snap = await limitStub(env, dep.global_concurrency_limit.id).inspect();
    expect(snap!.leases).toEqual([expect.objectContaining({ id: leaseId, expiresAt: null })]);
    // … but finishing releases the slot.
    await setFlowRunState(env, db(), run.id, { type: "COMPLETED" }, old);
    expect(await depSlots(dep.id)).toBe(0);
  });

  it("3.0.x workers take deployment slots themselves: the server leaves submission alone", async () => {
    const dep = await deploymentWith(1);
    const [a, b] = [await newRun(dep.id), await newRun(dep.id)];
    for (const r of [a, b]) {
      const res = await setFlowRunState(env, db(), r.id, { type: "PENDING" }, { clientVersion: "3.0.2" });
      expect(res!.result.status).toBe("ACCEPT");
      expect(res!.result.state!.state_details.deployment_concurrency_lease_id ?? null).toBeNull();
    }
    // Such a worker took its slot through the v2 API; the run's end gives a plain slot back.
    await api("POST", "/v2/concurrency_limits/increment", { names: [`deployment:${dep.id}`], slots: 1 });
    expect(await depSlots(dep.id)).toBe(1);
    await setState("flow_runs", a.id, "COMPLETED");
    expect(await depSlots(dep.id)).toBe(0);
  });

  it("EnforceDeploymentConcurrencyOnLate: under CANCEL_NEW a full limit cancels the run instead of marking it Late", async () => {
    const dep = await deploymentWith(1, { collision_strategy: "CANCEL_NEW" });
    const [a, b] = [await newRun(dep.id), await newRun(dep.id)];
    await setState("flow_runs", a.id, "PENDING");
    const late = await setFlowRunState(env, db(), b.id, { type: "SCHEDULED", name: "Late" }, { policy: MarkLateRunsPolicy });
    expect(late!.result.status).toBe("REJECT");
    expect(late!.result.state).toMatchObject({ type: "CANCELLED", message: "Deployment concurrency limit reached." });
    expect(late!.result.details).toEqual({ type: "reject_details", reason: "Deployment concurrency limit is full and uses the CANCEL_NEW strategy." });
    const enqueue = await deploymentWith(1);
    const [c, d] = [await newRun(enqueue.id), await newRun(enqueue.id)];
    await setState("flow_runs", c.id, "PENDING");
    expect((await setFlowRunState(env, db(), d.id, { type: "SCHEDULED", name: "Late" }, { policy: MarkLateRunsPolicy }))!.result.status).toBe("ACCEPT");
  });
});
