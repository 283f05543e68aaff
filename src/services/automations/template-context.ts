/**
 * The context an automation action's templates render with, as Prefect's JinjaTemplateAction
 * builds it: `automation`, `event` (the action's triggering event), `labels` (the firing's
 * for_each labels), `firing`, `firings`, `events`, and — only when a template reads them — the
 * Prefect objects of the event's first resource of each kind (`flow_run`, `flow`, `deployment`,
 * `task_run`, `work_pool`, `work_queue`, `concurrency_limit`), read through the server's own API
 * as Prefect's actions read them, and `variables` (every workspace variable, by name).
 */
import type { Bindings } from "../../env";
import type { Firing, TriggeredActionMessage } from "../../events/automations/contract";
import type { StoredEvent } from "../../db/queries/events";
import { parsePythonJson } from "../../lib/python";
import { collectPlaceholders, hydrate, renderRunDeploymentParameters, upgradeV1Templates, ValidJinja } from "../../lib/schema-tools";
import {
  LabelDiver,
  namesReadByTemplates,
  prefectEvent,
  prefectModel,
  PyFloat,
  PyModel,
  PyStrEnum,
  PyTimedelta,
  renderUserTemplate,
  type RenderOptions,
} from "../../lib/jinja";

/**
 * The server's own API, called in-process as the automation (as Prefect's actions call theirs;
 * actions/api-client.ts's automationApi): a JSON answer and its status.
 */
export type ApiRead = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** The server's own API as a Worker's fetch handler (src/index.ts wires app.fetch). */
export type ApiCall = (request: Request) => Promise<Response>;

type Env = Pick<Bindings, "PREFECT_API_AUTH_STRING" | "PREFECT_UI_URL" | "PREFECT_API_URL">;

/** Reads through the in-process API with the server's Basic auth when it asks for one. */
export function apiReader(env: Env, fetchApi: ApiCall): ApiRead {
  const headers: Record<string, string> = {};
  if (env.PREFECT_API_AUTH_STRING) headers.authorization = `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(env.PREFECT_API_AUTH_STRING)))}`;
  return async (method, path, body) => {
    const init: RequestInit = { method, headers: body === undefined ? headers : { ...headers, "content-type": "application/json" } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetchApi(new Request(`http://prefect-in-memory/api${path}`, init));
    const text = await response.text();
    // Python tells 0.0 from 0 (`{{ limit.slot_decay_per_second }}` prints 0.0): numbers keep their kind.
    return { status: response.status, body: response.status < 300 && text ? parsePythonJson(text, { keepNumberKinds: true }) : null };
  };
}

/** The objects a template may ask for by name, and the resource kind each is read for. */
const ORCHESTRATION_KINDS: Record<string, string> = {
  deployment: "prefect.deployment",
  flow: "prefect.flow",
  flow_run: "prefect.flow-run",
  task_run: "prefect.task-run",
  work_pool: "prefect.work-pool",
  work_queue: "prefect.work-queue",
  concurrency_limit: "prefect.concurrency-limit",
};
const ON_DEMAND = [...Object.keys(ORCHESTRATION_KINDS), "variables"];

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const STATE_TYPES = new Set(["SCHEDULED", "PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "CRASHED", "PAUSED", "CANCELLING"]);
const STATE_LABELS = ["prefect.state-message", "prefect.state-name", "prefect.state-timestamp", "prefect.state-type"];

/** Prefect's PREFECT_UI_URL: set, or inferred from PREFECT_API_URL as Prefect infers it; else none (`ui_url` answers None). */
export function uiUrlOf(env: Env): string | null {
  if (env.PREFECT_UI_URL) return env.PREFECT_UI_URL;
  let url = env.PREFECT_API_URL;
  if (!url) return null;
  if (url.endsWith("/api")) url = url.slice(0, -4);
  return url.replace("/api/", "/");
}

/** Render options for action templates (the UI URL `ui_url` builds on). */
export function templateRenderOptions(env: Env): RenderOptions {
  return { uiUrl: uiUrlOf(env) };
}

/** The action's triggering event: its own (actions_on_trigger: the automation.triggered event), else the firing's. */
function triggeringEvent(message: TriggeredActionMessage): StoredEvent | null {
  return message.triggering_event !== undefined ? message.triggering_event : message.firing.triggering_event;
}

async function call(api: ApiRead, method: string, path: string, body?: unknown): Promise<unknown> {
  const answer = await api(method, path, body);
  return answer.status < 300 ? answer.body : null;
}

/** The id of an event resource of this kind (`prefect.flow-run.<uuid>`), or null. */
function idOfKind(resourceId: string | undefined, kind: string): string | null {
  if (!resourceId) return null;
  const dot = resourceId.lastIndexOf(".");
  if (resourceId.slice(0, dot) !== kind) return null;
  const id = resourceId.slice(dot + 1);
  return UUID.test(id) ? id : null;
}

/** The event's first resource (primary, then related) of this kind. */
function firstResourceOfKind(event: StoredEvent, kind: string): Record<string, string> | null {
  for (const resource of [event.resource, ...event.related]) {
    const id = resource["prefect.resource.id"] ?? "";
    if (id.slice(0, id.lastIndexOf(".")) === kind) return resource;
  }
  return null;
}

/**
 * The run's state as the triggering event tells it (when its resource carries all four state
 * labels and a valid type): the API may already answer a later state.
 */
function stateFromResource(resource: Record<string, string>): Record<string, unknown> | null {
  if (!STATE_LABELS.every((label) => Object.hasOwn(resource, label))) return null;
  const type = resource["prefect.state-type"];
  const timestamp = resource["prefect.state-timestamp"];
  if (!STATE_TYPES.has(type) || Number.isNaN(Date.parse(timestamp))) return null;
  return {
    id: crypto.randomUUID(),
    type,
    name: resource["prefect.state-name"],
    timestamp,
    message: resource["prefect.state-message"],
    data: null,
    state_details: {
      flow_run_id: null,
      task_run_id: null,
      child_flow_run_id: null,
      scheduled_time: null,
      cache_key: null,
      cache_expiration: null,
      deferred: false,
      untrackable_result: false,
      pause_timeout: null,
      pause_reschedule: false,
      pause_key: null,
      run_input_keyset: null,
      refresh_cache: null,
      retriable: null,
      transition_id: null,
      task_parameters_id: null,
      traceparent: null,
      deployment_concurrency_lease_id: null,
    },
  };
}

const RESPONSES = "prefect.server.schemas.responses";
/** Fields Prefect's models type as its AutoEnums (`{{ deployment.status }}` prints `DeploymentStatus.READY`). */
const ENUM_FIELDS: Record<string, Record<string, string>> = {
  FlowRunResponse: { state_type: "StateType" },
  TaskRun: { state_type: "StateType" },
  DeploymentResponse: { status: "DeploymentStatus" },
  WorkPool: { status: "WorkPoolStatus" },
  WorkQueueWithStatus: { status: "WorkQueueStatus" },
};

/** The API's JSON as the server model Prefect's action validates it into. */
function serverModel(pyClass: string, json: Record<string, unknown>, pyModule?: string): PyModel {
  const model = prefectModel(pyClass, json, pyModule);
  const enums = Object.entries(ENUM_FIELDS[pyClass] ?? {}).filter(([field]) => typeof json[field] === "string");
  return enums.length ? model.with(Object.fromEntries(enums.map(([field, cls]) => [field, new PyStrEnum(cls, json[field] as string)]))) : model;
}

/** One Prefect object, read as Prefect's `_get_object_from_prefect_api` reads it, as its server model. */
async function readObject(api: ApiRead, name: string, resource: Record<string, string> | null): Promise<PyModel | null> {
  if (!resource) return null;
  const kind = ORCHESTRATION_KINDS[name];
  const id = idOfKind(resource["prefect.resource.id"], kind);
  if (!id) return null;
  const get = (path: string) => call(api, "GET", path) as Promise<Record<string, unknown> | null>;
  switch (name) {
    case "deployment": {
      const json = await get(`/deployments/${id}`);
      return json && serverModel("DeploymentResponse", json, RESPONSES);
    }
    case "flow": {
      const json = await get(`/flows/${id}`);
      return json && serverModel("Flow", json);
    }
    case "flow_run":
    case "task_run": {
      const json = await get(name === "flow_run" ? `/flow_runs/${id}` : `/task_runs/${id}`);
      if (!json) return null;
      const state = stateFromResource(resource);
      const fields = state ? { ...json, state } : json;
      return name === "flow_run" ? serverModel("FlowRunResponse", fields, RESPONSES) : serverModel("TaskRun", fields);
    }
    case "work_pool": {
      const pools = (await call(api, "POST", "/work_pools/filter", { work_pools: { id: { any_: [id] } } })) as Record<string, unknown>[] | null;
      return pools?.length ? serverModel("WorkPool", pools[0]) : null;
    }
    case "work_queue": {
      const [queue, status] = await Promise.all([get(`/work_queues/${id}`), get(`/work_queues/${id}/status`)]);
      return queue && status ? serverModel("WorkQueueWithStatus", { ...queue, ...status }, RESPONSES) : null;
    }
    case "concurrency_limit": {
      const json = await get(`/v2/concurrency_limits/${id}`);
      return json && serverModel("ConcurrencyLimitV2", json);
    }
  }
  return null;
}

/**
 * Prefect's OrchestrationClient.read_workspace_variables: the variables' values by name, all of
 * them or those named (pages of 200, at most 1000).
 */
async function readVariables(api: ApiRead, names?: string[]): Promise<Record<string, unknown>> {
  const variables: Record<string, unknown> = {};
  if (names && !names.length) return variables;
  const filter = names ? { name: { any_: [...new Set(names)] } } : {};
  for (let offset = 0; offset < 1000; offset += 200) {
    const page = (await call(api, "POST", "/variables/filter", { variables: filter, limit: 200, offset })) as { name: string; value: unknown }[] | null;
    if (!page) break;
    for (const v of page) variables[v.name] = v.value;
    if (page.length < 200) break;
  }
  return variables;
}

const AUTOMATIONS = "prefect.server.events.schemas.automations";
const TRIGGER_CLASSES: Record<string, string> = { event: "EventTrigger", compound: "CompoundTrigger", sequence: "SequenceTrigger" };

/** A stored trigger as its server model: posture an enum, within a timedelta, children models. */
function triggerModel(trigger: Record<string, any>): PyModel | Record<string, any> {
  const pyClass = TRIGGER_CLASSES[trigger?.type];
  if (!pyClass) return trigger;
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(trigger)) {
    if (k === "posture" && typeof v === "string") fields[k] = new PyStrEnum("Posture", v);
    else if (k === "within" && (typeof v === "number" || v instanceof PyFloat)) fields[k] = PyTimedelta.fromSeconds(Number(v instanceof PyFloat ? v.value : v));
    else if (k === "triggers" && Array.isArray(v)) fields[k] = v.map(triggerModel);
    else fields[k] = v;
  }
  return new PyModel(pyClass, fields, AUTOMATIONS);
}

/** A stored event as the server's ReceivedEvent (its fields in the model's order). */
function eventModel(e: StoredEvent, uiUrl: string | null): PyModel {
  const { occurred, event, resource, related, payload, id, follows, received } = e;
  return prefectEvent({ occurred, event, resource, related, payload, id, follows, received }, uiUrl);
}

function firingModel(firing: Firing, uiUrl: string | null): PyModel {
  return prefectModel(
    "Firing",
    {
      id: firing.id,
      trigger: firing.trigger,
      trigger_states: firing.trigger_states,
      triggered: firing.triggered,
      triggering_labels: firing.triggering_labels,
      triggering_firings: firing.triggering_firings,
      triggering_event: firing.triggering_event,
      triggering_value: firing.triggering_value ?? null,
    },
    AUTOMATIONS,
  ).with({
    trigger: triggerModel(firing.trigger),
    trigger_states: firing.trigger_states.map((s) => new PyStrEnum("TriggerState", s)),
    triggering_firings: firing.triggering_firings.map((f) => firingModel(f, uiUrl)),
    triggering_event: firing.triggering_event ? eventModel(firing.triggering_event, uiUrl) : null,
  });
}

/** Firing.all_firings(): this firing, then its children's, depth first. */
function allFirings(firing: Firing): Firing[] {
  return [firing, ...firing.triggering_firings.flatMap(allFirings)];
}

/** Firing.all_events(): this firing's triggering event, then its children's. */
function allEvents(firing: Firing): StoredEvent[] {
  return [...(firing.triggering_event ? [firing.triggering_event] : []), ...firing.triggering_firings.flatMap(allEvents)];
}

/** The automation as the server model the action holds (read now; the message's id and name if it is gone). */
async function automationModel(api: ApiRead, message: TriggeredActionMessage): Promise<PyModel> {
  const json = ((await call(api, "GET", `/automations/${message.automation.id}`)) as Record<string, any> | null) ?? {
    id: message.automation.id,
    name: message.automation.name,
    trigger: message.firing.trigger,
  };
  const model = prefectModel("Automation", json, AUTOMATIONS);
  return json.trigger ? model.with({ trigger: triggerModel(json.trigger) }) : model;
}

/**
 * The context `templates` render with for this triggered action (Prefect's `_template_context`):
 * the on-demand objects are read only when a template names them, and are None when the
 * triggering event names no resource of their kind or the API does not answer it.
 */
export async function templateContextFor(env: Env, api: ApiRead, message: TriggeredActionMessage, templates: string[]): Promise<Record<string, unknown>> {
  const uiUrl = uiUrlOf(env);
  const event = triggeringEvent(message);
  const context: Record<string, unknown> = {
    automation: await automationModel(api, message),
    event: event ? eventModel(event, uiUrl) : null,
    labels: new LabelDiver(message.firing.triggering_labels ?? {}),
    firing: firingModel(message.firing, uiUrl),
    firings: allFirings(message.firing).map((f) => firingModel(f, uiUrl)),
    events: allEvents(message.firing).map((e) => eventModel(e, uiUrl)),
  };
  if (!event) return context;
  const wanted = namesReadByTemplates(templates, ON_DEMAND);
  const objects = await Promise.all(
    wanted.map((name) => (name === "variables" ? readVariables(api) : readObject(api, name, firstResourceOfKind(event, ORCHESTRATION_KINDS[name])))),
  );
  wanted.forEach((name, i) => (context[name] = objects[i]));
  return context;
}

/**
 * Prefect's JinjaTemplateAction._render: every template rendered with one context. Throws
 * TemplateRenderError (its message is Prefect's `template_error`, its template `template_source`).
 */
export async function renderActionTemplates(env: Env, fetchApi: ApiCall, message: TriggeredActionMessage, templates: string[]): Promise<string[]> {
  const context = await templateContextFor(env, apiReader(env, fetchApi), message, templates);
  const options = templateRenderOptions(env);
  return templates.map((t) => renderUserTemplate(t, context, options));
}

/**
 * RunDeployment.render_parameters: the parameters' templates (v1 strings upgraded) rendered with
 * the context they need, workspace variables looked up. Throws the first HydrationError.
 */
export async function renderActionParameters(
  env: Env,
  fetchApi: ApiCall,
  message: TriggeredActionMessage,
  parameters: Record<string, unknown> | null | undefined,
): Promise<Record<string, unknown>> {
  const api = apiReader(env, fetchApi);
  const upgraded = structuredClone(parameters ?? {});
  upgradeV1Templates(upgraded);
  const templates = collectPlaceholders(hydrate(upgraded))
    .filter((p): p is ValidJinja => p instanceof ValidJinja)
    .map((p) => p.template);
  return renderRunDeploymentParameters(parameters, {
    context: await templateContextFor(env, api, message, templates),
    renderOptions: templateRenderOptions(env),
    variables: (names) => readVariables(api, names),
  });
}
