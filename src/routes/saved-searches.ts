import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, IdParams, jsonBody, jsonResponse, noContent, errorResponses } from "../lib/router";
import { orNotFound } from "../lib/errors";
import * as savedSearches from "../db/queries/saved-searches";
import {
  Body_read_saved_searches_saved_searches_filter_post,
  SavedSearch,
  SavedSearchCreate,
  SavedSearchFilter,
} from "../schemas/prefect.gen";
import { noContentOr404, pathId, readPage } from "./support/handlers";

const tags = ["SavedSearches"];
export const savedSearchesRouter = createRouter();

const NOT_FOUND = "Saved search not found";

/** SavedSearchFilter's `value` is required (any JSON, null included), as in Prefect's model. */
const SavedSearchFilterInput = SavedSearchFilter.superRefine((f, ctx) => {
  if (f.value === undefined) ctx.addIssue({ code: "invalid_type", expected: "unknown" as any, path: ["value"], input: undefined });
});
const SavedSearchCreateInput = SavedSearchCreate.extend({ filters: z.array(SavedSearchFilterInput).default([]) });

savedSearchesRouter.openapi(
  createRoute({
    method: "put",
    path: "/saved_searches/",
    tags,
    summary: "Create Saved Search",
    request: jsonBody(SavedSearchCreateInput),
    responses: { 200: jsonResponse(SavedSearch), 201: jsonResponse(SavedSearch), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const filters = body.filters.map((f) => ({ object: f.object, property: f.property, type: f.type, operation: f.operation, value: f.value }));
    const { savedSearch, created } = await savedSearches.upsertSavedSearch(c.var.db, { name: body.name, filters });
    return c.json(savedSearch, created ? 201 : 200);
  },
);

savedSearchesRouter.openapi(
  createRoute({
    method: "post",
    path: "/saved_searches/filter",
    tags,
    summary: "Read Saved Searches",
    request: jsonBody(Body_read_saved_searches_saved_searches_filter_post),
    responses: { 200: jsonResponse(z.array(SavedSearch)), ...errorResponses(422) },
  }),
  async (c) => c.json(await readPage(c.req.valid("json"), (body, limit, offset) => savedSearches.filterSavedSearches(c.var.db, limit, offset)), 200),
);

savedSearchesRouter.openapi(
  createRoute({
    method: "get",
    path: "/saved_searches/{id}",
    tags,
    summary: "Read Saved Search",
    request: { params: IdParams },
    responses: { 200: jsonResponse(SavedSearch), ...errorResponses(404) },
  }),
  async (c) =>
    c.json(orNotFound(await savedSearches.readSavedSearch(c.var.db, pathId(c)), NOT_FOUND), 200),
);

savedSearchesRouter.openapi(
  createRoute({
    method: "delete",
    path: "/saved_searches/{id}",
    tags,
    summary: "Delete Saved Search",
    request: { params: IdParams },
    responses: { 204: noContent, ...errorResponses(404) },
  }),
  async (c) => noContentOr404(c, await savedSearches.deleteSavedSearch(c.var.db, pathId(c)), NOT_FOUND),
);
