/**
 * Prefect's hydration of `__prefect_kind` values (prefect.utilities.schema_tools.hydration):
 * placeholders resolved, removed, or left as Placeholder values the validator reports on.
 */
import { maybeTemplate, renderUserTemplate, type RenderOptions, TemplateRenderError, templateError } from "../jinja";
import { isDict, parsePythonJson } from "../python";

export class Placeholder {
  get isError(): boolean {
    return false;
  }
}
class RemoveValue extends Placeholder {}
export class ValidJinja extends Placeholder {
  constructor(readonly template: string) {
    super();
  }
}
export class WorkspaceVariable extends Placeholder {
  constructor(readonly variableName: unknown) {
    super();
  }
}
export class HydrationError extends Placeholder {
  constructor(
    readonly message: string,
    /** Prefect's class for it, which Python's repr() shows in jsonschema's messages (`InvalidJSON()`). */
    readonly pythonClass: string,
  ) {
    super();
  }
  override get isError(): boolean {
    return true;
  }
  pyRepr(): string {
    return `${this.pythonClass}()`;
  }
}

const missingKey = (key: "value" | "template") =>
  new HydrationError(`Missing '${key}' key in __prefect object`, key === "value" ? "ValueNotFound" : "TemplateNotFound");

export interface HydrationContext {
  /** Workspace variables by name; used when renderWorkspaceVariables. */
  workspaceVariables?: Record<string, unknown>;
  renderWorkspaceVariables?: boolean;
  /** Render `jinja` placeholders with `jinjaContext` (else they stay ValidJinja). */
  renderJinja?: boolean;
  jinjaContext?: Record<string, unknown>;
  renderOptions?: RenderOptions;
  /** Throw the first HydrationError met (Prefect's raise_on_error). */
  raiseOnError?: boolean;
}


function hydrateKind(kind: unknown, obj: Record<string, unknown>, ctx: HydrationContext): unknown {
  const result = kindHandler(kind, obj, ctx);
  if (ctx.raiseOnError && result instanceof HydrationError) throw result;
  return result;
}

function kindHandler(kind: unknown, obj: Record<string, unknown>, ctx: HydrationContext): unknown {
  switch (kind) {
    case "none":
      return "value" in obj ? hydrateValue(obj.value, ctx) : missingKey("value");
    case "json": {
      if (!("value" in obj)) return new RemoveValue();
      const value = isDict(obj.value) ? hydrateValue(obj.value, ctx) : obj.value;
      if (value instanceof Placeholder || typeof value !== "string") return value;
      try {
        return parsePythonJson(value);
      } catch (err) {
        return new HydrationError(`Invalid JSON: ${(err as Error).message}`, "InvalidJSON");
      }
    }
    case "jinja": {
      if (!("template" in obj)) return missingKey("template");
      const template = isDict(obj.template) ? hydrateValue(obj.template, ctx) : obj.template;
      if (template instanceof Placeholder) return template;
      if (typeof template !== "string") return new HydrationError("Invalid jinja", "InvalidJinja");
      const error = templateError(template);
      if (error) return new HydrationError(`Invalid jinja: ${error.message}`, "InvalidJinja");
      if (!ctx.renderJinja) return new ValidJinja(template);
      try {
        return renderUserTemplate(template, ctx.jinjaContext ?? {}, ctx.renderOptions);
      } catch (err) {
        if (err instanceof TemplateRenderError) return new HydrationError(`Invalid jinja: ${err.message}`, "InvalidJinja");
        throw err;
      }
    }
    case "workspace_variable": {
      if (!("variable_name" in obj)) return new RemoveValue();
      const name = isDict(obj.variable_name) ? hydrateValue(obj.variable_name, ctx) : obj.variable_name;
      if (name instanceof Placeholder) return name;
      if (!ctx.renderWorkspaceVariables) return new WorkspaceVariable(name);
      const vars = ctx.workspaceVariables ?? {};
      if (typeof name === "string" && Object.hasOwn(vars, name)) return vars[name];
      return new HydrationError(`Variable '${String(name)}' not found in workspace.`, "WorkspaceVariableNotFound");
    }
    default:
      return obj.value ?? null;
  }
}

function hydrateValue(obj: unknown, ctx: HydrationContext): unknown {
  if (isDict(obj) && "__prefect_kind" in obj) return hydrateKind(obj.__prefect_kind, obj, ctx);
  if (isDict(obj)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      const hydrated = hydrateValue(value, ctx);
      if (!(hydrated instanceof RemoveValue)) out[key] = hydrated;
    }
    return out;
  }
  if (Array.isArray(obj)) return obj.map((v) => hydrateValue(v, ctx)).filter((v) => !(v instanceof RemoveValue));
  return obj;
}

/** Prefect's `hydrate`: placeholders resolved, removed or left as Placeholder values. */
export function hydrate(obj: Record<string, unknown>, ctx: HydrationContext = {}): Record<string, unknown> {
  const out = hydrateValue(obj, ctx);
  return out instanceof RemoveValue ? {} : (out as Record<string, unknown>);
}

/** Every HydrationError within hydrated values, keyed by a dotted path (RunDeployment's check). */
export function collectHydrationErrors(hydrated: unknown, prefix = ""): [string, HydrationError][] {
  if (hydrated instanceof HydrationError) return [[prefix, hydrated]];
  if (hydrated instanceof Placeholder || !isDict(hydrated)) return [];
  const out: [string, HydrationError][] = [];
  for (const [key, value] of Object.entries(hydrated)) {
    if (isDict(value)) out.push(...collectHydrationErrors(value, `${prefix}${key}.`));
    else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        if (isDict(item)) out.push(...collectHydrationErrors(item, `${prefix}${key}[${index}].`));
        else if (item instanceof HydrationError) out.push([`${prefix}${key}[${index}]`, item]);
      });
    } else if (value instanceof HydrationError) out.push([`${prefix}${key}`, value]);
  }
  return out;
}

/**
 * RunDeployment's upgrade of v1 parameters: a plain string that looks like a template becomes a
 * `jinja` placeholder; one that is a lone `{{ expr }}` becomes `json` of `{{ expr | tojson }}`,
 * so that it keeps its JSON type (a number stays a number). Changes `parameters` in place.
 */
export function upgradeV1Templates(parameters: Record<string, unknown>): void {
  const wrap = (template: string): Record<string, unknown> => {
    const stripped = template.trim();
    if (stripped.startsWith("{{") && stripped.endsWith("}}") && stripped.split("{{").length === 2) {
      const inner = stripped.slice(2, -2).trim();
      return { __prefect_kind: "json", value: { __prefect_kind: "jinja", template: `{{ ${inner} | tojson }}` } };
    }
    return { __prefect_kind: "jinja", template };
  };
  for (const [key, value] of Object.entries(parameters)) {
    if (isDict(value)) {
      if (!("__prefect_kind" in value)) upgradeV1Templates(value);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (isDict(item)) upgradeV1Templates(item);
        else if (typeof item === "string" && maybeTemplate(item)) value[i] = wrap(item);
      });
    } else if (typeof value === "string" && maybeTemplate(value)) {
      parameters[key] = wrap(value);
    }
  }
}

/** The placeholders left in hydrated values (RunDeployment's _collect_placeholders). */
export function collectPlaceholders(hydrated: unknown): Placeholder[] {
  if (hydrated instanceof Placeholder) return [hydrated];
  if (!isDict(hydrated)) return [];
  const out: Placeholder[] = [];
  for (const value of Object.values(hydrated)) {
    if (isDict(value)) out.push(...collectPlaceholders(value));
    else if (Array.isArray(value)) {
      for (const item of value) {
        if (isDict(item)) out.push(...collectPlaceholders(item));
        else if (item instanceof Placeholder) out.push(item);
      }
    } else if (value instanceof Placeholder) out.push(value);
  }
  return out;
}

export interface RunDeploymentParameterInputs {
  /** The template context (automation, event, labels, firing, ..., flow_run, variables). */
  context: Record<string, unknown>;
  /** The named workspace variables' values (those that exist); called only when some are referenced. */
  variables: (names: string[]) => Promise<Record<string, unknown>> | Record<string, unknown>;
  renderOptions?: RenderOptions;
}

/**
 * RunDeployment.render_parameters: v1 templates upgraded, then every `__prefect_kind` resolved
 * (`jinja` rendered with the context, `json` parsed, `workspace_variable` looked up). Throws the
 * first HydrationError, whose `pyRepr()` is what Prefect's action failure reports
 * (`Unable to create flow run from deployment: InvalidJinja()`).
 */
export async function renderRunDeploymentParameters(
  parameters: Record<string, unknown> | null | undefined,
  inputs: RunDeploymentParameterInputs,
): Promise<Record<string, unknown>> {
  const params = structuredClone(parameters ?? {});
  upgradeV1Templates(params);
  const placeholders = collectPlaceholders(hydrate(params));
  const names = placeholders.filter((p): p is WorkspaceVariable => p instanceof WorkspaceVariable).map((p) => String(p.variableName));
  const workspaceVariables = names.length ? await inputs.variables(names) : {};
  return hydrate(params, {
    raiseOnError: true,
    renderJinja: true,
    jinjaContext: inputs.context,
    renderOptions: inputs.renderOptions,
    renderWorkspaceVariables: true,
    workspaceVariables,
  });
}
