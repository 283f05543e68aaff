import { describe, expect, it } from "vitest";
import { api } from "../helpers";
import { ID, send } from "./body-reading";

/**
 * Bodies as Prefect's server reads them: without Content-Type a body is JSON (clients before
 * 3.6.19 send some that way); an empty body, or one of another Content-Type, is not read — a body
 * of named fields then takes its defaults, a body that is one value is missing (or of the wrong type).
 */

const missingBody = { type: "missing", loc: ["body"], msg: "Field required", input: null };

describe("a body without Content-Type", () => {
  it("creates a task run, as create_task_run sends it (Prefect < 3.6.19)", async () => {
    const flow = await api("POST", "/flows/", { name: `ct-${Date.now()}` });
    const run = await api("POST", "/flow_runs/", { flow_id: flow.body.id });
    const res = await send("POST", "/task_runs/", JSON.stringify({ flow_run_id: run.body.id, task_key: "t", dynamic_key: "0", name: "t-0" }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ flow_run_id: run.body.id, task_key: "t", name: "t-0" });
  });

  it("is validated as JSON: a wrong field is a 422 naming it", async () => {
    const res = await send("POST", "/flow_runs/filter", JSON.stringify({ limit: "many" }));
    expect(res.status).toBe(422);
    expect(res.body.exception_detail).toEqual([
      { type: "int_parsing", loc: ["body", "limit"], msg: "Input should be a valid integer, unable to parse string as an integer", input: "many" },
    ]);
    expect(res.body.request_body).toEqual({ limit: "many" });
  });

  it("that is not JSON is Prefect's json_invalid 422", async () => {
    const res = await send("POST", "/flow_runs/filter", "nope");
    expect(res.status).toBe(422);
    expect(res.body.exception_detail[0]).toMatchObject({ type: "json_invalid", loc: ["body", 0] });
  });

  it("proposes a state", async () => {
    const flow = await api("POST", "/flows/", { name: `ct-state-${Date.now()}` });
    const run = await api("POST", "/flow_runs/", { flow_id: flow.body.id });
    const res = await send("POST", `/flow_runs/${run.body.id}/set_state`, JSON.stringify({ state: { type: "RUNNING" } }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "ACCEPT", state: { type: "RUNNING" } });
  });

  it("creates a deployment", async () => {
    const flow = await api("POST", "/flows/", { name: `ct-dep-${Date.now()}` });
    const res = await send("POST", "/deployments/", JSON.stringify({ name: "d", flow_id: flow.body.id }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "d", flow_id: flow.body.id });
  });
});

describe("an empty body", () => {
  for (const [label, body] of [
    ["with Content-Length 0", ""],
    ["absent", undefined],
  ] as const) {
    it(`${label}: a filter answers its defaults (read_automations)`, async () => {
      expect(await send("POST", "/automations/filter", body)).toEqual({ status: 200, body: [] });
      const runs = await send("POST", "/flow_runs/filter", body);
      expect(runs.status).toBe(200);
      const ids = (runs: { id: string }[]) => runs.map((r) => r.id);
      expect(ids(runs.body)).toEqual(ids((await api("POST", "/flow_runs/filter", {})).body));
    });

    it(`${label}: a body of one value is missing`, async () => {
      const res = await send("POST", "/task_runs/", body);
      expect(res).toEqual({ status: 422, body: { exception_message: "Invalid request received.", exception_detail: [missingBody], request_body: null } });
    });

    it(`${label}: a required field of a body of fields is missing, without input`, async () => {
      const res = await send("POST", `/flow_runs/${ID}/set_state`, body);
      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        exception_message: "Invalid request received.",
        exception_detail: [{ type: "missing", loc: ["body", "state"], msg: "Field required", input: null }],
        request_body: null,
      });
    });
  }

  it("with a JSON Content-Type means the same", async () => {
    expect(await send("POST", "/automations/filter", "", { "content-type": "application/json" })).toEqual({ status: 200, body: [] });
    expect((await send("POST", "/task_runs/", "", { "content-type": "application/json" })).body.exception_detail).toEqual([missingBody]);
  });

  it("of whitespace is not JSON", async () => {
    expect((await send("POST", "/automations/filter", "  ", { "content-type": "application/json" })).status).toBe(422);
  });
});

describe("a body of another Content-Type", () => {
  it("is not read where the body is named fields: their defaults apply", async () => {
    const res = await send("POST", "/flow_runs/filter", JSON.stringify({ limit: "many" }), { "content-type": "application/x-www-form-urlencoded" });
    expect(res.status).toBe(200);
    const missing = await send("POST", `/flow_runs/${ID}/set_state`, "{}", { "content-type": "text/plain" });
    expect(missing.body).toEqual({
      exception_message: "Invalid request received.",
      exception_detail: [{ type: "missing", loc: ["body", "state"], msg: "Field required", input: null }],
      request_body: "{}",
    });
  });

  it("is of the wrong type where the body is one value", async () => {
    const cases = [
      ["POST", "/task_runs/", { type: "model_attributes_type", msg: "Input should be a valid dictionary or object to extract fields from" }],
      ["POST", "/logs/", { type: "list_type", msg: "Input should be a valid list" }],
      ["PATCH", `/flow_runs/${ID}/labels`, { type: "dict_type", msg: "Input should be a valid dictionary" }],
    ] as const;
    for (const [method, path, error] of cases) {
      const res = await send(method, path, "{}", { "content-type": "text/plain" });
      expect(res, `${method} ${path}`).toEqual({
        status: 422,
        body: { exception_message: "Invalid request received.", exception_detail: [{ ...error, loc: ["body"], input: "{}" }], request_body: "{}" },
      });
    }
  });

  it("is the text itself where the body is a string (a template)", async () => {
    expect((await send("POST", "/templates/validate", "{{ flow.name }}", { "content-type": "text/plain" })).status).toBe(204);
    const bad = await send("POST", "/templates/validate", "{{ x }", { "content-type": "text/plain" });
    expect(bad).toMatchObject({ status: 422, body: { error: { line: 1, source: "{{ x }" } } });
    expect((await send("POST", "/templates/validate", "{}")).body.exception_detail[0]).toMatchObject({ type: "string_type", input: {} });
  });

  it("counts as JSON when it is application/<something>+json", async () => {
    const res = await send("POST", "/flow_runs/filter", JSON.stringify({ limit: "many" }), { "content-type": "application/vnd.api+json; charset=utf-8" });
    expect(res.status).toBe(422);
  });
});
