import { describe, expect, it } from "vitest";
import { api, settleEvents, unique } from "../helpers";
import { poolWithQueue, scheduledRuns } from "../fixtures/pools";

/**
 * Many proposals for one run at once: each is answered with an orchestration result decided on
 * the state the run is in when its turn comes (Prefect serializes them behind a row lock), and
 * the run's history is the chain of the accepted ones — nothing lost, nothing twice.
 */

type Proposal = { state: Record<string, unknown>; force?: boolean };
type Answer = { status: number; body: any; proposal: Proposal; roundTrips: number };

const ORCHESTRATION = ["ACCEPT", "REJECT", "ABORT", "WAIT"];

async function flowRunIn(type: "SCHEDULED" | "PENDING" | "RUNNING") {
  const flow = (await api("POST", "/flows/", { name: unique("race") })).body;
  const past = new Date(Date.now() - 60_000).toISOString();
  const run = (await api("POST", "/flow_runs/", { flow_id: flow.id, state: { type: "SCHEDULED", state_details: { scheduled_time: past } } })).body;
  for (const next of ["PENDING", "RUNNING"].slice(0, ["SCHEDULED", "PENDING", "RUNNING"].indexOf(type)))
    expect((await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: next } })).body.status).toBe("ACCEPT");
  return run.id as string;
}

async function proposeAll(kind: "flow_runs" | "task_runs", id: string, proposals: Proposal[]): Promise<Answer[]> {
  const count = { "x-count-d1-round-trips": "1" };
  const answers = await Promise.all(proposals.map((p) => api("POST", `/${kind}/${id}/set_state`, { force: false, ...p }, count)));
  return answers.map((res, i) => ({ status: res.status, body: res.body, proposal: proposals[i], roundTrips: Number(res.headers.get("x-d1-round-trips")) }));
}

/**
 * Waiting in turn keeps the D1 cost per proposal flat (a few round trips: the lost race, then one
 * decision on the run as the previous holder left it), where retrying until a write sticks grows
 * with the number of proposals.
 */
function expectFlatCost(answers: Answer[]) {
  const total = answers.reduce((sum, a) => sum + a.roundTrips, 0);
  expect(total / answers.length).toBeLessThanOrEqual(5);
}

/** Every proposal got an orchestration result: 201 when it stored a state, 200 when not. */
function expectAnswered(answers: Answer[]) {
  for (const a of answers) {
    expect(a.status, JSON.stringify(a.body)).toBeOneOf([200, 201]);
    expect(ORCHESTRATION).toContain(a.body.status);
  }
  return answers.filter((a) => a.status === 201);
}

/**
 * The run's history, and the flow run's state-change events (each names the state it follows):
 * the written states must be exactly those after `before`, one chain from the state they started in.
 */
async function expectChain(runId: string, before: number, written: Answer[]) {
  const history = (await api("GET", `/flow_run_states/?flow_run_id=${runId}`)).body as any[];
  expect(history).toHaveLength(before + written.length);
  const added = history.slice(before).map((s) => s.id);
  expect(new Set(added)).toEqual(new Set(written.map((a) => a.body.state.id)));

  await settleEvents();
  const events = (await api("POST", "/events/filter", { filter: { resource: { id: [`prefect.flow-run.${runId}`] } }, limit: 50 })).body.events as any[];
  const follows = new Map(events.map((e) => [e.id, e.follows]));
  const next = new Map<string, string>();
  for (const id of added) {
    const from = follows.get(id);
    expect(from, `state ${id} follows a state`).toBeTruthy();
    expect(next.has(from), `two transitions from state ${from}`).toBe(false);
    next.set(from, id);
  }
  const chain = [history[before - 1].id];
  while (next.has(chain.at(-1))) chain.push(next.get(chain.at(-1))!);
  expect(chain.slice(1), "one chain from the state before the proposals").toHaveLength(added.length);
  const run = (await api("GET", `/flow_runs/${runId}`)).body;
  expect(run.state.id).toBe(chain.at(-1));
  const types = new Map(history.map((s) => [s.id, s.type as string]));
  return { ids: chain, types: chain.map((id) => types.get(id)!) };
}

const many = (n: number, make: (i: number) => Proposal) => Array.from({ length: n }, (_, i) => make(i));

describe("concurrent proposals on one flow run", () => {
  it("32 RUNNING proposals on a PENDING run: each accepted in its turn, the history a chain of 32", async () => {
    const id = await flowRunIn("PENDING");
    const answers = await proposeAll("flow_runs", id, many(32, () => ({ state: { type: "RUNNING" } })));
    const written = expectAnswered(answers);
    expectFlatCost(answers);
    expect(written.map((a) => a.body.status)).toEqual(Array(32).fill("ACCEPT"));
    expect((await expectChain(id, 2, written)).types).toEqual(["PENDING", ...Array(32).fill("RUNNING")]);
  });

  it("40 PENDING proposals on a SCHEDULED run: exactly one accepted, the others aborted", async () => {
    const id = await flowRunIn("SCHEDULED");
    const answers = await proposeAll("flow_runs", id, many(40, () => ({ state: { type: "PENDING" } })));
    const written = expectAnswered(answers);
    expect(written).toHaveLength(1);
    expect(answers.filter((a) => a.body.status === "ABORT")).toHaveLength(39);
    expect((await expectChain(id, 1, written)).types).toEqual(["SCHEDULED", "PENDING"]);
  });

  it("40 mixed proposals, forced and not: each decided on the state of its turn, one chain", async () => {
    const id = await flowRunIn("PENDING");
    const types = ["RUNNING", "COMPLETED", "FAILED", "PENDING"];
    const proposals = many(40, (i) => ({ state: { type: types[i % 4] }, force: i % 8 >= 4 }));
    const written = expectAnswered(await proposeAll("flow_runs", id, proposals));
    const { ids, types: chain } = await expectChain(id, 2, written);
    // Unforced, a run enters PENDING only from a state other than PENDING/RUNNING (PreventPendingTransitions).
    const forced = new Map(written.map((a) => [a.body.state.id, a.proposal.force]));
    for (let i = 1; i < chain.length; i++)
      if (chain[i] === "PENDING" && !forced.get(ids[i])) expect(["PENDING", "RUNNING"]).not.toContain(chain[i - 1]);
    // Every forced proposal is stored.
    expect(written.filter((a) => a.proposal.force)).toHaveLength(20);
  });

  it("36 PENDING proposals over 3 runs of a queue limited to 2: 2 runs get a slot, none is leaked", async () => {
    const { pool, queue } = await poolWithQueue({ queueLimit: 2 });
    const ids = await scheduledRuns(queue, pool.name, 3);
    const answers = await Promise.all(Array.from({ length: 36 }, (_, i) => api("POST", `/flow_runs/${ids[i % 3]}/set_state`, { state: { type: "PENDING" } })));
    for (const a of answers) expect(ORCHESTRATION).toContain(a.body.status);
    const states = await Promise.all(ids.map(async (id) => (await api("GET", `/flow_runs/${id}`)).body.state_type));
    const admitted = ids.filter((_, i) => states[i] === "PENDING");
    expect(admitted).toHaveLength(2);
    for (const id of admitted) {
      const mine = answers.filter((_, i) => ids[i % 3] === id);
      expect(mine.filter((a) => a.body.status === "ACCEPT" && a.body.state.type === "PENDING")).toHaveLength(1);
    }
    const status = await api("POST", `/work_queues/${queue.id}/concurrency_status`, {});
    expect(status.body).toMatchObject({ active_slots: 2 });
    expect(status.body.flow_runs.map((r: any) => r.id).sort()).toEqual([...admitted].sort());
  });
});

async function runningTaskRun() {
  const flowRunId = await flowRunIn("RUNNING");
  const task = (await api("POST", "/task_runs/", { flow_run_id: flowRunId, task_key: unique("k"), dynamic_key: "0" })).body;
  expect((await api("POST", `/task_runs/${task.id}/set_state`, { state: { type: "RUNNING" } })).body.status).toBe("ACCEPT");
  return task.id as string;
}

describe("concurrent proposals on one task run", () => {
  const persisted = { type: "COMPLETED", data: { storage_key: "k", expiration: null, serializer: { type: "json" }, storage_block_id: null } };

  it("32 COMPLETED proposals with a persisted result: one accepted, the others rejected", async () => {
    const id = await runningTaskRun();
    const answers = await proposeAll("task_runs", id, many(32, () => ({ state: persisted })));
    const written = expectAnswered(answers);
    expect(written).toHaveLength(1);
    expect(answers.filter((a) => a.body.status === "REJECT")).toHaveLength(31);
    const history = (await api("GET", `/task_run_states/?task_run_id=${id}`)).body.map((s: any) => s.type);
    expect(history).toEqual(["PENDING", "RUNNING", "COMPLETED"]);
  });

  it("40 RUNNING proposals, half forced: each stored in its turn, the history holds each once", async () => {
    const id = await runningTaskRun();
    const answers = await proposeAll("task_runs", id, many(40, (i) => ({ state: { type: "RUNNING" }, force: i % 2 === 1 })));
    const written = expectAnswered(answers);
    expectFlatCost(answers);
    expect(written).toHaveLength(40);
    const history = (await api("GET", `/task_run_states/?task_run_id=${id}`)).body as any[];
    expect(history).toHaveLength(42);
    expect(new Set(history.slice(2).map((s) => s.id))).toEqual(new Set(written.map((a) => a.body.state.id)));
    const run = (await api("GET", `/task_runs/${id}`)).body;
    expect(history.map((s) => s.id)).toContain(run.state.id);
  });
});
