import { LabelDiver, prefectEvent, prefectModel, renderUserTemplate, TemplateRenderError } from "../../../lib/jinja";
import { ActionFailed, type ActionRun } from "./types";

/**
 * The context user templates render with. A minimal one for now (automation, event, labels,
 * firing, firings, events); the templates part of the engine supplies the full one.
 */
export async function templateContext(run: ActionRun, _templates: string[]): Promise<Record<string, unknown>> {
  const { message, triggeringEvent } = run;
  const firings = allFirings(message.firing);
  return {
    automation: prefectModel("Automation", { id: message.automation.id, name: message.automation.name }),
    event: triggeringEvent ? prefectEvent(triggeringEvent as unknown as Record<string, unknown>) : null,
    labels: new LabelDiver(message.firing.triggering_labels ?? {}),
    firing: message.firing,
    firings,
    events: firings.map((f) => f.triggering_event).filter(Boolean).map((e) => prefectEvent(e as unknown as Record<string, unknown>)),
  };
}

function allFirings<F extends { triggering_firings?: F[] }>(firing: F): F[] {
  return [firing, ...(firing.triggering_firings ?? []).flatMap((f) => allFirings(f))];
}

/**
 * Prefect's JinjaTemplateAction._render: every template rendered with one context; a render
 * error fails the action with `template_error` / `template_source` in its event.
 */
export async function renderTemplates(run: ActionRun, templates: string[]): Promise<string[]> {
  const context = await templateContext(run, templates);
  try {
    return templates.map((t) => renderUserTemplate(t, context));
  } catch (err) {
    if (!(err instanceof TemplateRenderError)) throw err;
    run.details.template_error = err.message;
    run.details.template_source = err.template;
    throw new ActionFailed(`Template rendering failed: ${err.error.pyRepr()}`);
  }
}
