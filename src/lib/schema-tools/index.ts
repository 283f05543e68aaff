/**
 * Prefect's JSON-schema tooling (prefect.utilities.schema_tools) as the server uses it for
 * /ui/schemas/validate, job variables and flow-run parameters.
 */
export { buildErrorObj, bestMatch, validationFailure } from "./errors";
export {
  collectHydrationErrors,
  collectPlaceholders,
  hydrate,
  HydrationError,
  Placeholder,
  renderRunDeploymentParameters,
  upgradeV1Templates,
  ValidJinja,
  WorkspaceVariable,
  type HydrationContext,
  type RunDeploymentParameterInputs,
} from "./hydration";
export { checkSchema, SchemaError } from "./metaschema";
export { preprocessSchema, withoutRequired } from "./preprocess";
export { CircularSchemaRefError, UnresolvableRefError, validate, type ValidateOptions, type ValueError } from "./validator";
export { validateValues, type ValuesValidation } from "./validate-values";
