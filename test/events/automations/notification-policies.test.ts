import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deliverPolicyNotification } from "../../../src/services/notifications/policies";
import { policyCacheProbe, POLICIES_TTL_MS } from "../../../src/events/automations/notification-policies";
import { api, unique, waitFor } from "../../helpers";
import { sentRequests } from "../../support/outbound";
import { saveBlock, token } from "../../services/notifications/support";

/** A custom-webhook block whose requests carry `t` (and the message as the body). */
const hook = (t: string) => saveBlock("custom-webhook", { name: "policy-hook", url: `https://hooks.example.test/${t}`, json_data: { subject: "{{subject}}", body: "{{body}}" } });

async function policy(t: string, fields: Record<string, unknown>): Promise<string> {
  const block = await hook(t);
  const res = await api("POST", "/flow_run_notification_policies/", { block_document_id: block.id, ...fields });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function flowRun(tags: string[]): Promise<{ id: string; name: string; flowId: string; flowName: string }> {
  const flowName = unique("flow");
  const flow = await api("POST", "/flows/", { name: flowName });
  const run = await api("POST", "/flow_runs/", { flow_id: flow.body.id, tags, parameters: { x: 1 }, state: { type: "PENDING" } });
  expect(run.status).toBe(201);
  return { id: run.body.id, name: run.body.name, flowId: flow.body.id, flowName };
}

async function setState(id: string, type: string, message?: string) {
  const res = await api("POST", `/flow_runs/${id}/set_state`, { state: { type, message }, force: true });
  expect(res.body.status).toBe("ACCEPT");
}

const settle = () => new Promise((r) => setTimeout(r, 1000));

describe("Prefect 2.x flow run notification policies", () => {
  it("while no policy changes, state changes read the active policies at most once per TTL", async () => {
    const run = await flowRun([]);
    await setState(run.id, "RUNNING");
    await new Promise((r) => setTimeout(r, 50));
    const before = policyCacheProbe.loads;
    const started = Date.now();
    for (const type of ["COMPLETED", "RUNNING", "FAILED", "RUNNING", "CANCELLED"]) await setState(run.id, type);
    await new Promise((r) => setTimeout(r, 50));
    const loads = policyCacheProbe.loads - before;
    expect(loads).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / POLICIES_TTL_MS));
  });

  it("a state change matching an active policy's states and tags sends its message once; others send nothing", async () => {
    // With no policy yet, a state change sends nothing and leaves the (empty) cache loaded…
    const early = await flowRun(["prod"]);
    await setState(early.id, "FAILED");
    // …which a policy write then invalidates.
    const [a, inactive, otherTag, otherState, anyTag] = [token(), token(), token(), token(), token()];
    const policyId = await policy(a, { state_names: ["Failed"], tags: ["prod"], message_template: "{flow_name}/{flow_run_name} {flow_run_state_type} {flow_run_state_message} {flow_run_parameters} {flow_run_notification_policy_id}" });
    await policy(inactive, { state_names: ["Failed"], tags: [], is_active: false });
    await policy(otherTag, { state_names: ["Failed"], tags: ["dev"] });
    await policy(otherState, { state_names: ["Completed"], tags: [] });
    await policy(anyTag, { state_names: [], tags: [] });

    const run = await flowRun(["prod", "etl"]);
    await setState(run.id, "RUNNING");
    await setState(run.id, "FAILED", "boom");
    const [sent] = await waitFor(async () => {
      const got = await sentRequests(a);
      return got.length ? got : null;
    });
    expect(sent).toMatchObject({ url: `https://hooks.example.test/${a}`, method: "POST" });
    expect(JSON.parse(sent.body)).toEqual({
      subject: "Prefect flow run notification",
      body: `${run.flowName}/${run.name} StateType.FAILED boom {'x': 1} ${policyId}`,
    });
    // Every state of the run matches the policy without states or tags (Pending, Running, Failed).
    await waitFor(async () => (await sentRequests(anyTag)).length >= 3);
    await settle();
    expect(await sentRequests(a)).toHaveLength(1);
    // Pending, Running, Failed of this run; not the earlier run's Failed from before the policies.
    expect(await sentRequests(anyTag)).toHaveLength(3);
    for (const t of [inactive, otherTag, otherState]) expect(await sentRequests(t)).toEqual([]);
  });

  it("the default message template is Prefect 2's, with the run's state and link", async () => {
    const t = token();
    await policy(t, { state_names: ["Completed"], tags: ["nightly"] });
    const run = await flowRun(["nightly"]);
    await setState(run.id, "RUNNING");
    await setState(run.id, "COMPLETED");
    const [sent] = await waitFor(async () => {
      const got = await sentRequests(t);
      return got.length ? got : null;
    });
    const body: string = JSON.parse(sent.body).body;
    expect(body).toMatch(
      new RegExp(
        `^\\nFlow run ${run.flowName}/${run.name} entered state \`Completed\` at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?\\+00:00\\.\\n\\n` +
          `Flow ID: ${run.flowId}\\nFlow run ID: ${run.id}\\nFlow run URL: \\S+/runs/flow-run/${run.id}\\nState message: None\\n$`,
      ),
    );
  });

  it("a redelivered message is not sent again (one send per policy and state)", async () => {
    const t = token();
    const policyId = await policy(t, { state_names: ["Crashed"], tags: [] });
    const run = await flowRun([]);
    await setState(run.id, "CRASHED");
    await waitFor(async () => (await sentRequests(t)).length === 1);
    const state = (await api("GET", `/flow_runs/${run.id}`)).body.state;
    const event = { id: state.id, occurred: state.timestamp, received: state.timestamp, event: "prefect.flow-run.Crashed", resource: {}, related: [], payload: {}, follows: null };
    expect(await deliverPolicyNotification(env, { kind: "notification-policy", policy_id: policyId, flow_run_id: run.id, event })).toEqual({ ack: true });
    expect(await sentRequests(t)).toHaveLength(1);
  });
});
