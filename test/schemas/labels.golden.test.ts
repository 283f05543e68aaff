import { beforeAll, describe, expect, it } from "vitest";
import goldens from "../goldens/labels.json";
import { api, unique } from "../helpers";

/**
 * Labels are Prefect's KeyValueLabels (bool, int, float or str values) wherever they are taken;
 * pydantic's answers (scripts/goldens/labels.py) are the oracle. PATCH /flow_runs/{id}/labels
 * takes any dict on Prefect's server, which then cannot read the run back; here it takes labels.
 */
interface Case {
  name: string;
  labels: unknown;
  errors: { type: string; loc: (string | number)[]; msg: string; input: unknown }[];
}

let ids: { flow: string; deployment: string; run: string };

beforeAll(async () => {
  const flow = (await api("POST", "/flows/", { name: unique("f") })).body.id;
  const deployment = (await api("POST", "/deployments/", { name: unique("d"), flow_id: flow })).body.id;
  const run = (await api("POST", "/flow_runs/", { flow_id: flow })).body.id;
  ids = { flow, deployment, run };
});

/** Each route that takes labels: the request, and where the labels sit in the body. */
const routes: [string, (labels: unknown) => [string, string, unknown], (string | number)[]][] = [
  ["POST /flows/", (labels) => ["POST", "/flows/", { name: unique("f"), labels }], ["body", "labels"]],
  ["POST /flow_runs/", (labels) => ["POST", "/flow_runs/", { flow_id: ids.flow, labels }], ["body", "labels"]],
  ["POST /task_runs/", (labels) => ["POST", "/task_runs/", { task_key: "k", dynamic_key: unique("k"), labels }], ["body", "labels"]],
  ["POST /deployments/", (labels) => ["POST", "/deployments/", { name: unique("d"), flow_id: ids.flow, labels }], ["body", "labels"]],
  ["POST /deployments/{id}/create_flow_run", (labels) => ["POST", `/deployments/${ids.deployment}/create_flow_run`, { labels }], ["body", "labels"]],
  ["PATCH /flow_runs/{id}/labels", (labels) => ["PATCH", `/flow_runs/${ids.run}/labels`, labels], ["body"]],
];

describe.each(routes)("%s", (_, request, root) => {
  it.each((goldens as Case[]).map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const [method, path, body] = request(c.labels);
    // (api() sends a string as the raw body)
    const res = await api(method, path, typeof body === "string" ? JSON.stringify(body) : body);
    if (c.errors.length === 0) {
      expect(res.status).toBeLessThan(300);
      return;
    }
    expect(res.status).toBe(422);
    expect(res.body.exception_detail).toEqual(c.errors.map((e) => ({ ...e, loc: [...root, ...e.loc] })));
  });
});
