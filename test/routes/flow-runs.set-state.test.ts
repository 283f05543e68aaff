import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";

/** A RUNNING run paused (blocking) to wait for input described by `schema`. */
async function pausedForInput(schema: unknown) {
  const flow = (await api("POST", "/flows/", { name: unique("f") })).body;
  const run = (await api("POST", "/flow_runs/", { flow_id: flow.id, state: { type: "RUNNING" } })).body;
  const keyset = { description: "k-description", response: "k-response", schema: "k-schema" };
  const pause = { type: "PAUSED", state_details: { pause_timeout: new Date(Date.now() + 3_600_000).toISOString(), pause_reschedule: false, run_input_keyset: keyset } };
  expect((await api("POST", `/flow_runs/${run.id}/set_state`, { state: pause })).body.status).toBe("ACCEPT");
  expect((await api("POST", `/flow_runs/${run.id}/input`, { key: keyset.schema, value: JSON.stringify(schema) })).status).toBe(201);
  return run.id as string;
}

describe("POST /flow_runs/{id}/resume with run input", () => {
  it("rejects input against a schema it cannot validate (circular) as Prefect does", async () => {
    const id = await pausedForInput({ type: "object", properties: { a: { $ref: "#/definitions/X" } }, definitions: { X: { $ref: "#/definitions/X" } } });
    const res = await api("POST", `/flow_runs/${id}/resume`, { run_input: { a: 1 } });
    expect(res.body).toMatchObject({ status: "REJECT", details: { reason: "Invalid schema: Unable to validate schema with circular references." } });
    expect((await api("GET", `/flow_runs/${id}`)).body.state_type).toBe("PAUSED");
  });

  it("resumes with input that matches the schema", async () => {
    const id = await pausedForInput({ type: "object", properties: { a: { type: "integer" } } });
    expect((await api("POST", `/flow_runs/${id}/resume`, { run_input: { a: "x" } })).body.status).toBe("REJECT");
    expect((await api("POST", `/flow_runs/${id}/resume`, { run_input: { a: 1 } })).body.status).toBe("ACCEPT");
  });

  it("hydrates the input first, as Prefect's resume_flow_run (Jinja rendered, variables read), and stores it hydrated", async () => {
    const id = await pausedForInput({ type: "object", properties: { a: { type: "integer" }, b: { type: "string" } } });
    const bad = await api("POST", `/flow_runs/${id}/resume`, { run_input: { a: { __prefect_kind: "jinja", template: "{{ 1 / 0 }}" } } });
    expect(bad.body).toMatchObject({
      status: "REJECT",
      details: { reason: "Error hydrating run input: Invalid jinja: Failed to render template due to the following error: ZeroDivisionError('division by zero')" },
    });
    const run_input = { a: { __prefect_kind: "json", value: { __prefect_kind: "jinja", template: "{{ 40 + 2 }}" } }, b: { __prefect_kind: "jinja", template: "{{ 'ok' | upper }}" } };
    expect((await api("POST", `/flow_runs/${id}/resume`, { run_input })).body.status).toBe("ACCEPT");
    const stored = await api("GET", `/flow_runs/${id}/input/k-response`);
    expect(stored.body).toEqual({ a: 42, b: "OK" });
  });
});
