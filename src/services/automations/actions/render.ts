import { TemplateRenderError } from "../../../lib/jinja";
import { renderActionTemplates } from "../template-context";
import { ActionFailed, type ActionRun } from "./types";

/**
 * Prefect's JinjaTemplateAction._render: every template rendered with one context (see
 * template-context.ts); a render error fails the action with `template_error` / `template_source`
 * in its event.
 */
export async function renderTemplates(run: ActionRun, templates: string[]): Promise<string[]> {
  try {
    return await renderActionTemplates(run.env, run.fetchApi, run.message, templates);
  } catch (err) {
    if (!(err instanceof TemplateRenderError)) throw err;
    run.details.template_error = err.message;
    run.details.template_source = err.template;
    throw new ActionFailed(`Template rendering failed: ${err.error.pyRepr()}`);
  }
}
