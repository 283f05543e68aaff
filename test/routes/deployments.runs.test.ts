import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";

async function deployment(extra: Record<string, unknown> = {}) {
  const flow = (await api("POST", "/flows/", { name: unique("dflow") })).body;
  const res = await api("POST", "/deployments/", { name: unique("dep"), flow_id: flow.id, parameters: { a: 1, b: 2 }, tags: ["d"], labels: { env: "x" }, ...extra });
  expect(res.status).toBe(201);
  return res.body;
}

describe("POST /deployments/{id}/create_flow_run", () => {
  it("creates a SCHEDULED run with merged parameters, tags and labels", async () => {
    const dep = await deployment();
    const res = await api("POST", `/deployments/${dep.id}/create_flow_run`, { parameters: { b: 3 }, tags: ["r"] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      deployment_id: dep.id,
      flow_id: dep.flow_id,
      parameters: { a: 1, b: 3 },
      state_type: "SCHEDULED",
      state_name: "Scheduled",
      auto_scheduled: false,
    });
    expect(res.body.tags.sort()).toEqual(["d", "r"]);
    expect(res.body.labels).toMatchObject({ env: "x", "prefect.flow.id": dep.flow_id, "prefect.deployment.id": dep.id });
    expect(res.body.state.state_details.scheduled_time).toBeTruthy();
    expect(res.body.next_scheduled_start_time).toBe(res.body.state.state_details.scheduled_time);
  });

  it("schedules a SCHEDULED state sent without a scheduled time for now (the UI's quick run)", async () => {
    const dep = await deployment();
    const before = Date.now();
    const res = await api("POST", `/deployments/${dep.id}/create_flow_run`, { state: { type: "SCHEDULED", message: "Run from the Prefect UI" } });
    expect(res.status).toBe(201);
    const scheduled = Date.parse(res.body.state.state_details.scheduled_time);
    expect(scheduled).toBeGreaterThanOrEqual(before - 1000);
    expect(scheduled).toBeLessThanOrEqual(Date.now() + 1000);
    expect(res.body.expected_start_time).toBe(res.body.state.state_details.scheduled_time);
    expect(res.body.next_scheduled_start_time).toBe(res.body.state.state_details.scheduled_time);
  });

  it("is idempotent on the idempotency key and 404s for an unknown deployment", async () => {
    const dep = await deployment();
    const a = await api("POST", `/deployments/${dep.id}/create_flow_run`, { idempotency_key: "same" });
    const b = await api("POST", `/deployments/${dep.id}/create_flow_run`, { idempotency_key: "same" });
    expect([a.status, b.status]).toEqual([201, 200]);
    expect(b.body.id).toBe(a.body.id);
    const missing = await api("POST", "/deployments/00000000-0000-4000-8000-000000000000/create_flow_run", {});
    expect(missing).toMatchObject({ status: 404, body: { detail: "Deployment not found" } });
  });

  it("validates parameters against the schema when enforced (409)", async () => {
    const dep = await deployment({
      enforce_parameter_schema: true,
      parameter_openapi_schema: { type: "object", properties: { a: { type: "integer" } }, required: ["a"] },
    });
    const bad = await api("POST", `/deployments/${dep.id}/create_flow_run`, { parameters: { a: "nope" } });
    expect(bad.status).toBe(409);
    expect(bad.body.detail).toMatch(/^Error creating flow run: /);
    const ok = await api("POST", `/deployments/${dep.id}/create_flow_run`, { parameters: { a: 5 } });
    expect(ok.status).toBe(201);
  });

  it("answers Prefect's 422 for a schema it cannot validate (circular, or nested past the recursion limit), as does PATCH", async () => {
    let deep: unknown = { $ref: "#/definitions/X" };
    for (let i = 0; i < 200; i++) deep = { allOf: [deep] };
    let value: unknown = 1;
    for (let i = 0; i < 250; i++) value = [value];
    const schemas = [
      { type: "object", properties: { a: { $ref: "#/definitions/X" } }, definitions: { X: { $ref: "#/definitions/X" } } },
      { type: "object", properties: { a: { $ref: "#/definitions/X" } }, definitions: { X: { type: "array", items: deep } } },
    ];
    for (const parameter_openapi_schema of schemas) {
      const dep = await deployment({ enforce_parameter_schema: true, parameter_openapi_schema, parameters: {} });
      const detail = "Invalid schema: Unable to validate schema with circular references.";
      expect(await api("POST", `/deployments/${dep.id}/create_flow_run`, { parameters: { a: value } })).toMatchObject({ status: 422, body: { detail } });
      expect(await api("PATCH", `/deployments/${dep.id}`, { parameters: { a: value } })).toMatchObject({ status: 422, body: { detail } });
    }
  });

  it("counts an unresolvable $ref as a validation failure (409), as Prefect's validate does", async () => {
    const dep = await deployment({ enforce_parameter_schema: true, parameter_openapi_schema: { type: "object", properties: { a: { $ref: "https://example.com/s.json" } } }, parameters: {} });
    const res = await api("POST", `/deployments/${dep.id}/create_flow_run`, { parameters: { a: 1 } });
    expect(res).toMatchObject({ status: 409, body: { detail: "Error creating flow run: Validation failed. Failure reason: Unresolvable: https://example.com/s.json" } });
  });

  it("runs in the deployment's work queue, or a named queue of its pool (created if missing)", async () => {
    const pool = unique("pool");
    expect((await api("POST", "/work_pools/", { name: pool, type: "process" })).status).toBe(201);
    const dep = await deployment({ work_pool_name: pool });
    const inDefault = await api("POST", `/deployments/${dep.id}/create_flow_run`, {});
    expect(inDefault.body).toMatchObject({ work_pool_name: pool, work_queue_name: "default" });
    const named = await api("POST", `/deployments/${dep.id}/create_flow_run`, { work_queue_name: "fast" });
    expect(named.body).toMatchObject({ work_pool_name: pool, work_queue_name: "fast" });
    expect((await api("GET", `/work_pools/${pool}/queues/fast`)).status).toBe(200);
  });

  it("creates in bulk, at most 100", async () => {
    const dep = await deployment();
    const res = await api("POST", `/deployments/${dep.id}/create_flow_run/bulk`, [{}, { parameters: { a: 9 } }]);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => r.status)).toEqual(["CREATED", "CREATED"]);
    const tooMany = await api("POST", `/deployments/${dep.id}/create_flow_run/bulk`, Array.from({ length: 101 }, () => ({})));
    expect(tooMany.status).toBe(400);
  });
});

describe("deployment scheduling routes", () => {
  it("POST /deployments/{id}/schedule creates the schedule's runs; get_scheduled_flow_runs hands them out", async () => {
    const dep = await deployment({ schedules: [{ schedule: { interval: 60 }, active: true }] });
    const res = await api("POST", `/deployments/${dep.id}/schedule`, { min_runs: 2, max_runs: 2 });
    expect(res.status).toBe(200);
    const runs = (await api("POST", "/flow_runs/filter", { deployments: { id: { any_: [dep.id] } } })).body;
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const soon = new Date(Date.now() + 3600_000).toISOString();
    const polled = await api("POST", "/deployments/get_scheduled_flow_runs", { deployment_ids: [dep.id], scheduled_before: soon });
    expect(polled.status).toBe(200);
    expect(polled.body.length).toBeGreaterThanOrEqual(2);
    expect(polled.body.every((r: any) => r.deployment_id === dep.id && r.state_type === "SCHEDULED")).toBe(true);
    const times = polled.body.map((r: any) => r.next_scheduled_start_time);
    expect([...times].sort()).toEqual(times);
    expect((await api("POST", "/deployments/00000000-0000-4000-8000-000000000000/schedule", {})).status).toBe(404);
  });
});

describe("job variables of deployment flow runs", () => {
  it("are validated against the pool's base job template, required ones included (422)", async () => {
    const pool = unique("jvpool");
    const template = {
      job_configuration: { command: "{{ command }}", image: "{{ image }}" },
      variables: {
        type: "object",
        properties: { command: { type: "string" }, image: { type: "string" }, cpu: { type: "integer", default: 1 } },
        required: ["image"],
      },
    };
    expect((await api("POST", "/work_pools/", { name: pool, type: "docker", base_job_template: template })).status).toBe(201);
    const dep = await deployment({ work_pool_name: pool, job_variables: { command: "run" } });
    const missing = await api("POST", `/deployments/${dep.id}/create_flow_run`, {});
    expect(missing).toMatchObject({ status: 422, body: { detail: "Error creating flow run: Validation failed. Failure reason: 'image' is a required property" } });
    const wrongType = await api("POST", `/deployments/${dep.id}/create_flow_run`, { job_variables: { image: "x", cpu: "many" } });
    expect(wrongType).toMatchObject({
      status: 422,
      body: { detail: "Error creating flow run: Validation failed for field 'cpu'. Failure reason: 'many' is not valid under any of the given schemas" },
    });
    const ok = await api("POST", `/deployments/${dep.id}/create_flow_run`, { job_variables: { image: "python:3.12" } });
    expect(ok.status).toBe(201);
    expect(ok.body.job_variables).toEqual({ image: "python:3.12" });
  });
});

describe("job variables and parameters of deployments and their runs", () => {
  const template = {
    job_configuration: { image: "{{ image }}" },
    variables: { type: "object", properties: { image: { type: "string" }, cpu: { type: "integer" } }, required: ["image"] },
  };

  it("deployment create checks job variables without requiring keys (422); PATCH checks parameters (409)", async () => {
    const pool = unique("jvpool2");
    await api("POST", "/work_pools/", { name: pool, type: "docker", base_job_template: template });
    const flow = (await api("POST", "/flows/", { name: unique("jvflow") })).body;
    const bad = await api("POST", "/deployments/", { name: unique("d"), flow_id: flow.id, work_pool_name: pool, job_variables: { cpu: "x" } });
    expect(bad).toMatchObject({ status: 422, body: { detail: "Error creating deployment: Validation failed for field 'cpu'. Failure reason: 'x' is not valid under any of the given schemas" } });
    const dep = await api("POST", "/deployments/", {
      name: unique("d"),
      flow_id: flow.id,
      work_pool_name: pool,
      job_variables: { cpu: 2 },
      enforce_parameter_schema: true,
      parameter_openapi_schema: { type: "object", properties: { n: { type: "integer" } } },
    });
    expect(dep.status).toBe(201);
    const patch = await api("PATCH", `/deployments/${dep.body.id}`, { parameters: { n: "many" } });
    expect(patch).toMatchObject({ status: 409, body: { detail: "Error updating deployment: Validation failed for field 'n'. Failure reason: 'many' is not valid under any of the given schemas" } });
  });

  it("flow run PATCH validates job variables against its deployment's pool (422)", async () => {
    const pool = unique("jvpool3");
    await api("POST", "/work_pools/", { name: pool, type: "docker", base_job_template: template });
    const dep = await deployment({ work_pool_name: pool, job_variables: { image: "a" } });
    const run = (await api("POST", `/deployments/${dep.id}/create_flow_run`, {})).body;
    const bad = await api("PATCH", `/flow_runs/${run.id}`, { job_variables: { cpu: "lots" } });
    expect(bad).toMatchObject({ status: 422, body: { detail: "Error updating flow run: Validation failed for field 'cpu'. Failure reason: 'lots' is not valid under any of the given schemas" } });
    expect((await api("PATCH", `/flow_runs/${run.id}`, { job_variables: { cpu: 4 } })).status).toBe(204);
  });
});

describe("parameter hydration of deployment flow runs", () => {
  it("resolves json, none and workspace_variable placeholders; 400 for what cannot be resolved", async () => {
    const name = `hv_${Date.now()}`;
    expect((await api("POST", "/variables/", { name, value: { deep: [1, 2] } })).status).toBe(201);
    const dep = await deployment({ parameters: {} });
    const res = await api("POST", `/deployments/${dep.id}/create_flow_run`, {
      parameters: {
        j: { __prefect_kind: "json", value: '{"x": 1}' },
        gone: { __prefect_kind: "none" , value: null},
        v: { __prefect_kind: "workspace_variable", variable_name: name },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.parameters).toMatchObject({ j: { x: 1 }, v: { deep: [1, 2] } });
    const missing = await api("POST", `/deployments/${dep.id}/create_flow_run`, {
      parameters: { v: { __prefect_kind: "workspace_variable", variable_name: "no_such_var" } },
    });
    expect(missing).toMatchObject({ status: 400, body: { detail: "Error hydrating flow run parameters: Variable 'no_such_var' not found in workspace." } });
  });

  it("renders jinja placeholders with an empty context, as Prefect's create_flow_run does; a render error is its 400", async () => {
    const dep = await deployment({ parameters: { fixed: { __prefect_kind: "jinja", template: "{{ 'dep' | upper }}" } } });
    const res = await api("POST", `/deployments/${dep.id}/create_flow_run`, {
      parameters: {
        sum: { __prefect_kind: "jinja", template: "{{ 1 + 1 }}" },
        typed: { __prefect_kind: "json", value: { __prefect_kind: "jinja", template: "{{ [1, 2.5] | tojson }}" } },
        nothing: { __prefect_kind: "jinja", template: "[{{ flow_run.name }}]" },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.parameters).toEqual({ fixed: "DEP", sum: "2", typed: [1, 2.5], nothing: "[]" });
    const bad = await api("POST", `/deployments/${dep.id}/create_flow_run`, { parameters: { x: { __prefect_kind: "jinja", template: "{{ 1 / 0 }}" } } });
    expect(bad).toMatchObject({
      status: 400,
      body: { detail: "Error hydrating flow run parameters: Invalid jinja: Failed to render template due to the following error: ZeroDivisionError('division by zero')" },
    });
  });
});
