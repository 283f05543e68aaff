/**
 * Prefect's hydration of `__prefect_kind` values (prefect.utilities.schema_tools.hydration):
 * placeholders resolved, removed, or left as Placeholder values the validator reports on.
 */
import { templateError } from "../jinja";
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
}


function hydrateKind(kind: unknown, obj: Record<string, unknown>, ctx: HydrationContext): unknown {
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
      return error ? new HydrationError(`Invalid jinja: ${error.message}`, "InvalidJinja") : new ValidJinja(template);
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
