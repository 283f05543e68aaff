import { describe, expect, it } from "vitest";
import { api, unique, waitFor } from "../helpers";

/**
 * Deployment triggers as the 3.8.3 SDK creates them: `RunnerDeployment.apply()` (also `serve`,
 * `deploy`, prefect.yaml `triggers:`) first deletes the automations the deployment owns, then
 * posts one automation per trigger — the trigger as a plain one, a run-deployment action selecting
 * the deployment, `owner_resource` the deployment — as `AutomationCore.model_dump(mode="json")`.
 */

/** The body apply() posts for `DeploymentEventTrigger(name=…, expect=[…], match=…, parameters=…)`. */
function applyBody(deploymentId: string, name: string, expect: string, resource: string) {
  return {
    name,
    description: "",
    enabled: true,
    tags: [],
    trigger: {
      type: "event",
      match: { "prefect.resource.id": resource },
      match_related: {},
      after: [],
      expect: [expect],
      for_each: [],
      posture: "Reactive",
      threshold: 1,
      within: 0.0,
    },
    actions: [
      {
        type: "run-deployment",
        source: "selected",
        deployment_id: deploymentId,
        parameters: { who: "{{ event.resource.id }}", size: "{{ event.payload.size }}" },
        job_variables: null,
        schedule_after: 0.0,
      },
    ],
    actions_on_trigger: [],
    actions_on_resolve: [],
    owner_resource: `prefect.deployment.${deploymentId}`,
  };
}

async function newDeployment() {
  const flow = await api("POST", "/flows/", { name: unique("flow") });
  const res = await api("POST", "/deployments/", { name: unique("deployment"), flow_id: flow.body.id, parameters: { who: "nobody", size: 0 } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string };
}

/** What apply() sends for its triggers (one expected event name each), answered as the real server answers. */
async function apply(deployment: { id: string; name: string }, triggers: { expect: string; resource: string }[]): Promise<string[]> {
  const deleted = await api("DELETE", `/automations/owned-by/prefect.deployment.${deployment.id}`);
  expect(deleted).toMatchObject({ status: 202, body: null });
  const ids: string[] = [];
  for (const [i, t] of triggers.entries()) {
    const automationName = `${deployment.name}__automation_${i + 1}`;
    const created = await api("POST", "/automations/", applyBody(deployment.id, automationName, t.expect, t.resource));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      name: automationName,
      enabled: true,
      trigger: { type: "event", expect: [t.expect], posture: "Reactive", threshold: 1, within: 0 },
      actions: [{ type: "run-deployment", source: "selected", deployment_id: deployment.id, job_variables: null, schedule_after: 0 }],
    });
    expect(created.body).not.toHaveProperty("owner_resource");
    ids.push(created.body.id);
  }
  return ids;
}

const runsOf = async (deploymentId: string) => (await api("POST", "/flow_runs/filter", { deployments: { id: { any_: [deploymentId] } } })).body as any[];

describe("deployment triggers (RunnerDeployment.apply)", () => {
  it("re-applying replaces the deployment's automations; a matching event creates a flow run of the deployment", async () => {
    const deployment = await newDeployment();
    const name = unique("external.resource.pinged");
    const resource = `my.external.${crypto.randomUUID()}`;
    const other = unique("other.event");
    const first = await apply(deployment, [{ expect: name, resource }, { expect: other, resource }]);
    const second = await apply(deployment, [{ expect: name, resource }]);
    for (const id of first) expect((await api("GET", `/automations/${id}`)).status).toBe(404);
    const owned = await api("GET", `/automations/related-to/prefect.deployment.${deployment.id}`);
    expect(owned.body.map((a: any) => a.id)).toEqual(second);

    // The first apply's second trigger is gone: its event creates nothing.
    await api("POST", "/events", [{ id: crypto.randomUUID(), occurred: new Date().toISOString(), event: other, resource: { "prefect.resource.id": resource }, related: [], payload: {} }]);
    const sent = await api("POST", "/events", [
      { id: crypto.randomUUID(), occurred: new Date().toISOString(), event: name, resource: { "prefect.resource.id": resource }, related: [], payload: { size: 7 } },
    ]);
    expect(sent.status).toBe(204);
    const runs = await waitFor(async () => {
      const found = await runsOf(deployment.id);
      return found.length ? found : null;
    }, { timeout: 10_000 });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      deployment_id: deployment.id,
      parameters: { who: resource, size: 7 },
      created_by: { type: "AUTOMATION", id: second[0] },
      state: { type: "SCHEDULED" },
    });
  });
});
