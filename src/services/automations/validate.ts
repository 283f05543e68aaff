/**
 * What Prefect's automation models check beyond their field types (pydantic validators on the
 * triggers, the actions and the automation), and the complete shape an automation is stored and
 * answered in (every trigger and action field present, ids canonical, trigger ids server-made).
 */
import { z } from "@hono/zod-openapi";
import type { PydanticError } from "../../lib/validation";
import { normalizeUuid, uuid4 } from "../../lib/ids";
import {
  CallWebhook,
  CancelFlowRun,
  ChangeFlowRunState,
  DeleteFlowRun,
  DoNothing,
  PauseAutomation,
  PauseDeployment,
  PauseWorkPool,
  PauseWorkQueue,
  ResumeAutomation,
  ResumeDeployment,
  ResumeFlowRun,
  ResumeWorkPool,
  ResumeWorkQueue,
  RunDeployment,
  SendNotification,
  SuspendFlowRun,
} from "../../schemas/prefect.gen";
import { templateError } from "../../lib/jinja";
import { collectHydrationErrors, hydrate, upgradeV1Templates } from "../../lib/schema-tools";
import type { AutomationCore } from "../../db/queries/automations";

export type { AutomationCore };

type Json = Record<string, any>;
type Loc = (string | number)[];

export const ACTION_LISTS = ["actions", "actions_on_trigger", "actions_on_resolve"] as const;

// ---- before parsing ----

/**
 * CallWebhook accepts its payload as an object too (older UIs), stored as indented JSON text,
 * as Prefect's `ensure_payload_is_a_string`.
 */
export function webhookPayloadsAsText(body: unknown): unknown {
  if (!body || typeof body !== "object" || Array.isArray(body)) return body;
  const out: Json = { ...(body as Json) };
  for (const list of ACTION_LISTS) {
    if (!Array.isArray(out[list])) continue;
    out[list] = out[list].map((action: unknown) => {
      if (!action || typeof action !== "object" || Array.isArray(action)) return action;
      const a = action as Json;
      if (a.type !== "call-webhook" || a.payload === null || a.payload === undefined || typeof a.payload === "string") return a;
      return { ...a, payload: JSON.stringify(a.payload, null, 2) };
    });
  }
  return out;
}

// ---- field and model validators ----

/**
 * Our limit (Prefect has none): every firing runs each action once, so an automation's action
 * lists bound the work one event can start. No automation Prefect's UI or SDK makes comes near it.
 */
export const MAX_ACTIONS = 100;

const tooManyActions = (loc: Loc, list: unknown[]): PydanticError => ({
  type: "too_long",
  loc,
  msg: `List should have at most ${MAX_ACTIONS} items after validation, not ${list.length}`,
  input: list,
  ctx: { field_type: "List", max_length: MAX_ACTIONS, actual_length: list.length },
});

const valueError = (loc: Loc, message: string, input: unknown): PydanticError => ({
  type: "value_error",
  loc,
  msg: `Value error, ${message}`,
  input,
  ctx: { error: message },
});

function triggerProblems(trigger: Json, loc: Loc): PydanticError[] {
  if (trigger.type === "event") {
    const within = trigger.within ?? 0;
    if (trigger.posture === "Proactive") {
      if (within !== 0 && within < 10)
        return [valueError(loc, "`within` for Proactive triggers must be greater than or equal to 10 seconds", trigger)];
    } else if (within < 0) {
      return [{ type: "greater_than_equal", loc: [...loc, "within"], msg: "Input should be greater than or equal to 0 seconds", input: within, ctx: { ge: 0 } }];
    }
    return [];
  }
  const problems = (trigger.triggers ?? []).flatMap((child: Json, i: number) => triggerProblems(child, [...loc, "triggers", i]));
  if (trigger.type === "compound" && typeof trigger.require === "number") {
    if (trigger.require < 1) problems.push(valueError(loc, "require must be at least 1", trigger));
    else if (trigger.require > (trigger.triggers ?? []).length)
      problems.push(valueError(loc, "require must be less than or equal to the number of triggers", trigger));
  }
  return problems;
}

/** The `*_id` an action of this type names when its source is "selected". */
const SELECTED_ID: Record<string, string> = {
  "run-deployment": "deployment_id",
  "pause-deployment": "deployment_id",
  "resume-deployment": "deployment_id",
  "pause-work-pool": "work_pool_id",
  "resume-work-pool": "work_pool_id",
  "pause-work-queue": "work_queue_id",
  "resume-work-queue": "work_queue_id",
  "pause-automation": "automation_id",
  "resume-automation": "automation_id",
};

function templateProblem(value: unknown, field: string, loc: Loc): PydanticError[] {
  if (typeof value !== "string" || !value) return [];
  const error = templateError(value);
  return error ? [valueError(loc, `'${field}' is not a valid template: ${error.message}`, value)] : [];
}

function actionProblems(action: Json, loc: Loc): PydanticError[] {
  const problems: PydanticError[] = [];
  if (action.type === "run-deployment") {
    if (action.parameters && Object.keys(action.parameters).length) {
      const forTesting = structuredClone(action.parameters);
      upgradeV1Templates(forTesting);
      const errors = collectHydrationErrors(hydrate(forTesting, { renderWorkspaceVariables: false }));
      if (errors.length) {
        const message = `Invalid parameters: \n${errors.map(([k, e]) => `${k ? `${k}:` : ""} ${e.message}`).join("\n  ")}`;
        problems.push(valueError([...loc, "parameters"], message, action.parameters));
      }
    }
    if (typeof action.schedule_after === "number" && action.schedule_after < 0)
      problems.push(valueError([...loc, "schedule_after"], "schedule_after must be non-negative", action.schedule_after));
  }
  if (action.type === "send-notification") {
    problems.push(...templateProblem(action.subject, "subject", [...loc, "subject"]));
    problems.push(...templateProblem(action.body, "body", [...loc, "body"]));
  }
  if (action.type === "call-webhook") problems.push(...templateProblem(action.payload, "payload", [...loc, "payload"]));
  const idField = SELECTED_ID[action.type];
  if (idField && !problems.length) {
    const selected = (action.source ?? "selected") === "selected";
    const hasId = !!action[idField];
    if (selected !== hasId) problems.push(valueError(loc, `${idField} is ${hasId ? "not allowed" : "required"}`, action));
  }
  return problems;
}

const LOOP_EVENTS = new Set(["prefect.flow-run.Scheduled", "prefect.flow-run.Pending", "prefect.flow-run.Running", "prefect.flow-run.*"]);

function matchesEveryResourceOfKind(spec: unknown, prefix: string): boolean {
  if (!spec || typeof spec !== "object") return true;
  const keys = Object.keys(spec);
  if (keys.length === 0) return true;
  if (keys.length === 1) {
    const id = (spec as Json)["prefect.resource.id"];
    if (id) return (typeof id === "string" ? [id] : id).some((v: string) => v === `${prefix}.*`);
  }
  return false;
}

/** Prefect's `prevent_run_deployment_loops`: answers the message when this automation could loop. */
export function loopProblem(core: Pick<AutomationCore, "enabled" | "trigger" | "actions">): string | null {
  if (!core.enabled) return null;
  const trigger = core.trigger;
  if (!trigger || trigger.type !== "event" || trigger.posture !== "Reactive") return null;
  const expect: string[] = trigger.expect ?? [];
  if (!expect.some((e) => e.startsWith("prefect.flow-run."))) return null;
  if (!expect.some((e) => LOOP_EVENTS.has(e))) return null;
  for (const action of core.actions.filter((a) => a.type === "run-deployment")) {
    if ((action.source ?? "selected") === "inferred")
      return (
        "Running an inferred deployment from a flow run state change event will lead to an infinite loop of flow runs.  " +
        "Please choose a specific deployment and add additional filtering labels to the match or match_related for this automation's trigger."
      );
    if (matchesEveryResourceOfKind(trigger.match ?? {}, "prefect.flow-run")) {
      const relateds = Array.isArray(trigger.match_related) ? trigger.match_related : [trigger.match_related ?? {}];
      if (relateds.some((r: unknown) => matchesEveryResourceOfKind(r, "prefect.flow-run")))
        return (
          "Running a selected deployment from a flow run state change event may lead to an infinite loop of flow runs.  " +
          "Please include additional filtering labels on either match or match_related to narrow down which flow runs will trigger this automation to exclude flow runs from the deployment you've selected."
        );
    }
  }
  return null;
}

/**
 * Every problem Prefect's validators find in a parsed automation body, located under `root`
 * (`["body"]` for a request body). The automation-level loop check runs only on otherwise valid
 * input, as pydantic runs model validators last.
 */
export function automationProblems(core: AutomationCore, root: Loc, rawBody: unknown): PydanticError[] {
  const tooMany = ACTION_LISTS.filter((list) => core[list].length > MAX_ACTIONS).map((list) => tooManyActions([...root, list], core[list]));
  if (tooMany.length) return tooMany;
  const problems = triggerProblems(core.trigger, [...root, "trigger"]);
  for (const list of ACTION_LISTS) core[list].forEach((action, i) => problems.push(...actionProblems(action, [...root, list, i])));
  if (problems.length) return problems;
  const loop = loopProblem(core);
  return loop ? [valueError(root, loop, rawBody)] : [];
}

// ---- the stored shape ----

const ACTION_SCHEMAS: Record<string, z.ZodObject<any>> = Object.fromEntries(
  [
    DoNothing,
    RunDeployment,
    PauseDeployment,
    ResumeDeployment,
    CancelFlowRun,
    DeleteFlowRun,
    ChangeFlowRunState,
    PauseWorkQueue,
    ResumeWorkQueue,
    SendNotification,
    CallWebhook,
    PauseAutomation,
    ResumeAutomation,
    SuspendFlowRun,
    ResumeFlowRun,
    PauseWorkPool,
    ResumeWorkPool,
  ].map((schema) => [schema.shape.type.parse(undefined) as string, schema]),
);

const UUID_FIELDS = new Set(["deployment_id", "work_pool_id", "work_queue_id", "automation_id", "block_document_id"]);

/** An action with every field of its type, as Prefect dumps it (absent optionals are null). */
export function completeAction(action: Json): Json {
  const schema = ACTION_SCHEMAS[action.type];
  if (!schema) return action;
  const out: Json = {};
  for (const key of Object.keys(schema.shape)) {
    let value = action[key];
    if (value === undefined) value = key === "schedule_after" ? 0 : null;
    if (UUID_FIELDS.has(key) && typeof value === "string") value = normalizeUuid(value);
    out[key] = value;
  }
  return out;
}

const distinct = (values: string[] | undefined) => [...new Set(values ?? [])];

/** A trigger with every field, sets deduplicated, Proactive `within` defaulted, ids fresh when asked. */
export function completeTrigger(trigger: Json, resetIds: boolean): Json {
  const id = resetIds || !trigger.id ? uuid4() : normalizeUuid(trigger.id);
  if (trigger.type === "compound")
    return {
      type: "compound",
      id,
      triggers: (trigger.triggers ?? []).map((t: Json) => completeTrigger(t, resetIds)),
      within: trigger.within ?? null,
      require: trigger.require,
    };
  if (trigger.type === "sequence")
    return { type: "sequence", id, triggers: (trigger.triggers ?? []).map((t: Json) => completeTrigger(t, resetIds)), within: trigger.within ?? null };
  const within = trigger.within ?? 0;
  return {
    type: "event",
    id,
    match: trigger.match ?? {},
    match_related: trigger.match_related ?? {},
    after: distinct(trigger.after),
    expect: distinct(trigger.expect),
    for_each: distinct(trigger.for_each),
    posture: trigger.posture,
    threshold: trigger.threshold ?? 1,
    within: trigger.posture === "Proactive" && !within ? 10 : within,
  };
}

/** The automation as stored: defaults filled, trigger ids reset (Prefect's `reset_ids`) when asked. */
export function completeAutomation(core: AutomationCore, resetIds: boolean): AutomationCore {
  return {
    name: core.name,
    description: core.description ?? "",
    enabled: core.enabled ?? true,
    tags: core.tags ?? [],
    trigger: completeTrigger(core.trigger, resetIds),
    actions: (core.actions ?? []).map(completeAction),
    actions_on_trigger: (core.actions_on_trigger ?? []).map(completeAction),
    actions_on_resolve: (core.actions_on_resolve ?? []).map(completeAction),
  };
}
