/**
 * What Prefect adds to its template environment and context: the filters of
 * prefect.server.events.jinja_filters (`ui_url`, `ui_resource_events_url`, `flow_run_id`), and
 * the Python objects its context holds (pydantic models, event resources, the LabelDiver).
 */
import { valueError } from "./errors";
import { PyDateTime, PyTimedelta } from "./pytime";
import type { Filter, Renderer } from "./runtime";
import { dictGet, isMapping, isStr, MISSING, num, PyCallable, pyEq, PyFloat, PyObject, pyRepr, pyStr, tuple } from "./values";

/** A pydantic model instance: attributes are its fields; printed as pydantic prints models. */
export class PyModel extends PyObject {
  constructor(
    readonly pyClass: string,
    readonly fields: Record<string, unknown>,
    override readonly pyModule: string = "prefect.server.schemas.core",
    readonly methods: Record<string, (args: unknown[]) => unknown> = {},
    /** Python properties: read as attributes, not fields (not printed, not in tojson). */
    readonly properties: Record<string, () => unknown> = {},
  ) {
    super();
  }
  /** The same model with some fields replaced (values as they are, not converted). */
  with(fields: Record<string, unknown>): PyModel {
    return new PyModel(this.pyClass, { ...this.fields, ...fields }, this.pyModule, this.methods, this.properties);
  }
  getAttr(name: string): unknown {
    if (Object.hasOwn(this.fields, name)) return this.fields[name];
    if (Object.hasOwn(this.properties, name)) return this.properties[name]();
    if (Object.hasOwn(this.methods, name)) return new PyCallable(name, (args) => this.methods[name](args), this.pyClass);
    return MISSING;
  }
  override iterate(): unknown[] {
    return Object.entries(this.fields).map(([k, v]) => tuple(k, v));
  }
  str(): string {
    return Object.entries(this.fields)
      .map(([k, v]) => `${k}=${pyRepr(v)}`)
      .join(" ");
  }
  override repr(): string {
    return `${this.pyClass}(${Object.entries(this.fields)
      .map(([k, v]) => `${k}=${pyRepr(v)}`)
      .join(", ")})`;
  }
  override equals(other: unknown): boolean {
    return other instanceof PyModel && other.pyClass === this.pyClass && pyEq(other.fields, this.fields);
  }
  override toJson(): unknown {
    return jsonMode(this.fields);
  }
}

/** model_dump(mode="json") of a field value. */
function jsonMode(v: unknown): unknown {
  if (v instanceof PyDateTime) return v.isoJson();
  if (v instanceof PyTimedelta) return v.isoDuration();
  if (v instanceof PyObject) return v.toJson();
  if (Array.isArray(v)) return v.map(jsonMode);
  if (isMapping(v)) return Object.fromEntries((v instanceof Map ? [...v.entries()] : Object.entries(v)).map(([k, x]) => [pyStr(k), jsonMode(x)]));
  return v;
}

/** An event's resource (a RootModel of labels): `resource.id`, `resource.name`, `resource['label']`. */
export class PyResource extends PyObject {
  readonly pyModule = "prefect.server.events.schemas.events";
  constructor(
    readonly labels: Record<string, string>,
    readonly pyClass: "Resource" | "RelatedResource" = "Resource",
  ) {
    super();
  }
  getAttr(name: string): unknown {
    const get = (key: string) => (Object.hasOwn(this.labels, key) ? this.labels[key] : null);
    switch (name) {
      case "id":
        if (!Object.hasOwn(this.labels, "prefect.resource.id")) return MISSING;
        return this.labels["prefect.resource.id"];
      case "name":
        return get("prefect.resource.name");
      case "role":
        return this.pyClass === "RelatedResource" ? this.labels["prefect.resource.role"] : MISSING;
      case "root":
        return this.labels;
      case "keys":
        return new PyCallable("keys", () => Object.keys(this.labels), this.pyClass);
      case "items":
        return new PyCallable("items", () => Object.entries(this.labels).map(([k, v]) => tuple(k, v)), this.pyClass);
      case "labels":
        return new LabelDiver(this.labels);
      case "get":
        return new PyCallable("get", (args) => (typeof args[0] === "string" && Object.hasOwn(this.labels, args[0]) ? this.labels[args[0]] : (args[1] ?? null)), this.pyClass);
    }
    return MISSING;
  }
  override getItem(key: unknown): unknown {
    return typeof key === "string" && Object.hasOwn(this.labels, key) ? this.labels[key] : MISSING;
  }
  override iterate(): unknown[] {
    return [tuple("root", this.labels)];
  }
  str(): string {
    return `root=${pyRepr(this.labels)}`;
  }
  override repr(): string {
    return `${this.pyClass}(root=${pyRepr(this.labels)})`;
  }
  override toJson(): unknown {
    return { ...this.labels };
  }
}

/** Prefect's LabelDiver: labels as a tree of attributes (`labels.prefect.resource.id`). */
export class LabelDiver extends PyObject {
  readonly pyClass = "LabelDiver";
  override readonly pyModule = "prefect.server.events.schemas.labelling";
  private readonly divers = new Map<string, LabelDiver>();
  constructor(
    readonly labels: Record<string, string>,
    readonly value = "",
  ) {
    super();
    const nested = new Map<string, Record<string, string>>();
    const values = new Map<string, string>();
    for (const [key, v] of Object.entries(labels)) {
      const dot = key.indexOf(".");
      if (dot >= 0) {
        const head = key.slice(0, dot);
        if (!nested.has(head)) nested.set(head, {});
        nested.get(head)![key.slice(dot + 1)] = v;
      } else values.set(key, v);
    }
    for (const [k, v] of nested) {
      this.divers.set(k, new LabelDiver(v, values.get(k) ?? ""));
      values.delete(k);
    }
    for (const [k, v] of values) this.divers.set(k, new LabelDiver({}, v));
  }
  getAttr(name: string): unknown {
    return this.divers.get(name) ?? MISSING;
  }
  override getItem(key: unknown): unknown {
    return typeof key === "string" && Object.hasOwn(this.labels, key) ? this.labels[key] : MISSING;
  }
  override iterate(): unknown[] {
    return Object.entries(this.labels).map(([k, v]) => tuple(k, v));
  }
  override len(): number {
    return Object.keys(this.labels).length;
  }
  str(): string {
    return this.value;
  }
  override repr(): string {
    return `LabelDiver(divers={${[...this.divers.entries()].map(([k, v]) => `${pyRepr(k)}: ${v.repr()}`).join(", ")}}, value=${pyRepr(this.value)})`;
  }
}

const UI_URL_FORMATS: Record<string, string> = {
  flow: "flows/flow/{obj_id}",
  "flow-run": "runs/flow-run/{obj_id}",
  "flow-run-response": "runs/flow-run/{obj_id}",
  "task-run": "runs/task-run/{obj_id}",
  block: "blocks/block/{obj_id}",
  "block-document": "blocks/block/{obj_id}",
  "work-pool": "work-pools/work-pool/{obj_id}",
  "work-queue": "work-queues/work-queue/{obj_id}",
  "concurrency-limit": "concurrency-limits/concurrency-limit/{obj_id}",
  deployment: "deployments/deployment/{obj_id}",
  automation: "automations/automation/{obj_id}",
  "received-event": "events/event/{occurred}/{obj_id}",
  worker: "work-pools/work-pool/{work_pool_name}/worker/{obj_id}",
};

const classToName = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/^-/, "");

function pythonTypeName(v: unknown): string {
  if (v instanceof PyObject) return v.pyClass;
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (Array.isArray(v)) return "list";
  if (isMapping(v)) return "dict";
  return "object";
}

/** urllib.parse.urljoin for an absolute base (or no base: the reference as is). */
function urljoin(base: string | null, ref: string): string {
  if (!base || /^[a-z][a-z0-9+.-]*:/i.test(ref)) return ref;
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(base)?.[0] ?? "";
  if (ref.startsWith("/")) return origin + ref;
  const path = base.slice(origin.length).replace(/[?#].*$/, "");
  return `${origin}${path.slice(0, path.lastIndexOf("/") + 1) || "/"}${ref}`;
}

/** prefect.utilities.urls.url_for(obj, url_type="ui"). */
export function uiUrlFor(obj: unknown, uiUrl: string | null): string | null {
  let name: string;
  if (obj instanceof PyResource) {
    const id = obj.labels["prefect.resource.id"] ?? "";
    name = classToName(obj.pyClass);
    void id;
  } else if (isStr(obj)) name = pyStr(obj);
  else name = classToName(pythonTypeName(obj));
  if (name === "work-queue-with-status") name = "work-queue";
  if (!Object.hasOwn(UI_URL_FORMATS, name)) return null;
  if (isStr(obj)) throw valueError("If passing an object name, you must also provide an object ID.");
  if (!uiUrl) return null;
  const attr = (key: string) => (obj instanceof PyObject ? obj.getAttr(key) : MISSING);
  let id = name === "work-pool" ? attr("name") : attr("id");
  if (id === MISSING) id = null;
  if (!id) return "";
  let url: string;
  if (name === "received-event") {
    const occurred = attr("occurred");
    url = `events/event/${occurred instanceof PyDateTime ? occurred.strftime("%Y-%m-%d") : pyStr(occurred)}/${pyStr(id)}`;
  } else {
    const format = UI_URL_FORMATS[name];
    if (format.includes("{work_pool_name}")) throw valueError(`Unable to generate URL for ${name} because the following keys are missing: work_pool_name`);
    url = format.replace("{obj_id}", pyStr(id));
  }
  return urljoin(uiUrl.endsWith("/") ? uiUrl : `${uiUrl}/`, url);
}

const MODEL_KINDS: Record<string, string> = {
  Deployment: "prefect.deployment",
  Flow: "prefect.flow",
  FlowRun: "prefect.flow-run",
  TaskRun: "prefect.task-run",
  WorkQueue: "prefect.work-queue",
  WorkQueueWithStatus: "prefect.work-queue",
  WorkPool: "prefect.work-pool",
};

/** jinja_filters.ui_resource_events_url. */
export function uiResourceEventsUrl(obj: unknown, uiUrl: string | null): string | null {
  let url: string | null = null;
  if (obj instanceof PyModel && obj.pyClass === "Automation") url = `events?resource=prefect.automation.${pyStr(obj.getAttr("id"))}`;
  else if (obj instanceof PyResource) url = `events?resource=${obj.labels["prefect.resource.id"]}`;
  else if (obj instanceof PyModel && Object.hasOwn(MODEL_KINDS, obj.pyClass)) url = `events?resource=${MODEL_KINDS[obj.pyClass]}.${pyStr(obj.getAttr("id"))}`;
  return url ? urljoin(uiUrl, url) : null;
}

const FLOW_RUN_ID = /flow-run\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/;

export const PREFECT_FILTERS: Record<string, Filter> = {
  ui_url: (r: Renderer, v) => uiUrlFor(v, r.settings.uiUrl),
  ui_resource_events_url: (r: Renderer, v) => uiResourceEventsUrl(v, r.settings.uiUrl),
  flow_run_id: (_r, v) => {
    if (!v || (isStr(v) && !pyStr(v))) return null;
    const m = FLOW_RUN_ID.exec(pyStr(v));
    return m ? m[1] : null;
  },
};
void dictGet;

/** A member of Prefect's AutoEnum (a str Enum: StateType, Posture, ...): prints `StateType.FAILED`, equals "FAILED". */
export class PyStrEnum extends PyObject {
  override readonly pyModule = "prefect.server.schemas.states";
  constructor(
    readonly pyClass: string,
    readonly value: string,
  ) {
    super();
  }
  getAttr(name: string): unknown {
    if (name === "value" || name === "name") return this.value;
    return MISSING;
  }
  override getItem(key: unknown): unknown {
    return typeof key === "number" ? (this.value[key] ?? MISSING) : MISSING;
  }
  override iterate(): unknown[] {
    return [...this.value];
  }
  override len(): number {
    return this.value.length;
  }
  override truthy(): boolean {
    return this.value.length > 0;
  }
  str(): string {
    return `${this.pyClass}.${this.value}`;
  }
  /** Prefect's AutoEnum prints the same in repr (`StateType.FAILED`, as in a model's str()). */
  override repr(): string {
    return `${this.pyClass}.${this.value}`;
  }
  override equals(other: unknown): boolean {
    return other === this.value || (other instanceof PyStrEnum && other.value === this.value);
  }
  override toJson(): unknown {
    return this.value;
  }
}

/** Fields Prefect's server models type as datetimes and durations. */
const DATETIME_FIELDS = new Set([
  "created",
  "triggered",
  "updated",
  "occurred",
  "received",
  "timestamp",
  "start_time",
  "end_time",
  "expected_start_time",
  "next_scheduled_start_time",
  "scheduled_time",
  "last_polled",
  "last_heartbeat_time",
  "pause_timeout",
  "cache_expiration",
  "last_active_time",
]);
const DURATION_FIELDS = new Set(["total_run_time", "estimated_run_time", "estimated_start_time_delta"]);
const FINAL_STATES = new Set(["COMPLETED", "FAILED", "CRASHED", "CANCELLED"]);

function fieldValue(key: string, value: unknown): unknown {
  if (typeof value === "string" && DATETIME_FIELDS.has(key)) {
    try {
      return PyDateTime.parse(value);
    } catch {
      return value;
    }
  }
  if (DURATION_FIELDS.has(key) && (typeof value === "number" || value instanceof PyFloat)) return PyTimedelta.fromSeconds(num(value));
  if (key === "state" && isMapping(value)) return prefectState(value as Record<string, unknown>);
  if (key === "state_details" && isMapping(value)) return prefectModel("StateDetails", value as Record<string, unknown>);
  return value;
}

/** A Prefect State as templates see it: `type` a StateType, `is_failed()` and its kin. */
export function prefectState(json: Record<string, unknown>): PyModel {
  const type = typeof json.type === "string" ? json.type : "";
  const fields = Object.fromEntries(Object.entries(json).map(([k, v]) => [k, k === "type" && type ? new PyStrEnum("StateType", type) : fieldValue(k, v)]));
  const is = (t: string) => () => type === t;
  return new PyModel("State", fields, "prefect.server.schemas.states", {
    is_scheduled: is("SCHEDULED"),
    is_pending: is("PENDING"),
    is_running: is("RUNNING"),
    is_completed: is("COMPLETED"),
    is_failed: is("FAILED"),
    is_crashed: is("CRASHED"),
    is_cancelled: is("CANCELLED"),
    is_cancelling: is("CANCELLING"),
    is_paused: () => type === "PAUSED",
    is_final: () => FINAL_STATES.has(type),
  });
}

/**
 * A Prefect object read from the API (its JSON) as the template context holds it: a model
 * (`FlowRun`, `Deployment`, `Flow`, `TaskRun`, `WorkPool`, `WorkQueueWithStatus`, `Automation`, ...)
 * whose datetimes and durations are Python's, whose state has its methods; `ui_url` knows it by class.
 */
export function prefectModel(pyClass: string, json: Record<string, unknown>, pyModule = "prefect.server.schemas.core"): PyModel {
  return new PyModel(pyClass, Object.fromEntries(Object.entries(json).map(([k, v]) => [k, fieldValue(k, v)])), pyModule);
}

/**
 * A received event (its JSON) as the template context's `event`, with the server model's
 * properties (`involved_resources`, `resource_in_role`, `resources_in_role`, `url` on `uiUrl`)
 * and `find_resource_label()`.
 */
export function prefectEvent(json: Record<string, unknown>, uiUrl: string | null = null): PyModel {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    if (k === "resource" && isMapping(v)) fields[k] = new PyResource(v as Record<string, string>);
    else if (k === "related" && Array.isArray(v)) fields[k] = v.map((r) => new PyResource(r as Record<string, string>, "RelatedResource"));
    else fields[k] = fieldValue(k, v);
  }
  const resource = fields.resource instanceof PyResource ? fields.resource : null;
  const related = (Array.isArray(fields.related) ? fields.related : []) as PyResource[];
  const role = (r: PyResource) => r.labels["prefect.resource.role"];
  const model: PyModel = new PyModel(
    "ReceivedEvent",
    fields,
    "prefect.server.events.schemas.events",
    {
      find_resource_label: ([label]) => {
        const text = pyStr(label);
        const colon = text.lastIndexOf(":");
        const [directive, relatedLabel] = colon < 0 ? ["", text] : [text.slice(0, colon), text.slice(colon + 1)];
        const [kind, wanted] = directive.includes(":") ? [directive.slice(0, directive.indexOf(":")), directive.slice(directive.indexOf(":") + 1)] : [directive, ""];
        if (kind === "related") {
          const match = related.find((r) => role(r) === wanted);
          if (match) return match.labels[relatedLabel] ?? null;
        }
        return resource?.labels[text] ?? null;
      },
    },
    {
      involved_resources: () => [...(resource ? [resource] : []), ...related],
      resource_in_role: () => Object.fromEntries([...related].reverse().map((r) => [role(r), r])),
      resources_in_role: () => {
        const byRole: Record<string, PyResource[]> = {};
        for (const r of related) (byRole[role(r)] ??= []).push(r);
        return byRole;
      },
      url: () => uiUrlFor(model, uiUrl),
    },
  );
  return model;
}
