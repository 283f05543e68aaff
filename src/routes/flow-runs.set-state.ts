import { createRoute } from "@hono/zod-openapi";
import { createRouter, IdParams, jsonBody, jsonResponse, errorResponses } from "../lib/router";
import { ApiError, notFound } from "../lib/errors";
import { matchingFlowRunIds } from "../db/queries/flow-runs";
import { toState } from "../schemas/serialize";
import {
  Body_bulk_set_flow_run_state_flow_runs_bulk_set_state_post,
  Body_resume_flow_run_flow_runs__id__resume_post,
  Body_set_flow_run_state_flow_runs__id__set_state_post,
  FlowRunBulkSetStateResponse,
  OrchestrationResult,
} from "../schemas/prefect.gen";
import { resumeFlowRun } from "../services/flow-run-resume";
import { setFlowRunState } from "../orchestration/flow-run-state";
import { apiVersionOf, orchestrationResponse } from "./support/orchestration-response";
import { clientVersionOf } from "../concurrency/settings";

/** A flow run's state changes through the orchestration rules: set_state, resume, bulk_set_state. */
const tags = ["Flow Runs"];
export const flowRunSetStateRouter = createRouter();

flowRunSetStateRouter.openapi(
  createRoute({
    method: "post",
    path: "/flow_runs/{id}/set_state",
    tags,
    summary: "Set Flow Run State",
    request: { params: IdParams, ...jsonBody(Body_set_flow_run_state_flow_runs__id__set_state_post) },
    responses: { 200: jsonResponse(OrchestrationResult), 201: jsonResponse(OrchestrationResult), ...errorResponses({ 404: "exception_message" }, 422) },
  }),
  async (c) => {
    const { state, force } = c.req.valid("json");
    const id = c.req.valid("param").id;
    const outcome = await setFlowRunState(c.env, c.var.db, id, state, { force, apiVersion: apiVersionOf(c), clientVersion: clientVersionOf(c.req.header("user-agent")) });
    if (!outcome) throw new ApiError(404, `Flow run with id ${id} not found`, "exception_message");
    return orchestrationResponse(c, outcome);
  },
);

flowRunSetStateRouter.openapi(
  createRoute({
    method: "post",
    path: "/flow_runs/{id}/resume",
    tags,
    summary: "Resume Flow Run",
    request: { params: IdParams, ...jsonBody(Body_resume_flow_run_flow_runs__id__resume_post) },
    responses: { 200: jsonResponse(OrchestrationResult), 201: jsonResponse(OrchestrationResult), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const outcome = await resumeFlowRun(c.env, c.var.db, c.req.valid("param").id, c.req.valid("json").run_input ?? null, apiVersionOf(c));
    if (!outcome) throw notFound("Flow run not found");
    return orchestrationResponse(c, outcome);
  },
);

flowRunSetStateRouter.openapi(
  createRoute({
    method: "post",
    path: "/flow_runs/bulk_set_state",
    tags,
    summary: "Bulk Set Flow Run State",
    request: jsonBody(Body_bulk_set_flow_run_state_flow_runs_bulk_set_state_post),
    responses: { 200: jsonResponse(FlowRunBulkSetStateResponse), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const db = c.var.db;
    const ids = await matchingFlowRunIds(db, { flow_runs: body.flow_runs ?? null }, body.limit);
    const results: FlowRunBulkSetStateResponse["results"] = [];
    // One run after another, as Prefect does; a run that fails to orchestrate is reported, not fatal.
    for (const id of ids) {
      try {
        const outcome = await setFlowRunState(c.env, db, id, body.state, { force: body.force, apiVersion: apiVersionOf(c) });
        if (!outcome) continue;
        const { state, status, details } = outcome.result;
        results.push({ flow_run_id: id, status, state: state ? toState(state) : null, details });
      } catch (err) {
        results.push({ flow_run_id: id, status: "ABORT" as const, state: null, details: { type: "abort_details" as const, reason: String(err) } });
      }
    }
    return c.json({ results }, 200);
  },
);
