import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, IdParams, jsonBody, jsonResponse, noContent, sentFields, errorResponses } from "../lib/router";
import { orNotFound } from "../lib/errors";
import * as flows from "../db/queries/flows";
import {
  Body_bulk_delete_flows_flows_bulk_delete_post,
  Body_count_flows_flows_count_post,
  Body_paginate_flows_flows_paginate_post,
  Body_read_flows_flows_filter_post,
  Flow,
  FlowBulkDeleteResponse,
  FlowCreate,
  FlowPaginationResponse,
  FlowUpdate,
} from "../schemas/prefect.gen";
import { noContentOr404, paginate, readPage, withCount } from "./support/handlers";

const tags = ["Flows"];
export const flowsRouter = createRouter();

flowsRouter.openapi(
  createRoute({
    method: "post",
    path: "/flows/",
    tags,
    summary: "Create Flow",
    request: jsonBody(FlowCreate),
    responses: { 200: jsonResponse(Flow), 201: jsonResponse(Flow), ...errorResponses(422) },
  }),
  async (c) => {
    const { flow, created } = await flows.createFlow(c.var.db, c.req.valid("json"));
    return c.json(flow, created ? 201 : 200);
  },
);

flowsRouter.openapi(
  createRoute({
    method: "patch",
    path: "/flows/{id}",
    tags,
    summary: "Update Flow",
    request: { params: IdParams, ...jsonBody(FlowUpdate.partial()) },
    responses: { 204: noContent, ...errorResponses(404, 422) },
  }),
  async (c) => noContentOr404(c, await flows.updateFlow(c.var.db, c.req.valid("param").id, await sentFields(c, c.req.valid("json"))), "Flow not found"),
);

flowsRouter.openapi(
  createRoute({
    method: "post",
    path: "/flows/count",
    tags,
    summary: "Count Flows",
    request: jsonBody(Body_count_flows_flows_count_post),
    responses: { 200: jsonResponse(z.int()), ...errorResponses(422) },
  }),
  async (c) => c.json(await flows.countFlows(c.var.db, c.req.valid("json")), 200),
);

flowsRouter.openapi(
  createRoute({
    method: "get",
    path: "/flows/name/{name}",
    tags,
    summary: "Read Flow By Name",
    request: { params: z.object({ name: z.string() }) },
    responses: { 200: jsonResponse(Flow), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await flows.readFlowByName(c.var.db, c.req.valid("param").name), "Flow not found"), 200),
);

flowsRouter.openapi(
  createRoute({
    method: "get",
    path: "/flows/{id}",
    tags,
    summary: "Read Flow",
    request: { params: IdParams },
    responses: { 200: jsonResponse(Flow), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await flows.readFlow(c.var.db, c.req.valid("param").id), "Flow not found"), 200),
);

flowsRouter.openapi(
  createRoute({
    method: "post",
    path: "/flows/filter",
    tags,
    summary: "Read Flows",
    request: jsonBody(Body_read_flows_flows_filter_post),
    responses: { 200: jsonResponse(z.array(Flow)), ...errorResponses(422) },
  }),
  async (c) => c.json(await readPage(c.req.valid("json"), (body, limit, offset) => flows.filterFlows(c.var.db, body, body.sort, limit, offset)), 200),
);

flowsRouter.openapi(
  createRoute({
    method: "delete",
    path: "/flows/{id}",
    tags,
    summary: "Delete Flow",
    request: { params: IdParams },
    responses: { 204: noContent, ...errorResponses(404) },
  }),
  async (c) => noContentOr404(c, await flows.deleteFlow(c.var.db, c.req.valid("param").id), "Flow not found"),
);

flowsRouter.openapi(
  createRoute({
    method: "post",
    path: "/flows/bulk_delete",
    tags,
    summary: "Bulk Delete Flows",
    request: jsonBody(Body_bulk_delete_flows_flows_bulk_delete_post),
    responses: { 200: jsonResponse(FlowBulkDeleteResponse), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    return c.json({ deleted: await flows.bulkDeleteFlows(c.var.db, { flows: body.flows }, body.limit) }, 200);
  },
);

flowsRouter.openapi(
  createRoute({
    method: "post",
    path: "/flows/paginate",
    tags,
    summary: "Paginate Flows",
    request: jsonBody(Body_paginate_flows_flows_paginate_post),
    responses: { 200: jsonResponse(FlowPaginationResponse), ...errorResponses(422) },
  }),
  async (c) =>
    c.json(
      await paginate(c.req.valid("json"), (body, limit, offset) =>
        withCount(flows.filterFlows(c.var.db, body, body.sort, limit, offset), flows.countFlows(c.var.db, body)),
      ),
      200,
    ),
);
