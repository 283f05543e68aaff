/**
 * Realistic notification templates (the UI wizard's defaults and others) rendered with an
 * action's context, against Python's answers (scripts/goldens/jinja.py): the API answers are
 * the real 3.8.3 server's (test/goldens/jinja_notifications.json), served to the context builder.
 */
import { describe, expect, it } from "vitest";
import golden from "../../goldens/jinja_notifications.json";
import type { TriggeredActionMessage } from "../../../src/events/automations/contract";
import type { StoredEvent } from "../../../src/db/queries/events";
import { renderUserTemplate, TemplateRenderError } from "../../../src/lib/jinja";
import { parsePythonJson } from "../../../src/lib/python";
import { type ApiRead, templateContextFor, templateRenderOptions } from "../../../src/services/automations/template-context";

const objects = JSON.parse(golden.objects);
/** The API's answers, their numbers of Python's kinds (0.0 a float), as apiReader reads them. */
const answers = parsePythonJson(golden.objects, { keepNumberKinds: true }) as any;
const env = { PREFECT_UI_URL: golden.ui_url };

const api: ApiRead = async (method, path) => {
  const answer = answers.api[`${method} ${path}`];
  return answer === undefined ? { status: 404, body: { detail: "Not found" } } : { status: 200, body: answer };
};

const automation = objects.api[`GET /automations/${objects.automation_id}`];
const event = objects.event as StoredEvent;
const message: TriggeredActionMessage = {
  kind: "action",
  automation: { id: automation.id, name: automation.name, trigger_type: "event", posture: "Reactive" },
  firing: {
    id: objects.firing.id,
    trigger: automation.trigger,
    trigger_states: ["Triggered"],
    triggered: objects.firing.triggered,
    triggering_labels: objects.firing.triggering_labels,
    triggering_firings: [],
    triggering_event: event,
    triggering_value: null,
  },
  automation_triggered_event_id: crypto.randomUUID(),
  source: "actions",
  action: automation.actions[0],
  action_index: 0,
  invocation: crypto.randomUUID(),
  triggered: objects.firing.triggered,
};

async function render(template: string) {
  try {
    return { output: renderUserTemplate(template, await templateContextFor(env, api, message, [template]), templateRenderOptions(env)) };
  } catch (err) {
    if (err instanceof TemplateRenderError) return { error: { type: err.error.pyClass, message: err.message } };
    throw err;
  }
}

describe("notification templates rendered with an action's context, against Python's answers", () => {
  it("covers the UI wizard's templates", () => {
    expect(golden.cases.filter((c) => c.name.startsWith("ui wizard")).length).toBe(15);
  });

  it.each(golden.cases.map((c) => [c.name, c] as const))("renders %s", async (_, c) => {
    expect(await render(c.template)).toEqual(c.expected);
  });
});
