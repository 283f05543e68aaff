import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Firing, TriggeredActionMessage } from "../../../src/events/automations/contract";
import type { StoredEvent } from "../../../src/db/queries/events";
import { renderActionParameters, renderActionTemplates, templateContextFor, templateRenderOptions, uiUrlOf } from "../../../src/services/automations/template-context";
import { automationApi } from "../../../src/services/automations/actions/api-client";
import { renderUserTemplate, TemplateRenderError } from "../../../src/lib/jinja";
import { api, settleEvents, unique } from "../../helpers";

const UI = "https://prefect.example.workers.dev";
const env = { PREFECT_UI_URL: UI };
const calls: string[] = [];
const internalApi = automationApi(env as any, async (request: Request) => {
  calls.push(`${request.method} ${new URL(request.url).pathname}`);
  return (exports as any).default.fetch(request) as Promise<Response>;
}, { id: crypto.randomUUID(), name: "templates" });

/** A deployment's flow run that went Running → Failed, and its Failed state event as stored. */
async function failedRun() {
  const pool = (await api("POST", "/work_pools/", { name: unique("pool"), type: "process" })).body;
  const flow = (await api("POST", "/flows/", { name: unique("etl") })).body;
  const deployment = (await api("POST", "/deployments/", { name: unique("nightly"), flow_id: flow.id, work_pool_name: pool.name })).body;
  const run = (await api("POST", `/deployments/${deployment.id}/create_flow_run`, { name: unique("crimson-otter") })).body;
  await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "PENDING" }, force: true });
  await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" }, force: true });
  await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "FAILED", message: "Flow run encountered an exception: ValueError('boom')" }, force: true });
  await settleEvents();
  const events = (await api("POST", "/events/filter", { filter: { event: { name: ["prefect.flow-run.Failed"] }, resource: { id: [`prefect.flow-run.${run.id}`] } } })).body.events;
  expect(events).toHaveLength(1);
  return { pool, flow, deployment, run, event: events[0] as StoredEvent };
}

async function automation() {
  const body = {
    name: unique("on-failure"),
    description: "tell the team",
    enabled: true,
    trigger: { type: "event", expect: ["prefect.flow-run.Failed"], match: { "prefect.resource.id": "prefect.flow-run.*" }, for_each: ["prefect.resource.id"], posture: "Reactive", threshold: 1, within: 0 },
    actions: [{ type: "do-nothing" }],
  };
  const res = await api("POST", "/automations/", body);
  expect(res.status).toBe(201);
  return res.body;
}

function message(auto: { id: string; name: string; trigger: any }, event: StoredEvent | null, extra: Partial<Firing> = {}): TriggeredActionMessage {
  const firing: Firing = {
    id: crypto.randomUUID(),
    trigger: auto.trigger,
    trigger_states: ["Triggered"],
    triggered: "2026-12-06T21:00:00.123456Z",
    triggering_labels: event ? { "prefect.resource.id": event.resource["prefect.resource.id"] } : {},
    triggering_firings: [],
    triggering_event: event,
    triggering_value: null,
    ...extra,
  };
  return {
    kind: "action",
    automation: { id: auto.id, name: auto.name, trigger_type: "event", posture: "Reactive" },
    firing,
    automation_triggered_event_id: crypto.randomUUID(),
    source: "actions",
    action: { type: "send-notification" },
    action_index: 0,
    invocation: crypto.randomUUID(),
    triggered: firing.triggered,
  };
}

const render = async (m: TriggeredActionMessage, template: string) =>
  renderUserTemplate(template, await templateContextFor(env, internalApi, m, [template]), templateRenderOptions(env));

describe("templateContextFor", () => {
  it("holds automation, event, labels, firing, firings and events, and reads nothing a template does not name", async () => {
    const { run, event } = await failedRun();
    const auto = await automation();
    calls.length = 0;
    const context = await templateContextFor(env, internalApi, message(auto, event), ["{{ event.event }}"]);
    expect(Object.keys(context).sort()).toEqual(["automation", "event", "events", "firing", "firings", "labels"]);
    expect(calls).toEqual([`GET /api/automations/${auto.id}`]);
    const m = message(auto, event);
    expect(await render(m, "{{ automation.name }}|{{ automation.description }}|{{ automation.trigger.posture }}|{{ automation.trigger.within }}")).toBe(
      `${auto.name}|tell the team|Posture.Reactive|0:00:00`,
    );
    expect(await render(m, "{{ event.event }} {{ event.resource.id }} {{ event.resource.name }} {{ labels.prefect.resource.id }} {{ labels['prefect.resource.id'] }}")).toBe(
      `prefect.flow-run.Failed prefect.flow-run.${run.id} ${run.name} prefect.flow-run.${run.id} prefect.flow-run.${run.id}`,
    );
    expect(await render(m, "{{ firing.triggered }} {{ firing.trigger_states }} {{ firings | length }} {{ events[0].id == event.id }} {{ firing.trigger.type }}")).toBe(
      "2026-12-06 21:00:00.123456+00:00 [TriggerState.Triggered] 1 True event",
    );
    expect(await render(m, "{{ event.occurred.isoformat() == event.resource['prefect.state-timestamp'] }} {{ event | ui_url }}")).toBe(
      `True ${UI}/events/event/${event.occurred.slice(0, 10)}/${event.id}`,
    );
  });

  it("reads each named object for the event's first resource of its kind, as Prefect's models", async () => {
    const { pool, flow, deployment, run, event } = await failedRun();
    const auto = await automation();
    const m = message(auto, event);
    calls.length = 0;
    const out = await render(
      m,
      "{{ flow.name }}/{{ flow_run.name }} {{ deployment.name }} {{ work_pool.name }} {{ work_queue.name }} {{ work_queue.status }} {{ task_run }} {{ concurrency_limit }}",
    );
    expect(out).toBe(`${flow.name}/${run.name} ${deployment.name} ${pool.name} default WorkQueueStatus.NOT_READY None None`);
    expect(calls.sort()).toEqual(
      [
        `GET /api/automations/${auto.id}`,
        `GET /api/deployments/${deployment.id}`,
        `GET /api/flow_runs/${run.id}`,
        `GET /api/flows/${flow.id}`,
        "POST /api/work_pools/filter",
        `GET /api/work_queues/${run.work_queue_id}`,
        `GET /api/work_queues/${run.work_queue_id}/status`,
      ].sort(),
    );
    // Prefect's class names decide ui_url and ui_resource_events_url (FlowRunResponse and DeploymentResponse are not in its maps).
    expect(await render(m, "{{ flow_run | ui_url }} {{ flow | ui_url }} {{ deployment | ui_url }} {{ work_pool | ui_url }} {{ work_queue | ui_url }} {{ automation | ui_url }}")).toBe(
      `${UI}/runs/flow-run/${run.id} ${UI}/flows/flow/${flow.id} None ${UI}/work-pools/work-pool/${pool.name} ${UI}/work-queues/work-queue/${run.work_queue_id} ${UI}/automations/automation/${auto.id}`,
    );
    expect(await render(m, "{{ flow_run | ui_resource_events_url }} {{ flow | ui_resource_events_url }} {{ automation | ui_resource_events_url }}")).toBe(
      `None ${UI}/events?resource=prefect.flow.${flow.id} ${UI}/events?resource=prefect.automation.${auto.id}`,
    );
    expect(await render(m, "{{ flow_run.state.type }} {{ flow_run.state.type.value }} {{ flow_run.state.is_failed() }} {{ flow_run.tags | tojson }} {{ (flow_run | tojson | length) > 100 }}")).toBe(
      "StateType.FAILED FAILED True [] True",
    );
    // The event model's properties and find_resource_label, as on Prefect's ReceivedEvent.
    expect(
      await render(
        m,
        "{{ event.resource_in_role['flow'].name }} {{ event.resources_in_role['deployment'] | length }} {{ event.involved_resources | length > 2 }} {{ event.find_resource_label('related:flow:prefect.resource.name') }} {{ event.find_resource_label('prefect.state-name') }} {{ event.url == (event | ui_url) }} {{ flow_run.state_type }} {{ deployment.status }}",
      ),
    ).toBe(`${flow.name} 1 True ${flow.name} Failed True StateType.FAILED DeploymentStatus.NOT_READY`);
  });

  it("takes the run's state from the triggering event, not the API's later one", async () => {
    const { run, event } = await failedRun();
    await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "SCHEDULED", name: "AwaitingRetry" }, force: true });
    const m = message(await automation(), event);
    const template = "{{ flow_run.state.message }}|{{ flow_run.state.name }}|{{ flow_run.state.timestamp.isoformat() }}|{{ flow_run.state.type.value }}|{{ flow_run.state_name }}";
    expect(await render(m, template)).toBe(
      `Flow run encountered an exception: ValueError('boom')|Failed|${event.resource["prefect.state-timestamp"]}|FAILED|AwaitingRetry`,
    );
    // A resource without every state label, or with an unknown type: the API's state.
    const partial = { ...event, resource: { "prefect.resource.id": `prefect.flow-run.${run.id}` } };
    expect(await render(message(await automation(), partial), "{{ flow_run.state.name }}")).toBe("AwaitingRetry");
    const malformed = { ...event, resource: { ...event.resource, "prefect.state-type": "ANNIHILATED" } };
    expect(await render(message(await automation(), malformed), "{{ flow_run.state.name }}")).toBe("AwaitingRetry");
  });

  it("leaves objects None when the event names no such resource or the API does not know it", async () => {
    const auto = await automation();
    const event: StoredEvent = {
      id: crypto.randomUUID(),
      occurred: "2026-12-06T20:59:59.000000Z",
      received: "2026-12-06T20:59:59.500000Z",
      event: "woodchonk.ate",
      resource: { "prefect.resource.id": "woodchonk", kingdom: "Animalia" },
      related: [
        { "prefect.resource.id": `prefect.flow-run.${crypto.randomUUID()}`, "prefect.resource.role": "flow-run" },
        { "prefect.resource.id": "prefect.deployment.not-a-uuid", "prefect.resource.role": "deployment" },
      ],
      payload: { size: 7 },
      follows: null,
    };
    const m = message(auto, event, { triggering_labels: { "i.am.so": "triggered" } });
    expect(await render(m, "[{{ flow_run.name }}][{{ deployment }}][{{ flow }}][{{ labels.i.am.so }}][{{ event.payload.size + 1 }}][{{ event.resource.labels.kingdom }}]")).toBe(
      "[][None][None][triggered][8][Animalia]",
    );
    // No triggering event (a proactive firing that saw none): no objects at all.
    const none = await templateContextFor(env, internalApi, message(auto, null), ["{{ flow_run }}{{ variables }}"]);
    expect(none.event).toBeNull();
    expect("flow_run" in none || "variables" in none).toBe(false);
  });

  it("reads workspace variables by name, as JSON values", async () => {
    const name = unique("var").replace(/-/g, "_");
    await api("POST", "/variables/", { name, value: { key: ["value1", "value2"] } });
    await api("POST", "/variables/", { name: `${name}_n`, value: 12.5 });
    const event: StoredEvent = { id: crypto.randomUUID(), occurred: "2026-12-06T20:59:59Z", received: "2026-12-06T20:59:59Z", event: "x", resource: { "prefect.resource.id": "x" }, related: [], payload: {}, follows: null };
    const m = message(await automation(), event);
    expect(await render(m, `{{ variables.${name} }} {{ variables['${name}_n'] }} {{ variables.${name}.key[1] }}`)).toBe("{'key': ['value1', 'value2']} 12.5 value2");
  });

  it("renders run-deployment parameters with the context their templates need, and templates through the in-process API", async () => {
    const { run, event } = await failedRun();
    const name = unique("v").replace(/-/g, "_");
    await api("POST", "/variables/", { name, value: "from a variable" });
    const m = message(await automation(), event);
    const fetchApi = (request: Request) => (exports as any).default.fetch(request) as Promise<Response>;
    const params = await renderActionParameters(env, fetchApi, m, {
      id: "{{ flow_run.id }}",
      count: "{{ event.payload.validated_state.type | length }}",
      text: "run {{ flow_run.name }} failed: {{ flow_run | ui_url }}",
      nested: { v: { __prefect_kind: "workspace_variable", variable_name: name } },
      plain: 3,
    });
    expect(params).toEqual({ id: run.id, count: 6, text: `run ${run.name} failed: ${UI}/runs/flow-run/${run.id}`, nested: { v: "from a variable" }, plain: 3 });
    expect(await renderActionTemplates(env, fetchApi, m, ["{{ flow_run.name }}", "{{ automation.description }}"])).toEqual([run.name, "tell the team"]);
  });

  it("fails with Prefect's template error", async () => {
    const m = message(await automation(), null);
    const err = await render(m, "{{ 1 / 0 }}").catch((e) => e);
    expect(err).toBeInstanceOf(TemplateRenderError);
    expect(err.message).toBe("Failed to render template due to the following error: ZeroDivisionError('division by zero')");
  });
});

describe("uiUrlOf", () => {
  it("is PREFECT_UI_URL, else PREFECT_API_URL without /api, else none", () => {
    expect(uiUrlOf({ PREFECT_UI_URL: "https://a.example", PREFECT_API_URL: "https://b.example/api" })).toBe("https://a.example");
    expect(uiUrlOf({ PREFECT_API_URL: "https://b.example/api" })).toBe("https://b.example");
    expect(uiUrlOf({})).toBeNull();
  });
});
