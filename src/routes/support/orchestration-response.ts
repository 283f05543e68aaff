import type { Context } from "hono";
import { toState } from "../../schemas/serialize";
import type { OrchestrationResult } from "../../orchestration/context";

/** The API version the client speaks (Prefect's compatibility rules depend on it). */
export function apiVersionOf(c: Context): string | null {
  return c.req.header("x-prefect-api-version") ?? null;
}

/** An OrchestrationResult as Prefect answers it: 201 when a new state was stored, else 200. */
export function orchestrationResponse(c: Context, outcome: { result: OrchestrationResult; written: boolean }) {
  const { state, status, details } = outcome.result;
  return c.json({ state: state ? toState(state) : null, status, details }, outcome.written ? 201 : 200);
}
