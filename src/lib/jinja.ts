/**
 * User-supplied Jinja templates as Prefect's server handles them: checked as
 * `validate_user_template` does before storing automation actions or answering /templates/validate
 * (Jinja's grammar plus Prefect's for-loop limits, Jinja's own messages and line numbers), and
 * rendered as `render_user_template` does (src/lib/jinja/).
 */
import { TemplateSyntaxError } from "./jinja/errors";
import { parseTemplate } from "./jinja/parser";

export { PyException, TemplateRenderError, TemplateSyntaxError } from "./jinja/errors";
export { LabelDiver, prefectEvent, prefectModel, prefectState, PyModel, PyResource, PyStrEnum, uiResourceEventsUrl, uiUrlFor } from "./jinja/prefect";
export { PyDateTime, PyTimedelta } from "./jinja/pytime";
export { maybeTemplate, namesReadByTemplates, renderUserTemplate, type RenderOptions } from "./jinja/render";
export { Markup, PyFloat, PyObject, PyTuple } from "./jinja/values";

/** Prefect's sandbox limits (MAX_LOOP_COUNT, MAX_NESTED_LOOP_DEPTH); raised with line 0. */
const MAX_LOOP_COUNT = 10;
const MAX_NESTED_LOOP_DEPTH = 2;

/** Throws TemplateSyntaxError when the template does not parse or breaks the loop limits. */
export function validateUserTemplate(template: string): void {
  const ast = parseTemplate(template);
  if (ast.forCount === 0) return;
  if (ast.forCount > MAX_LOOP_COUNT)
    throw new TemplateSyntaxError(
      `Contains ${ast.forCount} for loops. Templates can contain no more than ${MAX_LOOP_COUNT} for loops.`,
      0,
    );
  if (ast.maxForDepth > MAX_NESTED_LOOP_DEPTH)
    throw new TemplateSyntaxError(
      `Contains nested for loops at a depth of ${ast.maxForDepth}. Templates can nest for loops no more than ${MAX_NESTED_LOOP_DEPTH} loops deep.`,
      0,
    );
}

/** The error of validateUserTemplate, or null when the template is valid. */
export function templateError(template: string): TemplateSyntaxError | null {
  try {
    validateUserTemplate(template);
    return null;
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return err;
    throw err;
  }
}
