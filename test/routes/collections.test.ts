import { describe, expect, it } from "vitest";
import { api } from "../helpers";

/** The placeholders of a job configuration, as Prefect finds them. */
const placeholders = (config: unknown) => [...JSON.stringify(config).matchAll(/\{\{\s*([\w.\-[\]$]+)\s*\}\}/g)].map((m) => m[1]);

describe("collections views", () => {
  it("answers our worker catalogue as aggregate-worker-metadata, with a process worker", async () => {
    const res = await api("GET", "/collections/views/aggregate-worker-metadata");
    expect(res.status).toBe(200);
    const process = res.body.prefect.process;
    expect(process).toMatchObject({ type: "process", display_name: "Process", install_command: "pip install prefect", is_beta: false });
    const { job_configuration, variables } = process.default_base_job_configuration;
    // Every field of Prefect's process job configuration is templated from a declared variable.
    expect(Object.keys(job_configuration).sort()).toEqual(["command", "env", "labels", "name", "stream_output", "working_dir"]);
    for (const name of placeholders(job_configuration)) expect(variables.properties).toHaveProperty(name);
    expect(res.body["prefect-agent"]).toBeUndefined();
    for (const workers of Object.values<any>(res.body)) for (const [type, meta] of Object.entries<any>(workers)) expect(meta.type).toBe(type);
  });

  it("its templates are accepted as work pool base job templates", async () => {
    const { body } = await api("GET", "/collections/views/aggregate-worker-metadata");
    for (const workers of Object.values<any>(body)) {
      for (const meta of Object.values<any>(workers)) {
        const name = `catalogue-${meta.type}-${Date.now()}`;
        const res = await api("POST", "/work_pools/", { name, type: meta.type, base_job_template: meta.default_base_job_configuration });
        expect(res.status).toBe(201);
      }
    }
  });

  it("answers 404 for views it does not carry", async () => {
    expect(await api("GET", "/collections/views/demo-flows")).toMatchObject({ status: 404, body: { detail: "Requested content missing for view demo-flows" } });
    expect(await api("GET", "/collections/views/nope")).toMatchObject({ status: 404, body: { detail: "View nope not found in registry" } });
  });
});
