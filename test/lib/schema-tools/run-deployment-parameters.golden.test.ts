/**
 * Run-deployment parameters rendered as Prefect's RunDeployment.render_parameters does (v1
 * strings upgraded, `__prefect_kind` placeholders resolved, Jinja rendered), against the answers
 * scripts/goldens/jinja.py wrote to test/goldens/jinja_parameters.json with Python's jinja2.
 */
import { describe, expect, it } from "vitest";
import golden from "../../goldens/jinja_parameters.json";
import render from "../../goldens/jinja_render.json";
import { PyTuple } from "../../../src/lib/jinja";
import { isDict, parsePythonJson, PyFloat } from "../../../src/lib/python";
import { HydrationError, renderRunDeploymentParameters } from "../../../src/lib/schema-tools";

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (!isDict(value)) return value;
  if ("$tuple" in value) return PyTuple.of2((value.$tuple as unknown[]).map(decode));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
}

const context = { values: decode(parsePythonJson((render.contexts as Record<string, string>)[golden.context], { keepNumberKinds: true })) };
const variables = golden.variables as Record<string, unknown>;
const plain = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (x instanceof PyFloat ? x.value : x)));

describe("run-deployment parameters against Python's answers", () => {
  it.each(golden.cases.map((c) => [JSON.stringify(c.parameters).slice(0, 80), c] as const))("renders %s", async (_, c) => {
    const asked: string[][] = [];
    let result: unknown;
    try {
      const parameters = await renderRunDeploymentParameters(c.parameters as Record<string, unknown>, {
        context,
        variables: (names) => {
          asked.push(names);
          return Object.fromEntries(names.filter((n) => Object.hasOwn(variables, n)).map((n) => [n, variables[n]]));
        },
      });
      result = { parameters: plain(parameters) };
    } catch (err) {
      if (!(err instanceof HydrationError)) throw err;
      result = { error: err.pyRepr() };
    }
    expect(result).toEqual(c.expected);
    // Variables are read only when a parameter names one.
    if (!JSON.stringify(c.parameters).includes("workspace_variable")) expect(asked).toEqual([]);
  });

  it("leaves the caller's parameters as they were", async () => {
    const parameters = { x: "{{ values.n }}" };
    await renderRunDeploymentParameters(parameters, { context, variables: () => ({}) });
    expect(parameters).toEqual({ x: "{{ values.n }}" });
  });
});
