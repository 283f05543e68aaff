import { describe, expect, it } from "vitest";
import { api } from "../helpers";
import { seedFlowRun } from "../fixtures/runs";

const MISSING = "00000000-0000-4000-8000-000000000000";

describe("flow run input", () => {
  it("creates (201, null), reads as plain text, deletes (204)", async () => {
    const run = await seedFlowRun();
    const created = await api("POST", `/flow_runs/${run.id}/input`, { key: "paused-1-response", value: '{"x": 1}', sender: "me" });
    expect(created.status).toBe(201);
    expect(created.text).toBe("null");

    const read = await api("GET", `/flow_runs/${run.id}/input/paused-1-response`);
    expect(read.status).toBe(200);
    expect(read.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(read.text).toBe('{"x": 1}');

    const del = await api("DELETE", `/flow_runs/${run.id}/input/paused-1-response`);
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    expect(await api("GET", `/flow_runs/${run.id}/input/paused-1-response`)).toMatchObject({
      status: 404,
      body: { detail: "Flow run input not found" },
    });
    expect(await api("DELETE", `/flow_runs/${run.id}/input/paused-1-response`)).toMatchObject({
      status: 404,
      body: { detail: "Flow run input not found" },
    });
  });

  it("409s a duplicate key, 404s a missing run", async () => {
    const run = await seedFlowRun();
    expect((await api("POST", `/flow_runs/${run.id}/input`, { key: "k", value: "1" })).status).toBe(201);
    expect(await api("POST", `/flow_runs/${run.id}/input`, { key: "k", value: "2" })).toMatchObject({
      status: 409,
      body: { detail: "A flow run input with this key already exists." },
    });
    expect((await api("GET", `/flow_runs/${run.id}/input/k`)).text).toBe("1");
    // The same key on another run is fine.
    const other = await seedFlowRun();
    expect((await api("POST", `/flow_runs/${other.id}/input`, { key: "k", value: "3" })).status).toBe(201);
    expect(await api("POST", `/flow_runs/${MISSING}/input`, { key: "k", value: "1" })).toMatchObject({
      status: 404,
      body: { detail: "Flow run not found" },
    });
  });

  it("validates the body and the key's characters (422, never a 500)", async () => {
    const run = await seedFlowRun();
    const missing = await api("POST", `/flow_runs/${run.id}/input`, { key: "k" });
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({
      exception_message: "Invalid request received.",
      exception_detail: [{ type: "missing", loc: ["body", "value"], msg: "Field required", input: null }],
      request_body: { key: "k" },
    });
    const badKey = await api("POST", `/flow_runs/${run.id}/input`, { key: "Bad_Key", value: "1" });
    expect(badKey).toMatchObject({ status: 422, body: { exception_detail: [{ type: "value_error", loc: ["body", "key"] }] } });
  });

  it("filters by key prefix, oldest first, with limit and excluded keys", async () => {
    const run = await seedFlowRun();
    for (const key of ["paused-1-schema", "paused-1-response", "paused-2-response", "other"])
      expect((await api("POST", `/flow_runs/${run.id}/input`, { key, value: `"${key}"`, sender: key === "other" ? null : "s" })).status).toBe(201);

    const one = await api("POST", `/flow_runs/${run.id}/input/filter`, { prefix: "paused" });
    expect(one.status).toBe(200);
    expect(one.body).toHaveLength(1);
    expect(Object.keys(one.body[0])).toEqual(["id", "created", "updated", "flow_run_id", "key", "value", "sender"]);
    expect(one.body[0]).toMatchObject({ flow_run_id: run.id, key: "paused-1-schema", value: '"paused-1-schema"', sender: "s" });

    const all = await api("POST", `/flow_runs/${run.id}/input/filter`, { prefix: "paused-", limit: 10, exclude_keys: ["paused-1-response"] });
    expect(all.body.map((i: any) => i.key)).toEqual(["paused-1-schema", "paused-2-response"]);

    expect((await api("POST", `/flow_runs/${MISSING}/input/filter`, { prefix: "p", limit: 10 })).body).toEqual([]);
    const noPrefix = await api("POST", `/flow_runs/${run.id}/input/filter`, { limit: 3 });
    expect(noPrefix.status).toBe(422);
    expect(noPrefix.body.exception_detail[0]).toMatchObject({ type: "missing", loc: ["body", "prefix"] });
  });

  it("goes with its run", async () => {
    const run = await seedFlowRun();
    await api("POST", `/flow_runs/${run.id}/input`, { key: "k", value: "1" });
    expect((await api("DELETE", `/flow_runs/${run.id}`)).status).toBe(204);
    expect((await api("GET", `/flow_runs/${run.id}/input/k`)).status).toBe(404);
  });
});
