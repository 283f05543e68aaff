import { expect } from "vitest";
import { api, unique } from "../helpers";

/**
 * One of each resource, so that generated requests name things that exist and get past the
 * lookups to the code that stores what they carry.
 */
export interface Fixtures {
  /** The value of a path parameter, by `<first path segment>:<parameter>` or `:<parameter>`. */
  path: Record<string, string>;
  /** Ids for body fields named `<resource>_id`. */
  ids: Record<string, string>;
  /** Plausible bodies where the schema alone does not give one (`<METHOD> <template>`), fresh on each call. */
  bodies: Record<string, () => unknown>;
}

export const ZERO_ID = "00000000-0000-4000-8000-000000000000";

async function created(method: string, path: string, body: unknown) {
  const res = await api(method, path, body);
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 300)}`).toBeLessThan(300);
  return res.body;
}

export async function createFixtures(): Promise<Fixtures> {
  const flow = await created("POST", "/flows/", { name: unique("flow") });
  const pool = await created("POST", "/work_pools/", { name: unique("pool"), type: "process" });
  const queue = await created("POST", `/work_pools/${pool.name}/queues`, { name: unique("queue") });
  const worker = unique("worker");
  await created("POST", `/work_pools/${pool.name}/workers/heartbeat`, { name: worker });
  const deployment = await created("POST", "/deployments/", {
    name: unique("dep"),
    flow_id: flow.id,
    work_pool_name: pool.name,
    schedules: [{ schedule: { interval: 3600 } }],
  });
  const schedule = (await created("GET", `/deployments/${deployment.id}/schedules`, undefined))[0];
  const run = await created("POST", "/flow_runs/", { flow_id: flow.id, state: { type: "RUNNING" } });
  const taskRun = await created("POST", "/task_runs/", { task_key: "k", dynamic_key: unique("d"), flow_run_id: run.id, state: { type: "RUNNING" } });
  const inputKey = unique("input");
  await created("POST", `/flow_runs/${run.id}/input`, { key: inputKey, value: "{}" });
  const slug = unique("block-type");
  const blockType = await created("POST", "/block_types/", { name: slug, slug });
  const blockSchema = await created("POST", "/block_schemas/", { block_type_id: blockType.id, fields: { properties: { x: { type: "string" } } } });
  const document = await created("POST", "/block_documents/", { name: unique("doc"), block_type_id: blockType.id, block_schema_id: blockSchema.id, data: { x: "y" } });
  const variable = await created("POST", "/variables/", { name: unique("var").replace(/-/g, "_"), value: 1 });
  const artifactKey = unique("artifact");
  const artifact = await created("POST", "/artifacts/", { key: artifactKey, data: 1, flow_run_id: run.id });
  const search = await created("PUT", "/saved_searches/", { name: unique("search"), filters: [] });
  const tag = unique("tag");
  const tagLimit = await created("POST", "/concurrency_limits/", { tag, concurrency_limit: 5 });
  const limit = await created("POST", "/v2/concurrency_limits/", { name: unique("limit"), limit: 5 });
  const automation = await created("POST", "/automations/", {
    name: unique("automation"),
    trigger: { type: "event", posture: "Reactive", expect: ["x"], threshold: 1, within: 0 },
    actions: [{ type: "do-nothing" }],
  });
  const policy = await created("POST", "/flow_run_notification_policies/", { state_names: ["Failed"], tags: [], block_document_id: document.id });
  return {
    path: {
      "flows:id": flow.id,
      "flows:name": flow.name,
      "flow_runs:id": run.id,
      "flow_runs:key": inputKey,
      "task_runs:id": taskRun.id,
      "flow_run_states:id": run.state_id,
      "task_run_states:id": taskRun.state_id,
      "deployments:id": deployment.id,
      "deployments:flow_name": flow.name,
      "deployments:deployment_name": deployment.name,
      "deployments:schedule_id": schedule.id,
      "work_pools:name": pool.name,
      "work_pools:work_pool_name": pool.name,
      "work_pools:queue": queue.name,
      "work_pools:worker": worker,
      "work_queues:id": queue.id,
      "work_queues:name": queue.name,
      "variables:id": variable.id,
      "variables:name": variable.name,
      "artifacts:id": artifact.id,
      "artifacts:key": artifactKey,
      "saved_searches:id": search.id,
      "concurrency_limits:id": tagLimit.id,
      "concurrency_limits:tag": tag,
      "v2:id_or_name": limit.name,
      "automations:id": automation.id,
      "automations:resource_id": `prefect.deployment.${deployment.id}`,
      "flow_run_notification_policies:id": policy.id,
      "block_types:id": blockType.id,
      "block_types:slug": slug,
      "block_types:block_document_name": document.name,
      "block_schemas:id": blockSchema.id,
      "block_schemas:checksum": blockSchema.checksum,
      "block_documents:id": document.id,
      "ui:id": taskRun.id,
      "events:countable": "day",
      // The registry views are fetched from GitHub: a name that is not one stays offline.
      "collections:view": "not-a-view",
    },
    bodies: {
      "POST /deployments/": () => ({ name: unique("dep"), flow_id: flow.id }),
      "POST /variables/": () => ({ name: unique("var").replace(/-/g, "_"), value: 1 }),
      "PUT /saved_searches/": () => ({ name: unique("search") }),
      "POST /concurrency_limits/": () => ({ tag: unique("tag"), concurrency_limit: 1 }),
      "POST /block_documents/": () => ({ name: unique("doc"), block_type_id: blockType.id, block_schema_id: blockSchema.id, data: {} }),
      "POST /deployments/{id}/schedules": () => [{ schedule: { interval: 60 } }],
      "POST /events": () => [{ id: crypto.randomUUID(), occurred: new Date().toISOString(), event: "x", resource: { "prefect.resource.id": "x" } }],
      "POST /ui/task_runs/dashboard/counts": () => ({ task_runs: { start_time: { after_: new Date(Date.now() - 3_600_000).toISOString() } } }),
      "POST /templates/validate": () => "{{ flow_run.name }}",
      "POST /automations/templates/validate": () => "{{ flow_run.name }}",
    },
    ids: {
      flow: flow.id,
      flow_run: run.id,
      parent_flow_run: run.id,
      task_run: taskRun.id,
      deployment: deployment.id,
      work_pool: pool.id,
      work_queue: queue.id,
      block_type: blockType.id,
      block_schema: blockSchema.id,
      block_document: document.id,
      artifact: artifact.id,
      variable: variable.id,
      automation: automation.id,
    },
  };
}

/** A path parameter's value: the fixture it names, or the zero id. */
export function pathParam(fixtures: Fixtures, template: string, name: string): string {
  const segments = template.split("/").filter(Boolean);
  const resource = segments[0]!;
  const after = segments[segments.indexOf(`{${name}}`) - 1];
  if (resource === "work_pools" && name === "name" && after === "queues") return fixtures.path["work_pools:queue"]!;
  if (resource === "work_pools" && name === "name" && after === "workers") return fixtures.path["work_pools:worker"]!;
  return fixtures.path[`${resource}:${name}`] ?? ZERO_ID;
}
