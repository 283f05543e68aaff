import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { api, settleEvents, unique } from "../helpers";
import { getDb } from "../../src/db/client";
import { event } from "../../src/db/schema";
import { seedDeployment, seedFlow, seedFlowRun, seedTaskRun } from "../fixtures/runs";

const db = getDb((env as any).DB);
const MISSING = "00000000-0000-4000-8000-000000000000";
const key = (prefix = "art") => unique(prefix).toLowerCase().replace(/[^a-z0-9-]/g, "-");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const create = async (body: Record<string, unknown>) => {
  const res = await api("POST", "/artifacts/", body);
  expect(res.status).toBe(201);
  return res.body;
};
const latest = async (k: string) =>
  (await api("POST", "/artifacts/latest/filter", { artifacts: { key: { any_: [k] } } })).body as any[];

describe("artifacts", () => {
  it("creates (201) and reads by id, with Prefect's fields", async () => {
    const run = await seedFlowRun();
    const a = await create({ type: "markdown", data: "# hi", description: "d", flow_run_id: run.id, metadata_: { m: "v" } });
    expect(Object.keys(a)).toEqual(["id", "created", "updated", "key", "type", "description", "data", "metadata_", "flow_run_id", "task_run_id"]);
    expect(a).toMatchObject({ key: null, type: "markdown", data: "# hi", description: "d", flow_run_id: run.id, task_run_id: null, metadata_: { m: "v" } });
    expect((await api("GET", `/artifacts/${a.id}`)).body).toEqual(a);

    for (const [type, data] of [
      ["table", { a: [1, 2], b: [3, 4] }],
      ["link", "https://example.com"],
      ["progress", 42.5],
      ["image", "https://example.com/x.png"],
      [null, null],
    ] as const) {
      const made = await create({ type, data });
      expect(made).toMatchObject({ type, data });
    }
    const long = await create({ metadata_: { big: "x".repeat(600) } });
    expect(long.metadata_.big).toBe(`${"x".repeat(500)}...`);
  });

  it("keeps the latest artifact per key in its collection", async () => {
    const k = key();
    const first = await create({ key: k, type: "markdown", data: "one", description: "first" });
    let coll = await latest(k);
    expect(coll).toHaveLength(1);
    expect(Object.keys(coll[0])).toEqual([
      "id", "created", "updated", "key", "latest_id", "type", "description", "data", "metadata_", "flow_run_id", "task_run_id",
    ]);
    expect(coll[0]).toMatchObject({ key: k, latest_id: first.id, data: "one", description: "first" });
    const collectionId = coll[0].id;

    await sleep(2);
    const second = await create({ key: k, type: "table", data: { rows: [] } });
    coll = await latest(k);
    expect(coll[0]).toMatchObject({ id: collectionId, latest_id: second.id, type: "table", data: { rows: [] }, description: null });

    // GET /artifacts/{key}/latest answers the collection row (its id) as an Artifact.
    const byKey = await api("GET", `/artifacts/${k}/latest`);
    expect(byKey.status).toBe(200);
    expect(byKey.body).toMatchObject({ id: collectionId, key: k, type: "table", data: { rows: [] } });
    expect(byKey.body.latest_id).toBeUndefined();

    // Updating the latest artifact updates the collection too.
    expect((await api("PATCH", `/artifacts/${second.id}`, { description: "new" })).status).toBe(204);
    expect((await latest(k))[0].description).toBe("new");
    expect((await api("GET", `/artifacts/${second.id}`)).body).toMatchObject({ description: "new", data: { rows: [] } });
    // Updating an older one leaves the collection alone.
    expect((await api("PATCH", `/artifacts/${first.id}`, { data: "uno", metadata_: { a: "b" } })).status).toBe(204);
    expect((await latest(k))[0]).toMatchObject({ data: { rows: [] }, metadata_: null });
    expect((await api("GET", `/artifacts/${first.id}`)).body).toMatchObject({ data: "uno", metadata_: { a: "b" }, description: "first" });

    // Deleting the latest falls back to the newest remaining artifact of the key...
    expect((await api("DELETE", `/artifacts/${second.id}`)).status).toBe(204);
    coll = await latest(k);
    expect(coll[0]).toMatchObject({ id: collectionId, latest_id: first.id, data: "uno", description: "first", created: first.created });
    // ...and deleting the last one removes the collection.
    expect((await api("DELETE", `/artifacts/${first.id}`)).status).toBe(204);
    expect(await latest(k)).toEqual([]);
    expect(await api("GET", `/artifacts/${k}/latest`)).toMatchObject({ status: 404, body: { detail: "Artifact not found." } });

    await settleEvents();
    const events = await db.select().from(event).where(eq(event.resource_id, `prefect.artifact-collection.${collectionId}`));
    expect(events.map((e) => e.event).sort()).toEqual([
      "prefect.artifact-collection.created",
      "prefect.artifact-collection.deleted",
      "prefect.artifact-collection.updated",
      "prefect.artifact-collection.updated",
    ]);
    const created = events.find((e) => e.event.endsWith(".created"))!;
    expect(created.resource).toEqual({ "prefect.resource.id": `prefect.artifact-collection.${collectionId}`, "prefect.resource.name": k });
    expect(created.related).toEqual([{ "prefect.resource.id": `prefect.artifact.${first.id}`, "prefect.resource.role": "latest" }]);
    expect(created.payload).toEqual({ key: k, type: "markdown", data: "one", description: "first" });
  });

  it("deleting a non-latest keyed artifact leaves the collection", async () => {
    const k = key();
    const a = await create({ key: k, data: 1 });
    const b = await create({ key: k, data: 2 });
    expect((await api("DELETE", `/artifacts/${a.id}`)).status).toBe(204);
    expect((await latest(k))[0]).toMatchObject({ latest_id: b.id, data: 2 });
  });

  it("filters, sorts and counts artifacts and latest artifacts, also through flow runs / task runs / flows / deployments", async () => {
    const k1 = key("f1");
    const k2 = key("f2");
    const flow = await seedFlow();
    const dep = await seedDeployment(flow.id);
    const runA = await seedFlowRun({ flow_id: flow.id, deployment_id: dep.id, tags: ["run-a"] });
    const runB = await seedFlowRun();
    const task = await seedTaskRun({ flow_run_id: runA.id, name: "the-task" });
    const a1 = await create({ key: k1, type: "markdown", flow_run_id: runA.id, task_run_id: task.id });
    await sleep(2);
    const a2 = await create({ key: k1, type: "table", flow_run_id: runA.id });
    await sleep(2);
    const b1 = await create({ key: k2, type: "markdown", flow_run_id: runB.id });
    const unkeyed = await create({ type: "result", flow_run_id: runB.id });
    const ids = (rows: any[]) => rows.map((r) => r.id);

    const byRun = await api("POST", "/artifacts/filter", { artifacts: { flow_run_id: { any_: [runA.id, runB.id] } } });
    expect(ids(byRun.body).sort()).toEqual([a1.id, a2.id, b1.id, unkeyed.id].sort());
    const sorted = await api("POST", "/artifacts/filter", { artifacts: { flow_run_id: { any_: [runA.id, runB.id] } }, sort: "CREATED_DESC" });
    expect(ids(sorted.body)).toEqual([unkeyed.id, b1.id, a2.id, a1.id]);
    const byKey = await api("POST", "/artifacts/filter", { artifacts: { key: { any_: [k1] } }, sort: "KEY_ASC" });
    expect(ids(byKey.body).sort()).toEqual([a1.id, a2.id].sort());
    const noKey = await api("POST", "/artifacts/filter", { artifacts: { flow_run_id: { any_: [runB.id] }, key: { exists_: false } } });
    expect(ids(noKey.body)).toEqual([unkeyed.id]);
    const like = await api("POST", "/artifacts/filter", { artifacts: { key: { like_: k2.slice(0, 12).toUpperCase() } } });
    expect(ids(like.body)).toEqual([b1.id]);
    const notType = await api("POST", "/artifacts/filter", { artifacts: { flow_run_id: { any_: [runA.id, runB.id] }, type: { not_any_: ["result", "table"] } } });
    expect(ids(notType.body).sort()).toEqual([a1.id, b1.id].sort());
    const byType = await api("POST", "/artifacts/filter", { artifacts: { flow_run_id: { any_: [runA.id] }, type: { any_: ["table"] } } });
    expect(ids(byType.body)).toEqual([a2.id]);
    const byTaskId = await api("POST", "/artifacts/filter", { artifacts: { task_run_id: { any_: [task.id] } } });
    expect(ids(byTaskId.body)).toEqual([a1.id]);
    expect((await api("POST", "/artifacts/filter", { artifacts: { id: { any_: [a2.id] } } })).body).toHaveLength(1);

    // Through the flow run, its flow and deployment, and the task run.
    const viaRun = await api("POST", "/artifacts/filter", { flow_runs: { tags: { all_: ["run-a"] } }, artifacts: { key: { any_: [k1, k2] } } });
    expect(ids(viaRun.body).sort()).toEqual([a1.id, a2.id].sort());
    const viaFlow = await api("POST", "/artifacts/filter", { flows: { id: { any_: [flow.id] } } });
    expect(ids(viaFlow.body).sort()).toEqual([a1.id, a2.id].sort());
    const viaDeployment = await api("POST", "/artifacts/filter", { deployments: { id: { any_: [dep.id] } } });
    expect(ids(viaDeployment.body).sort()).toEqual([a1.id, a2.id].sort());
    const viaTask = await api("POST", "/artifacts/filter", { task_runs: { name: { any_: ["the-task"] } }, artifacts: { flow_run_id: { any_: [runA.id] } } });
    expect(ids(viaTask.body)).toEqual([a1.id]);
    expect((await api("POST", "/artifacts/count", { flows: { id: { any_: [flow.id] } } })).body).toBe(2);
    expect((await api("POST", "/artifacts/count", { artifacts: { flow_run_id: { any_: [runA.id, runB.id] } } })).body).toBe(4);

    // Latest: one row per key.
    const latestRows = await api("POST", "/artifacts/latest/filter", { artifacts: { key: { any_: [k1, k2] } }, sort: "KEY_DESC" });
    expect(latestRows.body.map((r: any) => [r.key, r.latest_id])).toEqual([
      [k2, b1.id],
      [k1, a2.id],
    ]);
    const latestViaFlow = await api("POST", "/artifacts/latest/filter", { flows: { id: { any_: [flow.id] } } });
    expect(latestViaFlow.body.map((r: any) => r.latest_id)).toEqual([a2.id]);
    const latestByLatestId = await api("POST", "/artifacts/latest/filter", { artifacts: { latest_id: { any_: [b1.id] } } });
    expect(latestByLatestId.body.map((r: any) => r.key)).toEqual([k2]);
    expect((await api("POST", "/artifacts/latest/count", { artifacts: { key: { any_: [k1, k2] } } })).body).toBe(2);
    expect((await api("POST", "/artifacts/latest/count", { artifacts: { key: { any_: [k1, k2] }, type: { any_: ["markdown"] } } })).body).toBe(1);
    expect((await api("POST", "/artifacts/latest/count", { task_runs: { name: { any_: ["the-task"] } } })).body).toBe(0);

    const limited = await api("POST", "/artifacts/filter", { artifacts: { flow_run_id: { any_: [runA.id, runB.id] } }, sort: "CREATED_DESC", limit: 2, offset: 1 });
    expect(ids(limited.body)).toEqual([b1.id, a2.id]);
  });

  it("answers 404s", async () => {
    expect(await api("GET", `/artifacts/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Artifact not found." } });
    expect(await api("PATCH", `/artifacts/${MISSING}`, { data: 1 })).toMatchObject({ status: 404, body: { detail: "Artifact not found." } });
    expect(await api("DELETE", `/artifacts/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Artifact not found." } });
    expect(await api("GET", "/artifacts/no-such-key/latest")).toMatchObject({ status: 404, body: { detail: "Artifact not found." } });
    expect(await api("GET", "/artifacts/not-a-uuid")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
  });

  it("answers 422s: key rules, bad ids, extra fields, bad sorts and limits", async () => {
    const bad = await api("POST", "/artifacts/", { key: "Bad_Key", data: 1 });
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual({
      exception_message: "Invalid request received.",
      exception_detail: [
        {
          type: "value_error",
          loc: ["body", "key"],
          msg: "Value error, Artifact key must only contain lowercase letters, numbers, and dashes.",
          input: "Bad_Key",
          ctx: { error: "Artifact key must only contain lowercase letters, numbers, and dashes." },
        },
      ],
      request_body: { key: "Bad_Key", data: 1 },
    });
    const badRun = await api("POST", "/artifacts/", { flow_run_id: "nope" });
    expect(badRun.body.exception_detail[0]).toMatchObject({ type: "uuid_parsing", loc: ["body", "flow_run_id"] });
    const extra = await api("POST", "/artifacts/", { data: 1, nope: 2 });
    expect(extra.body.exception_detail[0]).toMatchObject({ type: "extra_forbidden", loc: ["body", "nope"] });
    const badMeta = await api("POST", "/artifacts/", { metadata_: { a: 1 } });
    expect(badMeta.body.exception_detail[0]).toMatchObject({ type: "string_type", loc: ["body", "metadata_", "a"] });
    const a = await create({ data: 1 });
    const badUpdate = await api("PATCH", `/artifacts/${a.id}`, { key: "x" });
    expect(badUpdate.body.exception_detail[0]).toMatchObject({ type: "extra_forbidden", loc: ["body", "key"] });
    expect((await api("POST", "/artifacts/filter", { sort: "NOPE" })).status).toBe(422);
    expect((await api("POST", "/artifacts/latest/filter", { limit: 201 })).body).toEqual({ detail: "Invalid limit: must be less than or equal to 200." });
    expect((await api("POST", "/artifacts/count", { artifacts: { key: { nope: 1 } } })).status).toBe(422);
    expect((await api("POST", "/artifacts/filter", {})).status).toBe(200);
    expect((await api("POST", "/artifacts/latest/count", {})).status).toBe(200);
  });

  it("puts a flow run's artifacts on its graph (v2)", async () => {
    const T = (s: number) => `2030-01-01T00:00:${String(s).padStart(2, "0")}.000000Z`;
    const run = await seedFlowRun({ start_time: T(0), expected_start_time: T(0) });
    const task = await seedTaskRun({ flow_run_id: run.id, start_time: T(1), expected_start_time: T(1), state: { type: "RUNNING" } });
    const k = key("graph");
    const onRun = await create({ type: "progress", data: 50, flow_run_id: run.id });
    await sleep(2);
    const old = await create({ key: k, type: "markdown", data: "old", flow_run_id: run.id, task_run_id: task.id });
    await sleep(2);
    const current = await create({ key: k, type: "markdown", data: "new", flow_run_id: run.id, task_run_id: task.id });
    await create({ type: "result", data: 1, flow_run_id: run.id });
    const graph = await api("GET", `/flow_runs/${run.id}/graph-v2`);
    expect(graph.status).toBe(200);
    expect(graph.body.artifacts).toEqual([{ id: onRun.id, created: onRun.created, key: null, type: "progress", is_latest: true, data: 50 }]);
    const node = graph.body.nodes.find(([id]: [string]) => id === task.id)[1];
    expect(node.artifacts).toEqual([
      { id: old.id, created: old.created, key: k, type: "markdown", is_latest: false, data: null },
      { id: current.id, created: current.created, key: k, type: "markdown", is_latest: true, data: null },
    ]);
  });
});
