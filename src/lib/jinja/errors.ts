/** The errors of parsing and rendering a template, as jinja2 and Prefect raise them. */
import { pyStrRepr } from "../python";

export class TemplateSyntaxError extends Error {
  constructor(
    readonly message: string,
    readonly lineno: number,
  ) {
    super(message);
  }
}

/**
 * A Python exception raised while rendering: its class name and message, so that `repr()` prints
 * what Python would (`UndefinedError("'x' is undefined")`).
 */
export class PyException extends Error {
  constructor(
    readonly pyClass: string,
    message: string,
  ) {
    super(message);
  }

  pyRepr(): string {
    return `${this.pyClass}(${pyStrRepr(this.message)})`;
  }
}

export const typeError = (message: string) => new PyException("TypeError", message);
export const valueError = (message: string) => new PyException("ValueError", message);
export const securityError = (message: string) => new PyException("SecurityError", message);

/**
 * Prefect's TemplateRenderError: the template and the Python exception that stopped it; `message`
 * is Prefect's text (`Failed to render template due to the following error: …`), which an action
 * that fails records as its `template_error`.
 */
export class TemplateRenderError extends Error {
  constructor(
    readonly error: PyException,
    readonly template: string,
  ) {
    super(`Failed to render template due to the following error: ${error.pyRepr()}`);
  }
}
