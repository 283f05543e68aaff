import { validationErrorResponse } from "../lib/validation";
import { deploymentJobTemplate, workPoolJobVariablesFailure } from "../services/job-variables";
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { afterResponse, createRouter, IdParams, jsonBody, jsonResponse, noContent, sentFields, errorResponses } from "../lib/router";
import { ApiError, badRequest, conflict, notFound, unprocessable, orNotFound } from "../lib/errors";
import { toIso } from "../lib/time";
import * as flowRuns from "../db/queries/flow-runs";
import * as inputs from "../db/queries/flow-run-inputs";
import { GraphTooLarge, readFlowRunGraph, readTaskRunDependencies } from "../db/queries/flow-run-graph";
import { runHistory } from "../db/queries/run-history";
import { toFlowRunResponse } from "../db/queries/runs-serialize";
import { OCCUPYING } from "../schemas/states";
import { releaseRunSlot, slotScopeOf } from "../concurrency/work-queue-slots";
import type { AppEnv } from "../env";
import { createFlowRun } from "../services/flow-run-create";
import {
  Body_average_flow_run_lateness_flow_runs_lateness_post,
  Body_bulk_delete_flow_runs_flow_runs_bulk_delete_post,
  Body_count_flow_runs_flow_runs_count_post,
  Body_create_flow_run_input_flow_runs__id__input_post,
  Body_filter_flow_run_input_flow_runs__id__input_filter_post,
  Body_flow_run_history_flow_runs_history_post,
  Body_paginate_flow_runs_flow_runs_paginate_post,
  Body_read_flow_runs_flow_runs_filter_post,
  DependencyResult,
  FlowRunCreate,
  FlowRunBulkDeleteResponse,
  FlowRunInput,
  FlowRunPaginationResponse,
  FlowRunResponse,
  FlowRunUpdate,
  Graph,
  HistoryResponse,
} from "../schemas/prefect.gen";
import { DateTime, KeyValueLabels } from "../schemas/primitives";
import { pathId, paginate, readPage } from "./support/handlers";
import { createdByAutomation } from "../lib/created-by";
import { jsonPage, jsonPieces } from "../lib/json-pieces";
import { eachPiece } from "../lib/pieces";

const tags = ["Flow Runs"];
export const flowRunsRouter = createRouter();

flowRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/flow_runs/",
    tags,
    summary: "Create Flow Run",
    request: jsonBody(FlowRunCreate),
    responses: { 200: jsonResponse(FlowRunResponse), 201: jsonResponse(FlowRunResponse), ...errorResponses(409, 422) },
  }),
  async (c) => {
    const { run, created } = await createFlowRun(c.env, c.var.db, c.req.valid("json"), { created_by: createdByAutomation(c.req.raw.headers) });
    return c.json(toFlowRunResponse(run), created ? 201 : 200);
  },
);

const FilterBody = Body_read_flow_runs_flow_runs_filter_post;
const PaginateBody = Body_paginate_flow_runs_flow_runs_paginate_post;
const CountBody = Body_count_flow_runs_flow_runs_count_post;
const LatenessBody = Body_average_flow_run_lateness_flow_runs_lateness_post;
const HistoryBody = Body_flow_run_history_flow_runs_history_post;
const BulkDeleteBody = Body_bulk_delete_flow_runs_flow_runs_bulk_delete_post;
const InputCreateBody = Body_create_flow_run_input_flow_runs__id__input_post;
const InputFilterBody = Body_filter_flow_run_input_flow_runs__id__input_filter_post;

const FLOW_RUN_NOT_FOUND = "Flow run not found";
/** Prefect's ObjectNotFoundError answer: 404 `{"exception_message": ...}`. */
const objectNotFound = (message: string) => new ApiError(404, message, "exception_message");

/** History intervals are at least a second (Prefect's 422). */
export function checkHistoryInterval(seconds: number) {
  if (!(seconds >= 1)) throw unprocessable("History interval must not be less than 1 second.");
}

/** Deleted runs that held work-queue / work-pool slots give them back now (the ledgers would in time). */
function releaseSlots(c: Context<AppEnv>, runs: flowRuns.DeletedRun[]) {
  const holders = runs.filter((r) => r.work_queue_id && r.state_type && OCCUPYING.queue.includes(r.state_type));
  if (!holders.length) return;
  afterResponse(
    c,
    "releasing slots of deleted flow runs",
    Promise.all(
      holders.map(async (r) => {
        const scope = await slotScopeOf(c.var.db, r.work_queue_id);
        if (scope) await releaseRunSlot(c.env, scope, r.id, null);
      }),
    ),
  );
}

flowRunsRouter.openapi(
  createRoute({
    method: "get",
    path: "/flow_runs/{id}",
    tags,
    summary: "Read Flow Run",
    request: { params: IdParams },
    responses: { 200: jsonResponse(FlowRunResponse), ...errorResponses(404) },
  }),
  async (c) => c.json(toFlowRunResponse(orNotFound(await flowRuns.readFlowRun(c.var.db, pathId(c)), FLOW_RUN_NOT_FOUND)), 200),
);

flowRunsRouter.openapi(
  createRoute({
    method: "patch",
    path: "/flow_runs/{id}",
    tags,
    summary: "Update Flow Run",
    request: { params: IdParams, ...jsonBody(FlowRunUpdate) },
    responses: { 204: noContent, ...errorResponses(400, 404, 409, 422) },
  }),
  async (c) => {
    const id = pathId(c);
    const input = await sentFields(c, c.req.valid("json"));
    if (input.job_variables !== undefined && input.job_variables !== null) {
      const run = await flowRuns.readFlowRun(c.var.db, id);
      if (!run) throw notFound(FLOW_RUN_NOT_FOUND);
      if (!run.state_type) throw badRequest("Flow run state is required to update job variables but none exists");
      if (run.state_type !== "SCHEDULED")
        throw badRequest(`Job variables for a flow run in state ${run.state_type} cannot be updated`);
      const dep = run.deployment_id ? await deploymentJobTemplate(c.var.db, run.deployment_id) : null;
      if (!dep) throw badRequest("A deployment for the flow run could not be found");
      const violation = await workPoolJobVariablesFailure(c.var.db, dep.template, { ...dep.jobVariables, ...input.job_variables }, { ignoreRequired: false });
      if (violation) throw unprocessable(`Error updating flow run: ${violation}`);
    }
    if (!(await flowRuns.updateFlowRun(c.var.db, id, input))) throw notFound(FLOW_RUN_NOT_FOUND);
    return c.body(null, 204);
  },
);

flowRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/flow_runs/count",
    tags,
    summary: "Count Flow Runs",
    request: jsonBody(CountBody),
    responses: { 200: jsonResponse(z.int()), ...errorResponses(422) },
  }),
  async (c) => c.json(await flowRuns.countFlowRuns(c.var.db, c.req.valid("json")), 200),
);

flowRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/flow_runs/lateness",
    tags,
    summary: "Average Flow Run Lateness",
    request: jsonBody(LatenessBody),
    responses: { 200: jsonResponse(z.number().nullable()), ...errorResponses(422) },
  }),
  async (c) => {
    const nowMs = Date.now();
    return c.json(await flowRuns.averageLateness(c.var.db, c.req.valid("json"), toIso(nowMs), nowMs * 1000), 200);
  },
);

flowRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/flow_runs/history",
    tags,
    summary: "Flow Run History",
    request: jsonBody(HistoryBody),
    responses: { 200: jsonResponse(z.array(HistoryResponse)), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    checkHistoryInterval(body.history_interval_seconds);
    return c.json(await runHistory(c.var.db, "flow_run", body, { ...body, work_pool_queues: body.work_queues }), 200);
  },
);

flowRunsRouter.openapi(
  createRoute({
    method: "get",
    path: "/flow_runs/{id}/graph",
    tags: ["Flow Runs", "Flow Run Graph"],
    summary: "Read Flow Run Graph V1",
    request: { params: IdParams },
    responses: { 200: jsonResponse(z.array(DependencyResult)), ...errorResponses({ 404: "exception_message" }) },
  }),
  async (c) => {
    const id = pathId(c);
    const graph = await readTaskRunDependencies(c.var.db, id);
    if (!graph) throw objectNotFound(`Flow run with id ${id} not found`);
    return c.json(graph, 200);
  },
);

/** Python's datetime.min, Prefect's default `since`. */
const EARLIEST = "0001-01-01T00:00:00.000000Z";

flowRunsRouter.openapi(
  createRoute({
    method: "get",
    path: "/flow_runs/{id}/graph-v2",
    tags: ["Flow Runs", "Flow Run Graph"],
    summary: "Read Flow Run Graph V2",
    request: { params: IdParams, query: z.object({ since: DateTime.optional() }) },
    responses: { 200: jsonResponse(Graph), ...errorResponses(400, { 404: "exception_message" }, 422) },
  }),
  async (c) => {
    const id = pathId(c);
    const { since } = c.req.valid("query");
    let graph;
    try {
      graph = await readFlowRunGraph(c.var.db, id, since ? toIso(since) : EARLIEST);
    } catch (err) {
      if (err instanceof GraphTooLarge) throw badRequest(err.message);
      throw err;
    }
    if (!graph) throw objectNotFound(`Flow run ${id} not found`);
    return c.json(graph, 200);
  },
);

flowRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/flow_runs/filter",
    tags,
    summary: "Read Flow Runs",
    request: jsonBody(FilterBody),
    responses: { 200: jsonResponse(z.array(FlowRunResponse)), ...errorResponses(422) },
  }),
  async (c) => jsonPieces(c, await readPage(c.req.valid("json"), (body, limit, offset) => flowRuns.filterFlowRuns(c.var.db, body, body.sort, limit, offset))),
);

flowRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/flow_runs/paginate",
    tags,
    summary: "Paginate Flow Runs",
    request: jsonBody(PaginateBody),
    responses: { 200: jsonResponse(FlowRunPaginationResponse), ...errorResponses(422) },
  }),
  async (c) => {
    const page = await paginate(c.req.valid("json"), (body, limit, offset) => flowRuns.paginateFlowRuns(c.var.db, body, body.sort, limit, offset));
    return jsonPage(c, page);
  },
);

flowRunsRouter.openapi(
  createRoute({
    method: "delete",
    path: "/flow_runs/{id}",
    tags,
    summary: "Delete Flow Run",
    request: { params: IdParams },
    responses: { 204: noContent, ...errorResponses(404) },
  }),
  async (c) => {
    const deleted = await flowRuns.deleteFlowRuns(c.var.db, [pathId(c)]);
    if (!deleted.length) throw notFound(FLOW_RUN_NOT_FOUND);
    releaseSlots(c as unknown as Context<AppEnv>, deleted);
    return c.body(null, 204);
  },
);

flowRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/flow_runs/bulk_delete",
    tags,
    summary: "Bulk Delete Flow Runs",
    request: jsonBody(BulkDeleteBody),
    responses: { 200: jsonResponse(FlowRunBulkDeleteResponse), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const deleted = await flowRuns.bulkDeleteFlowRuns(c.var.db, { flow_runs: body.flow_runs }, body.limit);
    releaseSlots(c as unknown as Context<AppEnv>, deleted);
    return c.json({ deleted: deleted.map((r) => r.id) }, 200);
  },
);

/** Python's str() of a UTC datetime, as Prefect's CSV writes timestamps. */
function pythonTimestamp(iso: string): string {
  const t = toIso(iso);
  const micro = t.slice(20, 26);
  return `${t.slice(0, 10)} ${t.slice(11, 19)}${micro === "000000" ? "" : `.${micro}`}+00:00`;
}

/** One CSV field as Python's csv module (QUOTE_MINIMAL) writes it. */
function csvField(v: string | number | null): string {
  if (v === null) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const csvRow = (fields: (string | number | null)[]) => `${fields.map(csvField).join(",")}\r\n`;

/** RFC 5987 encoding as Python's quote(safe=""). */
const quoteAll = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);

const LOG_PAGE = 1000;

flowRunsRouter.openapi(
  createRoute({
    method: "get",
    path: "/flow_runs/{id}/logs/download",
    tags,
    summary: "Download Logs",
    request: { params: IdParams },
    responses: { 200: { content: { "text/csv": { schema: z.string() } }, description: "Successful Response" }, ...errorResponses(404) },
  }),
  async (c) => {
    const id = pathId(c);
    const db = c.var.db;
    const run = await flowRuns.runWithFirstLogs(db, id, LOG_PAGE);
    if (!run) throw notFound(FLOW_RUN_NOT_FOUND);
    const encoder = new TextEncoder();
    const rows = (page: flowRuns.RunLog[]) =>
      encoder.encode(page.map((l) => csvRow([pythonTimestamp(l.timestamp), l.level, l.flow_run_id, l.task_run_id, l.message])).join(""));
    // Pages of LOG_PAGE logs, each read in pieces (page.ts): one piece is enqueued per pull.
    let pieces = eachPiece(run.logs);
    let inPage = 0;
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(csvRow(["timestamp", "level", "flow_run_id", "task_run_id", "message"])));
      },
      async pull(controller) {
        for (;;) {
          const next = await pieces.next();
          if (!next.done) {
            inPage += next.value.length;
            offset += next.value.length;
            if (!next.value.length) continue;
            controller.enqueue(rows(next.value));
            return;
          }
          if (inPage < LOG_PAGE) {
            controller.close();
            return;
          }
          pieces = eachPiece(await flowRuns.runLogs(db, id, LOG_PAGE, offset));
          inPage = 0;
        }
      },
      async cancel() {
        await pieces.return(undefined);
      },
    });
    return new Response(stream, {
      status: 200,
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="flow-run-logs.csv"; filename*=UTF-8''${quoteAll(`${run.name}-logs.csv`)}`,
      },
    });
  },
);

flowRunsRouter.openapi(
  createRoute({
    method: "patch",
    path: "/flow_runs/{id}/labels",
    tags,
    summary: "Update Flow Run Labels",
    request: { params: IdParams, ...jsonBody(KeyValueLabels) },
    responses: { 204: noContent, ...errorResponses({ 404: "exception_message" }, 422) },
  }),
  async (c) => {
    const id = pathId(c);
    if (!(await flowRuns.mergeFlowRunLabels(c.var.db, id, c.req.valid("json"))))
      throw objectNotFound(`Flow run with id ${id} not found`);
    return c.body(null, 204);
  },
);

/** Prefect's FlowRunInput key rule: lowercase letters, numbers and dashes. */
const INPUT_KEY = /^[a-z0-9-]*$/;

flowRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/flow_runs/{id}/input",
    tags,
    summary: "Create Flow Run Input",
    request: { params: IdParams, ...jsonBody(InputCreateBody) },
    responses: { 201: jsonResponse(z.null()), ...errorResponses(404, 409, 422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    // Prefect checks the key only inside its handler and answers an unhandled 500; a client's
    // mistake is a 422 here, shaped as a pydantic value error on the key.
    if (!INPUT_KEY.test(body.key))
      return validationErrorResponse(
        c,
        [{ type: "value_error", loc: ["body", "key"], msg: "Value error, key must only contain lowercase letters, numbers, and dashes.", input: body.key, ctx: { error: "key must only contain lowercase letters, numbers, and dashes." } }],
        await c.req.json(),
      ) as any;
    const outcome = await inputs.createFlowRunInput(c.var.db, pathId(c), body);
    if (outcome === "no_run") throw notFound(FLOW_RUN_NOT_FOUND);
    if (outcome === "duplicate") throw conflict("A flow run input with this key already exists.");
    return c.json(null, 201);
  },
);

flowRunsRouter.openapi(
  createRoute({
    method: "post",
    path: "/flow_runs/{id}/input/filter",
    tags,
    summary: "Filter Flow Run Input",
    request: { params: IdParams, ...jsonBody(InputFilterBody) },
    responses: { 200: jsonResponse(z.array(FlowRunInput)), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    return c.json(await inputs.filterFlowRunInputs(c.var.db, pathId(c), body.prefix, body.limit, body.exclude_keys), 200);
  },
);

const InputKeyParams = IdParams.extend({ key: z.string() });
const INPUT_NOT_FOUND = "Flow run input not found";

flowRunsRouter.openapi(
  createRoute({
    method: "get",
    path: "/flow_runs/{id}/input/{key}",
    tags,
    summary: "Read Flow Run Input",
    request: { params: InputKeyParams },
    responses: { 200: { content: { "text/plain": { schema: z.string() } }, description: "Successful Response" }, ...errorResponses(404) },
  }),
  async (c) => {
    const { key } = c.req.valid("param");
    const input = await inputs.readFlowRunInput(c.var.db, pathId(c), key);
    if (!input) throw notFound(INPUT_NOT_FOUND);
    return c.text(input.value, 200, { "content-type": "text/plain; charset=utf-8" });
  },
);

flowRunsRouter.openapi(
  createRoute({
    method: "delete",
    path: "/flow_runs/{id}/input/{key}",
    tags,
    summary: "Delete Flow Run Input",
    request: { params: InputKeyParams },
    responses: { 204: noContent, ...errorResponses(404) },
  }),
  async (c) => {
    const { key } = c.req.valid("param");
    if (!(await inputs.deleteFlowRunInput(c.var.db, pathId(c), key))) throw notFound(INPUT_NOT_FOUND);
    return c.body(null, 204);
  },
);
