/**
 * The Jinja renderer against Python: test/goldens/jinja_render.json holds what Prefect 3.8.3's
 * render_user_template answers (jinja2 3.1.6's sandbox with Prefect's filters and humanize's),
 * written by scripts/goldens/jinja.py — see that script to refresh it. Each case names a context
 * whose JSON tags the Python objects Prefect's context holds; they are rebuilt here as ours.
 */
import { describe, expect, it } from "vitest";
import golden from "../goldens/jinja_render.json";
import { LabelDiver, PyDateTime, PyModel, PyResource, PyTimedelta, PyTuple, renderUserTemplate, TemplateRenderError } from "../../src/lib/jinja";
import { isDict, parsePythonJson, PyFloat } from "../../src/lib/python";
const num = (v: unknown) => (v instanceof PyFloat ? v.value : Number(v));

interface Case {
  template: string;
  context: string;
  expected: { output: string } | { error: { type: string; message: string } };
}

const MODEL_MODULES: Record<string, string> = {
  Automation: "prefect.server.events.schemas.automations",
  ReceivedEvent: "prefect.server.events.schemas.events",
  WorkQueueWithStatus: "prefect.server.schemas.responses",
};

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (!isDict(value)) return value;
  if ("$datetime" in value) return PyDateTime.parse(value.$datetime as string, false);
  if ("$timedelta" in value) return PyTimedelta.fromSeconds(num(value.$timedelta));
  if ("$tuple" in value) return PyTuple.of2((value.$tuple as unknown[]).map(decode));
  if ("$model" in value) {
    const name = value.$model as string;
    const fields = Object.fromEntries(Object.entries(value.fields as Record<string, unknown>).map(([k, v]) => [k, decode(v)]));
    return new PyModel(name, fields, MODEL_MODULES[name] ?? "prefect.server.schemas.core");
  }
  if ("$resource" in value) return new PyResource(value.$resource as Record<string, string>);
  if ("$labels" in value) return new LabelDiver(value.$labels as Record<string, string>);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
}

const contexts = Object.fromEntries(
  Object.entries(golden.contexts as Record<string, string>).map(([name, json]) => [name, decode(parsePythonJson(json, { keepNumberKinds: true }))]),
) as Record<string, Record<string, unknown>>;
const cases = golden.cases as Case[];
const now = new Date(golden.now);

/** Python prints a bound method with its memory address; we print the rest of it. */
const KNOWN_DIFFERENCES = new Set<string>(["{{ s.encode }}|"]);

const short = (text: string) => JSON.stringify(text.length > 90 ? `${text.slice(0, 90)}…` : text);

function render(c: Case): Case["expected"] {
  try {
    return { output: renderUserTemplate(c.template, contexts[c.context], { uiUrl: golden.ui_url, now: () => now }) };
  } catch (err) {
    if (err instanceof TemplateRenderError) return { error: { type: err.error.pyClass, message: err.message } };
    throw err;
  }
}

describe("Jinja rendering against Python's answers", () => {
  it("has a few hundred cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
  });

  it.each(cases.filter((c) => !KNOWN_DIFFERENCES.has(c.template)).map((c) => [short(c.template), c] as const))("renders %s", (_, c) => {
    expect(render(c)).toEqual(c.expected);
  });
});
