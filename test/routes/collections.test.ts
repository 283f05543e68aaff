import { describe, expect, it } from "vitest";
import { api } from "../helpers";
import { registryView } from "../../src/routes/collections";

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

describe("collections views from a registry", () => {
  it("answers the worker catalogue, and 404s Prefect's way for the other views", async () => {
    const workers = await api("GET", "/collections/views/aggregate-worker-metadata");
    expect(workers.status).toBe(200);
    expect(workers.body.prefect.process.type).toBe("process");
    // Without a registry configured, the other known views have no content.
    for (const view of ["aggregate-block-metadata", "aggregate-flow-metadata", "demo-flows"])
      expect(await api("GET", `/collections/views/${view}`)).toMatchObject({ status: 404, body: { detail: `Requested content missing for view ${view}` } });
    expect(await api("GET", "/collections/views/other")).toMatchObject({ status: 404, body: { detail: "View other not found in registry" } });
  });

  it("fetches a view from a configured registry and keeps it ten minutes", async () => {
    const calls: string[] = [];
    const fetcher = async (url: string) => {
      calls.push(url);
      if (url.endsWith("/demo-flows.json")) return Response.json({ flows: ["a"] });
      if (url.endsWith("/broken.json")) throw new Error("network down");
      return new Response("missing", { status: 404 });
    };
    const registry = `https://registry.test/${crypto.randomUUID()}/views/`;
    const t0 = Date.UTC(2030, 0, 1);
    expect(await registryView("demo-flows", registry, fetcher, t0)).toEqual({ flows: ["a"] });
    expect(calls).toEqual([`${registry}demo-flows.json`]);
    expect(await registryView("demo-flows", registry, fetcher, t0 + 9 * 60_000)).toEqual({ flows: ["a"] });
    expect(calls).toHaveLength(1);
    expect(await registryView("demo-flows", registry, fetcher, t0 + 11 * 60_000)).toEqual({ flows: ["a"] });
    expect(calls).toHaveLength(2);
    expect(await registryView("aggregate-flow-metadata", registry, fetcher, t0)).toBeNull();
    expect(await registryView("broken", registry, fetcher, t0)).toBeNull();
    expect(await registryView("demo-flows", undefined, fetcher, t0)).toBeNull();
  });
});

describe("OpenAPI document", () => {
  it("declares the automations, templates, UI and collections routes", async () => {
    const doc = (await api("GET", "/openapi.json")).body;
    const ops = (path: string) => Object.keys(doc.paths[path] ?? {}).sort();
    expect(ops("/automations/")).toEqual(["post"]);
    expect(ops("/automations/{id}")).toEqual(["delete", "get", "patch", "put"]);
    for (const path of ["/automations/filter", "/automations/count", "/templates/validate", "/automations/templates/validate"]) expect(ops(path)).toEqual(["post"]);
    expect(ops("/automations/related-to/{resource_id}")).toEqual(["get"]);
    expect(ops("/automations/owned-by/{resource_id}")).toEqual(["delete"]);
    for (const path of [
      "/ui/flows/count-deployments",
      "/ui/flows/next-runs",
      "/ui/flow_runs/history",
      "/ui/flow_runs/count-task-runs",
      "/ui/task_runs/dashboard/counts",
      "/ui/task_runs/count",
      "/ui/schemas/validate",
    ])
      expect(ops(path)).toEqual(["post"]);
    expect(ops("/ui/task_runs/{id}")).toEqual(["get"]);
    expect(ops("/collections/views/{view}")).toEqual(["get"]);
  });
});
