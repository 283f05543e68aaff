import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";
import { seedDeployment, seedFlow, seedFlowRun, seedTaskRun } from "../fixtures/runs";

const MISSING = "00000000-0000-4000-8000-000000000000";
const at = (iso: string) => new Date(iso).toISOString().replace("Z", "000Z");

describe("/ui/flows", () => {
  it("counts deployments per flow, zero included, in the order asked", async () => {
    const [f1, f2, f3] = [await seedFlow(), await seedFlow(), await seedFlow()];
    for (let i = 0; i < 3; i++) await seedDeployment(f1.id);
    for (let i = 0; i < 2; i++) await seedDeployment(f2.id);
    const res = await api("POST", "/ui/flows/count-deployments", { flow_ids: [f3.id, f1.id, f2.id.toUpperCase()] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ [f3.id]: 0, [f1.id]: 3, [f2.id]: 2 });
    expect(Object.keys(res.body)).toEqual([f3.id, f1.id, f2.id]);
    expect((await api("POST", "/ui/flows/count-deployments", { flow_ids: [] })).body).toEqual({});
  });

  it("answers each flow's next scheduled run, null without one", async () => {
    const [f1, f2] = [await seedFlow(), await seedFlow()];
    const soon = at("2031-01-01T00:00:00Z");
    const later = at("2031-01-01T01:00:00Z");
    const next = await seedFlowRun({ flow_id: f1.id, state: { type: "SCHEDULED" }, next_scheduled_start_time: soon, expected_start_time: soon });
    await seedFlowRun({ flow_id: f1.id, state: { type: "SCHEDULED" }, next_scheduled_start_time: later, expected_start_time: later });
    await seedFlowRun({ flow_id: f1.id, state: { type: "RUNNING" }, next_scheduled_start_time: at("2030-01-01T00:00:00Z") });
    await seedFlowRun({ flow_id: f2.id, state: { type: "COMPLETED" } });
    const res = await api("POST", "/ui/flows/next-runs", { flow_ids: [f1.id, f2.id] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      [f1.id]: { id: next.id, flow_id: f1.id, name: next.name, state_name: "Scheduled", state_type: "SCHEDULED", next_scheduled_start_time: soon },
      [f2.id]: null,
    });
  });

  it("422 for missing or malformed flow ids", async () => {
    const missing = await api("POST", "/ui/flows/count-deployments", {});
    expect(missing.status).toBe(422);
    expect(missing.body.exception_detail[0]).toMatchObject({ type: "missing", loc: ["body", "flow_ids"] });
    const bad = await api("POST", "/ui/flows/next-runs", { flow_ids: ["nope"] });
    expect(bad.status).toBe(422);
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "uuid_parsing", loc: ["body", "flow_ids", 0] });
  });
});

describe("/ui/flow_runs", () => {
  it("answers the history of matching runs: state, timestamp, duration, lateness", async () => {
    const flow = await seedFlow({ name: unique("hist") });
    const expected = at("2020-01-01T00:00:00Z");
    const started = at("2020-01-01T00:00:30Z");
    const a = await seedFlowRun({ flow_id: flow.id, state: { type: "COMPLETED" }, expected_start_time: expected, start_time: started, total_run_time: 12.5 });
    const b = await seedFlowRun({ flow_id: flow.id, state: { type: "FAILED" }, expected_start_time: at("2020-01-02T00:00:00Z"), total_run_time: 1 });
    const res = await api("POST", "/ui/flow_runs/history", { flows: { id: { any_: [flow.id] } }, sort: "EXPECTED_START_TIME_ASC" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: a.id, state_type: "COMPLETED", timestamp: started, duration: 12.5, lateness: 30 },
      { id: b.id, state_type: "FAILED", timestamp: at("2020-01-02T00:00:00Z"), duration: 1, lateness: 0 },
    ]);
    const paged = await api("POST", "/ui/flow_runs/history", { flows: { id: { any_: [flow.id] } }, sort: "EXPECTED_START_TIME_ASC", limit: 1, offset: 1 });
    expect(paged.body.map((r: any) => r.id)).toEqual([b.id]);
    expect((await api("POST", "/ui/flow_runs/history")).status).toBe(200);
  });

  it("422 for a limit over 1000 or a bad sort", async () => {
    const res = await api("POST", "/ui/flow_runs/history", { limit: 1001 });
    expect(res.status).toBe(422);
    expect(res.body.exception_detail[0]).toMatchObject({ type: "less_than_equal", loc: ["body", "limit"] });
    expect((await api("POST", "/ui/flow_runs/history", { sort: "NOPE" })).status).toBe(422);
  });

  it("counts task runs per flow run, not those standing for subflows", async () => {
    const run = await seedFlowRun();
    const empty = await seedFlowRun();
    for (let i = 0; i < 3; i++) await seedTaskRun({ flow_run_id: run.id });
    const subflowTask = await seedTaskRun({ flow_run_id: run.id });
    await seedFlowRun({ parent_task_run_id: subflowTask.id });
    const res = await api("POST", "/ui/flow_runs/count-task-runs", { flow_run_ids: [run.id, empty.id] });
    expect(res).toMatchObject({ status: 200, body: { [run.id]: 3, [empty.id]: 0 } });
    expect((await api("POST", "/ui/flow_runs/count-task-runs", { flow_run_ids: "x" })).status).toBe(422);
  });
});

describe("/ui/task_runs", () => {
  it("buckets terminal task runs for the dashboard (20 buckets)", async () => {
    const tag = unique("dash");
    const base = Date.UTC(2025, 0, 1, 0, 0, 0);
    const iso = (minutes: number) => at(new Date(base + minutes * 60_000).toISOString());
    await seedTaskRun({ tags: [tag], state: { type: "COMPLETED" }, start_time: iso(0.5) });
    await seedTaskRun({ tags: [tag], state: { type: "CANCELLED" }, start_time: iso(1) });
    await seedTaskRun({ tags: [tag], state: { type: "FAILED" }, start_time: iso(10) });
    await seedTaskRun({ tags: [tag], state: { type: "CRASHED" }, start_time: iso(19) });
    await seedTaskRun({ tags: [tag], state: { type: "CRASHED" }, start_time: iso(19.5) }); // after before_
    await seedTaskRun({ tags: [tag], state: { type: "RUNNING" }, start_time: iso(5) });
    const res = await api("POST", "/ui/task_runs/dashboard/counts", {
      task_runs: { tags: { all_: [tag] }, start_time: { after_: iso(0), before_: iso(19) } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(20);
    // 20 minutes from 00:00 to 00:19:59.999999: one minute per bucket.
    const expected = Array.from({ length: 20 }, () => ({ completed: 0, failed: 0 }));
    expected[0] = { completed: 1, failed: 0 };
    expected[1] = { completed: 1, failed: 0 };
    expected[10] = { completed: 0, failed: 1 };
    expected[19] = { completed: 0, failed: 1 };
    expect(res.body).toEqual(expected);
  });

  it("requires task_runs.start_time.after_ (422)", async () => {
    expect(await api("POST", "/ui/task_runs/dashboard/counts", { task_runs: {} })).toMatchObject({
      status: 422,
      body: { detail: "task_runs.start_time.after_ is required" },
    });
    const missing = await api("POST", "/ui/task_runs/dashboard/counts", {});
    expect(missing.status).toBe(422);
    expect(missing.body.exception_detail[0]).toMatchObject({ type: "missing", loc: ["body", "task_runs"] });
  });

  it("counts task runs by state, every state present", async () => {
    const tag = unique("count");
    await seedTaskRun({ tags: [tag], state: { type: "COMPLETED" } });
    await seedTaskRun({ tags: [tag], state: { type: "COMPLETED" } });
    await seedTaskRun({ tags: [tag], state: { type: "FAILED" } });
    const res = await api("POST", "/ui/task_runs/count", { task_runs: { tags: { all_: [tag] } } });
    expect(res).toMatchObject({ status: 200 });
    expect(res.body).toEqual({ COMPLETED: 2, PENDING: 0, RUNNING: 0, FAILED: 1, CANCELLED: 0, CRASHED: 0, PAUSED: 0, CANCELLING: 0, SCHEDULED: 0 });
    expect((await api("POST", "/ui/task_runs/count", { task_runs: { nope: 1 } })).status).toBe(422);
  });

  it("reads a task run with its flow run's name; 404s", async () => {
    const run = await seedFlowRun();
    const task = await seedTaskRun({ flow_run_id: run.id });
    const res = await api("GET", `/ui/task_runs/${task.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: task.id, flow_run_id: run.id, flow_run_name: run.name, task_key: task.task_key, state_type: "PENDING" });
    const plain = await api("GET", `/task_runs/${task.id}`);
    if (plain.status === 200) expect(res.body).toEqual({ ...plain.body, flow_run_name: run.name });
    const orphan = await seedTaskRun();
    expect((await api("GET", `/ui/task_runs/${orphan.id}`)).body.flow_run_name).toBeNull();
    expect(await api("GET", `/ui/task_runs/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Task not found" } });
    expect(await api("GET", "/ui/task_runs/nope")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
  });
});

describe("/ui/schemas/validate", () => {
  const schema = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ title: "Parameters", type: "object", properties, ...extra });
  const check = (body: unknown) => api("POST", "/ui/schemas/validate", body);

  it("accepts empty schema and values, and valid values", async () => {
    expect(await check({ schema: {}, values: {} })).toMatchObject({ status: 200, body: { errors: [], valid: true } });
    const ok = await check({ schema: schema({ param: { title: "param", position: 0, type: "integer" } }, { required: ["param"] }), values: { param: 1 } });
    expect(ok.body).toEqual({ errors: [], valid: true });
  });

  it("answers errors nested by property and index, with jsonschema's messages", async () => {
    const res = await check({
      schema: schema(
        {
          param: { title: "param", type: "integer" },
          optional: { type: "integer" },
          items: { type: "array", items: { type: "object", properties: { n: { type: "string" } }, required: ["n"] } },
          choice: { enum: ["a", "b"] },
        },
        { required: ["param", "must"] },
      ),
      values: { param: "not an int", optional: "x", items: [{ n: "ok" }, {}, { n: 1 }], choice: "c" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      errors: [
        { property: "param", errors: ["'not an int' is not of type 'integer'"] },
        // Not required: null is allowed too (Prefect's preprocessing).
        { property: "optional", errors: ["'x' is not valid under any of the given schemas"] },
        {
          property: "items",
          errors: [
            { index: 1, errors: [{ property: "n", errors: ["'n' is a required property"] }] },
            { index: 2, errors: [{ property: "n", errors: ["1 is not of type 'string'"] }] },
          ],
        },
        { property: "choice", errors: ["'c' is not one of ['a', 'b']"] },
        { property: "must", errors: ["'must' is a required property"] },
      ],
      valid: false,
    });
    const required = await check({ schema: schema({ param: { type: "integer" } }, { required: ["param"] }), values: { param: "x" } });
    expect(required.body.errors).toEqual([{ property: "param", errors: ["'x' is not of type 'integer'"] }]);
  });

  it("hydrates placeholders: json, jinja, workspace variables", async () => {
    const name = unique("var").replace(/-/g, "_");
    expect((await api("POST", "/variables/", { name, value: 42 })).status).toBe(201);
    const s = schema({ a: { type: "integer" }, b: { type: "integer" }, c: { type: "string" }, d: { type: "integer" }, e: { type: "integer" } }, { required: ["a", "b", "c", "d", "e"] });
    const res = await check({
      schema: s,
      values: {
        a: { __prefect_kind: "json", value: "7" },
        b: { __prefect_kind: "workspace_variable", variable_name: name },
        c: { __prefect_kind: "jinja", template: "{{ flow_run.name }}" },
        d: { __prefect_kind: "json", value: "{" },
        e: { __prefect_kind: "workspace_variable", variable_name: unique("missing") },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.errors).toEqual([
      { property: "d", errors: ["Invalid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"] },
      { property: "e", errors: [expect.stringMatching(/^Variable '.*' not found in workspace\.$/)] },
    ]);
    const badJinja = await check({ schema: s, values: { a: 1, b: 1, d: 1, e: 1, c: { __prefect_kind: "jinja", template: "{{ oops" } } });
    expect(badJinja.body.errors).toEqual([{ property: "c", errors: ["Invalid jinja: unexpected end of template, expected 'end of print statement'."] }]);
  });

  it("422 for a 5 000-deep schema (the body's nesting limit), and for one whose validation recurses past its limit", async () => {
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 5_000; i++) deep = { type: "object", properties: { a: deep } };
    const tooDeep = await check({ schema: deep, values: {} });
    expect(tooDeep.status).toBe(422);
    expect(tooDeep.body.exception_detail[0]).toMatchObject({ type: "json_invalid", ctx: { error: "Nested deeper than 500 levels" } });
    let chain: unknown = { $ref: "#/definitions/X" };
    for (let i = 0; i < 200; i++) chain = { allOf: [chain] };
    let value: unknown = 1;
    for (let i = 0; i < 250; i++) value = [value];
    const recursing = await check({ schema: schema({ param: { $ref: "#/definitions/X" } }, { definitions: { X: { type: "array", items: chain } } }), values: { param: value } });
    expect(recursing).toMatchObject({ status: 422, body: { detail: "Invalid schema: Unable to validate schema with circular references." } });
  });

  it("422 for invalid, circular or remote schemas and bad bodies", async () => {
    const invalid = await check({ schema: schema({ param: { type: "integer" } }, { type: "NOT A REAL OBJECT RAWR" }), values: { param: 1 } });
    expect(invalid).toMatchObject({ status: 422, body: { detail: "Invalid schema: 'NOT A REAL OBJECT RAWR' is not valid under any of the given schemas" } });
    const circular = await check({
      schema: schema(
        { param: { allOf: [{ $ref: "#/definitions/City" }] } },
        { definitions: { City: { title: "City", properties: { name: { type: "string" } }, allOf: [{ $ref: "#/definitions/City" }] } } },
      ),
      values: { param: "x" },
    });
    expect(circular).toMatchObject({ status: 422, body: { detail: "Invalid schema: Unable to validate schema with circular references." } });
    const remote = await check({ schema: schema({ param: { $ref: "https://a.example.com/schema.json" } }), values: { param: 1 } });
    expect(remote.status).toBe(422);
    const missing = await check({ schema: {} });
    expect(missing.status).toBe(422);
    expect(missing.body.exception_detail[0]).toMatchObject({ type: "missing", loc: ["body", "values"] });
  });
});
