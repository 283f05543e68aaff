import { checkSchema, SchemaError } from "./metaschema";
import { hydrate } from "./hydration";
import { preprocessSchema } from "./preprocess";
import { CircularSchemaRefError, UnresolvableRefError, validate, type ValueError } from "./validator";

/** Why values could not be validated (Prefect's 422 message), or the errors they have. */
export type ValuesValidation =
  | { kind: "schema_error"; message: string }
  | { kind: "raised"; message: string }
  | { kind: "validated"; errors: ValueError[] };

/**
 * /ui/schemas/validate's procedure, as Prefect's server runs it: preprocess the schema, check it
 * against the metaschema, hydrate the values (workspace variables rendered from `variables`),
 * then validate them.
 */
export function validateValues(jsonSchema: Record<string, unknown>, values: Record<string, unknown>, variables: Record<string, unknown>): ValuesValidation {
  const schema = preprocessSchema(jsonSchema);
  try {
    checkSchema(schema);
    const hydrated = hydrate(values, { renderWorkspaceVariables: true, workspaceVariables: variables });
    return { kind: "validated", errors: validate(hydrated, schema, { preprocess: false }) };
  } catch (err) {
    if (err instanceof SchemaError) return { kind: "schema_error", message: err.message };
    if (err instanceof CircularSchemaRefError) return { kind: "raised", message: err.message };
    if (err instanceof UnresolvableRefError) return { kind: "raised", message: `Invalid schema: Validation failed. Failure reason: ${err.message}` };
    throw err;
  }
}
