/**
 * Our JSON-schema port against Python's jsonschema as Prefect 3.8.3 runs it
 * (test/goldens/json_schema.json, written by scripts/goldens/json_schema.py — see there to refresh).
 * Each case runs the way the server does: /ui/schemas/validate's procedure (preprocess, metaschema
 * check, hydrate, validate, error tree) and `validate(raise_on_error=True)`'s failure text.
 */
import { describe, expect, it } from "vitest";
import golden from "../../goldens/json_schema.json";
import { buildErrorObj, hydrate, validateValues, validationFailure } from "../../../src/lib/schema-tools";

interface Outcome {
  schema_error?: string;
  raised?: string;
  valid?: boolean;
  errors?: { path: (string | number)[]; validator: string | null; message: string }[];
  error_obj?: unknown;
  failure?: string | null;
}

interface Case {
  name: string;
  schema: any;
  values: Record<string, unknown>;
  options?: { ignore_required?: boolean; allow_none_with_default?: boolean };
  variables?: Record<string, unknown>;
  expected: Outcome & { crashes?: string; without_preprocessing?: Outcome };
}

/**
 * Where we answer differently from Prefect, with the reason; each of these cases checks the answer
 * we give instead.
 */
const DOCUMENTED: Record<string, { reason: string; ours: (expected: Case["expected"]) => Outcome }> = {
  "type repr of integral float": {
    reason: "request bodies are parsed by JSON.parse, which keeps 2.0 as the number 2: messages print 2 where Python prints 2.0",
    ours: ({ crashes, without_preprocessing, ...expected }) => JSON.parse(JSON.stringify(expected).replaceAll("2.0 is", "2 is")),
  },
};
// Prefect's preprocessing raises on a property schema that is not a dict (true/false schemas, a
// `properties` list): its server answers 500. We validate the schema as sent, as jsonschema would.
for (const c of golden.cases as unknown as Case[]) {
  if (c.expected.crashes) {
    DOCUMENTED[c.name] = {
      reason: `Prefect's preprocessing raises ${c.expected.crashes.split(":")[0]} (a 500); we answer as jsonschema does for the schema as sent`,
      ours: (expected) => expected.without_preprocessing!,
    };
  }
}

function uiProcedure(c: Case): Outcome {
  const outcome = validateValues(c.schema, c.values, c.variables ?? {});
  if (outcome.kind === "schema_error") return { schema_error: outcome.message };
  if (outcome.kind === "raised") return { raised: outcome.message };
  const { errors } = outcome;
  return {
    valid: errors.length === 0,
    errors: errors.map((e) => ({ path: e.path, validator: e.validator, message: e.message })),
    error_obj: buildErrorObj(errors),
  };
}

const cases = golden.cases as unknown as Case[];

describe("JSON Schema as Prefect validates it (goldens from Python's jsonschema)", () => {
  it("has the cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  for (const c of cases) {
    const documented = DOCUMENTED[c.name];
    it(documented ? `${c.name} (differs: ${documented.reason})` : c.name, () => {
      const { failure, ...ui } = documented ? documented.ours(c.expected) : c.expected;
      expect(uiProcedure(c)).toEqual(ui);
      if (failure !== undefined) {
        const opts = { ignoreRequired: c.options?.ignore_required, allowNoneWithDefault: c.options?.allow_none_with_default };
        const hydrated = hydrate(c.values, { renderWorkspaceVariables: true, workspaceVariables: c.variables ?? {} });
        expect(validationFailure(hydrated, c.schema, opts)).toBe(failure);
      }
    });
  }
});
