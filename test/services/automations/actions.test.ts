import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index";
import { api, settleEvents, unique } from "../../helpers";
import { runTriggeredAction } from "../../../src/services/automations/run-action";
import { actionMessage, automationEvents, deliver, outcomeOf, triggeringEvent, type MessageOptions } from "./support";
import { saveBlock, token } from "../notifications/support";
import { answerRequests, sentRequests } from "../../support/outbound";

const MISSING = "00000000-0000-4000-8000-000000000000";

async function newFlow() {
  return (await api("POST", "/flows/", { name: unique("flow") })).body as { id: string };
}

async function newDeployment(overrides: Record<string, unknown> = {}) {
  const flow = await newFlow();
  const res = await api("POST", "/deployments/", { name: unique("dep"), flow_id: flow.id, ...overrides });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string; paused: boolean; flow_id: string };
}

async function newFlowRun(state: Record<string, unknown> = { type: "RUNNING" }, overrides: Record<string, unknown> = {}) {
  const flow = await newFlow();
  const res = await api("POST", "/flow_runs/", { flow_id: flow.id, state, ...overrides });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string };
}

async function deploymentRun(state: Record<string, unknown>) {
  const dep = await newDeployment();
  const res = await api("POST", `/deployments/${dep.id}/create_flow_run`, { state });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string };
}

const flowRunResource = (id: string) => ({ "prefect.resource.id": `prefect.flow-run.${id}` });

/** Runs one action through the queue consumer; answers its outcome event and the message. */
async function act(action: Record<string, any>, opts: MessageOptions = {}) {
  const message = actionMessage(action, opts);
  expect((await deliver([message])).acked).toEqual([true]);
  return { outcome: await outcomeOf(message.automation.id), message };
}

const roles = (e: { related: Record<string, string>[] }) => e.related.map((r) => [r["prefect.resource.role"], r["prefect.resource.id"]]);

describe("automation actions' events", () => {
  it("do-nothing: action.triggered at the firing's time following the triggering event, then action.executed following it", async () => {
    const event = triggeringEvent({ "prefect.resource.id": "my.resource" });
    const message = actionMessage({ type: "do-nothing" }, { event, automation: { name: "Doing nothing", posture: "Proactive" } });
    await deliver([message]);
    const [triggered, executed] = await automationEvents(message.automation.id);
    const resource = {
      "prefect.resource.id": `prefect.automation.${message.automation.id}`,
      "prefect.resource.name": "Doing nothing",
      "prefect.trigger-type": "event",
      "prefect.posture": "Proactive",
    };
    const payload = { action_index: 0, action_type: "do-nothing", invocation: message.invocation };
    const related = [
      ["automation-triggered-event", `prefect.event.${message.automation_triggered_event_id}`],
      ["triggering-event", `prefect.event.${event.id}`],
    ];
    expect(triggered).toMatchObject({ event: "prefect.automation.action.triggered", resource, payload, follows: event.id });
    expect(Date.parse(triggered.occurred)).toBe(Date.parse(message.triggered));
    expect(roles(triggered)).toEqual(related);
    expect(executed).toMatchObject({ event: "prefect.automation.action.executed", resource, payload, follows: triggered.id });
    expect(roles(executed)).toEqual(related);
  });

  it("composite triggers have no posture label; an old triggering event is not followed", async () => {
    const event = triggeringEvent({ "prefect.resource.id": "my.resource" }, [], { occurred: new Date(Date.now() - 3600_000).toISOString() });
    const message = actionMessage({ type: "do-nothing" }, { event, automation: { trigger_type: "compound", posture: null } });
    await deliver([message]);
    const [triggered] = await automationEvents(message.automation.id);
    expect(triggered.resource["prefect.trigger-type"]).toBe("compound");
    expect(triggered.resource).not.toHaveProperty("prefect.posture");
    expect(triggered.follows).toBeNull();
  });

  it("actions_on_trigger run for the automation.triggered event the message carries", async () => {
    const deployment = await newDeployment();
    const triggeredEvent = triggeringEvent({ "prefect.resource.id": "prefect.automation.x" }, [{ "prefect.resource.id": `prefect.deployment.${deployment.id}`, "prefect.resource.role": "x" }], {
      event: "prefect.automation.triggered",
    });
    const message = { ...actionMessage({ type: "pause-deployment", source: "inferred", deployment_id: null }), source: "actions_on_trigger" as const, triggering_event: triggeredEvent };
    await deliver([message]);
    expect((await outcomeOf(message.automation.id)).event).toBe("prefect.automation.action.executed");
    expect((await api("GET", `/deployments/${deployment.id}`)).body.paused).toBe(true);
  });
});

describe("run-deployment", () => {
  it("creates a Scheduled run of the selected deployment: parameters rendered, job variables as given, created by the automation", async () => {
    const deployment = await newDeployment({ parameters: { camera: "back-yard", flash: true } });
    const event = triggeringEvent({ "prefect.resource.id": "woodchuck.nibbled" }, [], { payload: { size: 7 } });
    const { outcome, message } = await act(
      {
        type: "run-deployment",
        source: "selected",
        deployment_id: deployment.id,
        parameters: { flash: false, size: "{{ event.payload.size }}", meta: { automation: "Caught by {{ automation.name }}" } },
        job_variables: { resolution: "high" },
        schedule_after: 3600,
      },
      { event, automation: { name: "📸 Gotcha!" } },
    );
    expect(outcome.event).toBe("prefect.automation.action.executed");
    expect(outcome.payload.status_code).toBe(201);
    const created = outcome.related.find((r) => r["prefect.resource.role"] === "flow-run")!;
    const runId = created["prefect.resource.id"].replace("prefect.flow-run.", "");
    const run = (await api("GET", `/flow_runs/${runId}`)).body;
    expect(created["prefect.resource.name"]).toBe(run.name);
    expect(roles(outcome)[0]).toEqual(["target", `prefect.deployment.${deployment.id}`]);
    expect(run).toMatchObject({
      deployment_id: deployment.id,
      parameters: { camera: "back-yard", flash: false, size: 7, meta: { automation: "Caught by 📸 Gotcha!" } },
      job_variables: { resolution: "high" },
      idempotency_key: `automation ${message.automation.id}, action 0, invocation ${message.invocation}`,
      created_by: { id: message.automation.id, type: "AUTOMATION", display_value: "📸 Gotcha!" },
      state: { type: "SCHEDULED", name: "Scheduled" },
    });
    const delay = Date.parse(run.state.state_details.scheduled_time) - Date.parse(outcome.occurred);
    expect(delay).toBeGreaterThan(3590_000);
    expect(delay).toBeLessThan(3610_000);
    // The run's state events name the automation as its creator.
    await settleEvents();
    const scheduled = await env.DB.prepare("SELECT related FROM event WHERE resource_id = ? AND event = 'prefect.flow-run.Scheduled'").bind(`prefect.flow-run.${runId}`).first<{ related: string }>();
    expect(JSON.parse(scheduled!.related)).toContainEqual({ "prefect.resource.id": `prefect.automation.${message.automation.id}`, "prefect.resource.role": "creator", "prefect.resource.name": "📸 Gotcha!" });
  });

  it("infers the deployment from the triggering event's first deployment resource", async () => {
    const deployment = await newDeployment();
    const event = triggeringEvent({ "prefect.resource.id": "prefect.flow-run.x" }, [{ "prefect.resource.id": `prefect.deployment.${deployment.id}`, "prefect.resource.role": "deployment" }]);
    const { outcome } = await act({ type: "run-deployment", source: "inferred", deployment_id: null, parameters: null }, { event });
    expect(outcome.event).toBe("prefect.automation.action.executed");
    const runs = (await api("POST", "/flow_runs/filter", { deployments: { id: { any_: [deployment.id] } } })).body;
    expect(runs).toHaveLength(1);
  });

  it("fails when no deployment can be inferred, or there is no event to infer it from", async () => {
    const event = triggeringEvent({ "prefect.resource.id": "prefect.flow-run.x" });
    const inferred = { type: "run-deployment", source: "inferred", deployment_id: null };
    expect((await act(inferred, { event })).outcome.payload).toMatchObject({ reason: "No deployment could be inferred" });
    expect((await act(inferred)).outcome.payload).toMatchObject({ reason: "No event to infer the deployment" });
    const { outcome } = await act({ type: "run-deployment", source: "selected", deployment_id: MISSING });
    expect(outcome.payload).toMatchObject({ reason: "Unexpected status from 'run-deployment' action: 404", status_code: 404 });
    expect(roles(outcome)[0]).toEqual(["target", `prefect.deployment.${MISSING}`]);
  });

  it("fails with Prefect's reason when a parameter's template does not render", async () => {
    const deployment = await newDeployment();
    const { outcome } = await act({ type: "run-deployment", source: "selected", deployment_id: deployment.id, parameters: { x: "{{ 1 / 0 }}" } });
    expect(outcome.payload.reason).toBe("Unable to create flow run from deployment: InvalidJinja()");
  });
});

describe("deployment, work queue, work pool and automation commands", () => {
  it("pause-deployment / resume-deployment, selected or inferred", async () => {
    const deployment = await newDeployment();
    const { outcome } = await act({ type: "pause-deployment", source: "selected", deployment_id: deployment.id });
    expect(outcome.payload).toMatchObject({ status_code: 200 });
    expect(roles(outcome)[0]).toEqual(["target", `prefect.deployment.${deployment.id}`]);
    expect((await api("GET", `/deployments/${deployment.id}`)).body.paused).toBe(true);
    const event = triggeringEvent({ "prefect.resource.id": `prefect.deployment.${deployment.id}` });
    await act({ type: "resume-deployment", source: "inferred", deployment_id: null }, { event });
    expect((await api("GET", `/deployments/${deployment.id}`)).body.paused).toBe(false);
    const failed = await act({ type: "pause-deployment", source: "inferred", deployment_id: null }, { event: triggeringEvent({ "prefect.resource.id": "x.y" }) });
    expect(failed.outcome.payload.reason).toBe("No deployment could be inferred");
  });

  it("pause-work-queue / resume-work-queue, inferred from the event", async () => {
    const queue = (await api("POST", "/work_queues/", { name: unique("queue") })).body;
    const event = triggeringEvent({ "prefect.resource.id": "prefect.flow-run.x" }, [{ "prefect.resource.id": `prefect.work-queue.${queue.id}`, "prefect.resource.role": "work-queue" }]);
    const { outcome } = await act({ type: "pause-work-queue", source: "inferred", work_queue_id: null }, { event });
    expect(outcome.payload.status_code).toBe(204);
    expect(roles(outcome)[0]).toEqual(["target", `prefect.work-queue.${queue.id}`]);
    expect((await api("GET", `/work_queues/${queue.id}`)).body.is_paused).toBe(true);
    await act({ type: "resume-work-queue", source: "selected", work_queue_id: queue.id });
    expect((await api("GET", `/work_queues/${queue.id}`)).body.is_paused).toBe(false);
    const missing = await act({ type: "resume-work-queue", source: "inferred", work_queue_id: null }, { event: triggeringEvent({ "prefect.resource.id": "x.y" }) });
    expect(missing.outcome.payload.reason).toBe("No work queue could be inferred");
  });

  it("pause-work-pool / resume-work-pool: read by id, changed by name, related with its name", async () => {
    const pool = (await api("POST", "/work_pools/", { name: unique("pool"), type: "process" })).body;
    const { outcome } = await act({ type: "pause-work-pool", source: "selected", work_pool_id: pool.id });
    expect(outcome.related[0]).toEqual({ "prefect.resource.id": `prefect.work-pool.${pool.id}`, "prefect.resource.name": pool.name, "prefect.resource.role": "target" });
    expect((await api("GET", `/work_pools/${pool.name}`)).body.is_paused).toBe(true);
    const event = triggeringEvent({ "prefect.resource.id": `prefect.work-pool.${pool.id}` });
    await act({ type: "resume-work-pool", source: "inferred", work_pool_id: null }, { event });
    expect((await api("GET", `/work_pools/${pool.name}`)).body.is_paused).toBe(false);
    expect((await act({ type: "pause-work-pool", source: "selected", work_pool_id: MISSING })).outcome.payload.reason).toBe(`Work pool ${MISSING} not found`);
    expect((await act({ type: "pause-work-pool", source: "inferred", work_pool_id: null }, { event: triggeringEvent({ "prefect.resource.id": "x.y" }) })).outcome.payload.reason).toBe(
      "No work pool could be inferred",
    );
  });

  it("pause-automation / resume-automation", async () => {
    const target = (
      await api("POST", "/automations/", {
        name: unique("target"),
        trigger: { type: "event", expect: ["never.happens"], posture: "Reactive", threshold: 1, within: 0 },
        actions: [{ type: "do-nothing" }],
      })
    ).body;
    const { outcome } = await act({ type: "pause-automation", source: "selected", automation_id: target.id });
    expect(roles(outcome)[0]).toEqual(["target", `prefect.automation.${target.id}`]);
    expect((await api("GET", `/automations/${target.id}`)).body.enabled).toBe(false);
    await act({ type: "resume-automation", source: "inferred", automation_id: null }, { event: triggeringEvent({ "prefect.resource.id": `prefect.automation.${target.id}` }) });
    expect((await api("GET", `/automations/${target.id}`)).body.enabled).toBe(true);
    expect((await act({ type: "pause-automation", source: "inferred", automation_id: null })).outcome.payload.reason).toBe("No event to infer the automation");
  });
});

describe("flow run actions", () => {
  it("cancel-flow-run targets the run of the firing's labels, else the event's first flow run", async () => {
    const byLabel = await newFlowRun();
    const { outcome, message } = await act({ type: "cancel-flow-run" }, { labels: { "prefect.resource.id": `prefect.flow-run.${byLabel.id}` } });
    expect(outcome.payload.status_code).toBe(201);
    expect((await api("GET", `/flow_runs/${byLabel.id}`)).body.state).toMatchObject({ type: "CANCELLING", message: `Cancelled by Automation ${message.automation.id}` });

    const byEvent = await newFlowRun();
    const event = triggeringEvent({ "prefect.resource.id": "prefect.task-run.x" }, [{ "prefect.resource.id": `prefect.flow-run.${byEvent.id}`, "prefect.resource.role": "flow-run" }]);
    await act({ type: "cancel-flow-run" }, { event });
    expect((await api("GET", `/flow_runs/${byEvent.id}`)).body.state.type).toBe("CANCELLING");

    expect((await act({ type: "cancel-flow-run" }, { event: triggeringEvent({ "prefect.resource.id": "x.y" }) })).outcome.payload.reason).toBe("No flow run could be inferred");
  });

  it("change-flow-run-state sets the state (default message), forced when asked; a rejected change fails", async () => {
    const run = await newFlowRun();
    const event = triggeringEvent(flowRunResource(run.id));
    // A running run cannot go back to PENDING (Prefect's PreventPendingTransitions) unless forced.
    const rejected = await act({ type: "change-flow-run-state", state: "PENDING", name: null, message: "back", force: false }, { event });
    expect(rejected.outcome.event).toBe("prefect.automation.action.failed");
    expect(rejected.outcome.payload.reason).toMatch(/^Failed to set state: This run is in a RUNNING state/);
    await act({ type: "change-flow-run-state", state: "PENDING", name: null, message: "back", force: true }, { event });
    expect((await api("GET", `/flow_runs/${run.id}`)).body.state).toMatchObject({ type: "PENDING", message: "back" });

    const { message } = await act({ type: "change-flow-run-state", state: "FAILED", name: "Nope", message: null, force: false }, { event });
    expect((await api("GET", `/flow_runs/${run.id}`)).body.state).toMatchObject({ type: "FAILED", name: "Nope", message: `State changed by Automation ${message.automation.id}` });
  });

  it("suspend-flow-run suspends a deployment's run for an hour; resume-flow-run resumes it", async () => {
    const run = await deploymentRun({ type: "RUNNING" });
    const event = triggeringEvent(flowRunResource(run.id));
    const { outcome, message } = await act({ type: "suspend-flow-run" }, { event });
    expect(outcome.event, JSON.stringify(outcome.payload)).toBe("prefect.automation.action.executed");
    const suspended = (await api("GET", `/flow_runs/${run.id}`)).body.state;
    expect(suspended).toMatchObject({ type: "PAUSED", name: "Suspended", message: `Suspended by Automation ${message.automation.id}`, state_details: { pause_reschedule: true } });
    const timeout = Date.parse(suspended.state_details.pause_timeout) - Date.now();
    expect(timeout).toBeGreaterThan(3500_000);

    const resumed = await act({ type: "resume-flow-run" }, { event });
    expect(resumed.outcome.event, JSON.stringify(resumed.outcome.payload)).toBe("prefect.automation.action.executed");
    expect((await api("GET", `/flow_runs/${run.id}`)).body.state.type).not.toBe("PAUSED");

    const notPaused = await act({ type: "resume-flow-run" }, { event });
    expect(notPaused.outcome.payload.reason).toMatch(/^Failed to resume flow run: /);
  });

  it("delete-flow-run deletes the run; a missing run fails the action", async () => {
    const run = await newFlowRun();
    const event = triggeringEvent(flowRunResource(run.id));
    expect((await act({ type: "delete-flow-run" }, { event })).outcome.payload.status_code).toBe(204);
    expect((await api("GET", `/flow_runs/${run.id}`)).status).toBe(404);
    expect((await act({ type: "delete-flow-run" }, { event })).outcome.payload.reason).toBe("Unexpected status from 'delete-flow-run' action: 404");
  });
});

describe("templated actions", () => {
  it("send-notification renders subject and body with the context (incl. the event's flow run) and sends through the block", async () => {
    const run = await newFlowRun();
    const t = token();
    const slack = await saveBlock("slack-webhook", { url: `https://hooks.slack.com/services/T1/B2/${t}` });
    const event = triggeringEvent({ "prefect.resource.id": `prefect.flow-run.${run.id}` });
    const { outcome } = await act(
      { type: "send-notification", block_document_id: slack.id, subject: "{{ automation.name }} fired", body: "Run {{ flow_run.name }}: {{ event.event }}" },
      { event, automation: { name: "Alerts" } },
    );
    expect(outcome.event, JSON.stringify(outcome.payload)).toBe("prefect.automation.action.executed");
    expect(roles(outcome).slice(0, 2)).toEqual([
      ["block", `prefect.block-document.${slack.id}`],
      ["block-type", "prefect.block-type.slack-webhook"],
    ]);
    const [sent] = await sentRequests(`services/T1/B2/${t}`);
    expect(JSON.parse(sent.body).attachments[0]).toMatchObject({ title: "Alerts fired", text: `Run ${run.name}: prefect.flow-run.Failed` });
  });

  it("call-webhook sends the rendered payload and records the answer", async () => {
    const t = token();
    await answerRequests({ contains: t, status: 202, body: "queued", headers: { "x-answer": "yes" } });
    const block = await saveBlock("webhook", { method: "POST", url: `https://hooks.example.test/${t}` });
    const event = triggeringEvent({ "prefect.resource.id": "my.thing" });
    const { outcome } = await act({ type: "call-webhook", block_document_id: block.id, payload: '{"what": "{{ event.resource.id }}"}' }, { event });
    expect(outcome.payload).toMatchObject({ status_code: 202, response_body: "queued", response_headers: { "x-answer": "yes" } });
    expect(roles(outcome)[1]).toEqual(["block-type", "prefect.block-type.webhook"]);
    expect((await sentRequests(t))[0].body).toBe('{"what": "my.thing"}');
    const missing = await act({ type: "call-webhook", block_document_id: MISSING, payload: "" });
    expect(missing.outcome.payload.reason).toBe("Unexpected status from 'call-webhook' action: 404");
  });

  it("a template that fails to render fails the action with template_error and template_source", async () => {
    const body = "Broke: {{ 1 / 0 }}";
    const { outcome } = await act({ type: "send-notification", block_document_id: MISSING, subject: "s", body });
    expect(outcome.payload).toMatchObject({
      reason: "Template rendering failed: ZeroDivisionError('division by zero')",
      template_source: body,
      template_error: "Failed to render template due to the following error: ZeroDivisionError('division by zero')",
    });
    const webhook = await act({ type: "call-webhook", block_document_id: MISSING, payload: "{{ 1 / 0 }}" });
    expect(webhook.outcome.payload.template_source).toBe("{{ 1 / 0 }}");
  });
});

describe("calling the server's own API", () => {
  it("authenticates with the server's Basic auth string when it has one", async () => {
    const authed = { ...env, PREFECT_API_AUTH_STRING: "me:sécret" } as any;
    const queue = (await api("POST", "/work_queues/", { name: unique("queue") })).body;
    const message = actionMessage({ type: "pause-work-queue", source: "selected", work_queue_id: queue.id });
    const delivery = await runTriggeredAction(authed, (request) => worker.fetch!(request as any, authed, {} as any) as any, message);
    expect(delivery).toEqual({ ack: true });
    expect((await outcomeOf(message.automation.id)).payload.status_code).toBe(204);
    expect((await api("GET", `/work_queues/${queue.id}`)).body.is_paused).toBe(true);
  });
});
