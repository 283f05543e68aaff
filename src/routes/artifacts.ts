import { createRoute, z } from "@hono/zod-openapi";
import { jsonPieces } from "../lib/json-pieces";
import { createRouter, IdParams, jsonBody, jsonResponse, noContent, sentFields, errorResponses } from "../lib/router";
import { orNotFound } from "../lib/errors";
import { normalizeUuid } from "../lib/ids";
import * as artifacts from "../db/queries/artifacts";
import {
  Artifact,
  ArtifactCollection,
  ArtifactCreate,
  ArtifactUpdate,
  Body_count_artifacts_artifacts_count_post,
  Body_count_latest_artifacts_artifacts_latest_count_post,
  Body_read_artifacts_artifacts_filter_post,
  Body_read_latest_artifacts_artifacts_latest_filter_post,
} from "../schemas/prefect.gen";
import { serverEvents } from "../events/outbox";
import { noContentOr404, pathId, readPage } from "./support/handlers";

const tags = ["Artifacts"];
export const artifactsRouter = createRouter();

const NOT_FOUND = "Artifact not found.";

// Python's `re.match(r"^[a-z0-9-]*$")`: `$` also matches before one trailing newline.
const KEY_RE = /^[a-z0-9-]*\n?$/;

/** Prefect's ArtifactKey: lowercase letters, numbers and dashes only. */
const ArtifactKey = z.string().refine((v) => KEY_RE.test(v), {
  message: "Artifact key must only contain lowercase letters, numbers, and dashes.",
});

/** Prefect's validate_max_metadata_length: values beyond 500 characters are cut to 500 + "...". */
const MAX_METADATA_LENGTH = 500;
const Metadata = ArtifactCreate.shape.metadata_.transform((m) => {
  if (!m) return m;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) {
    const chars = Array.from(v);
    out[k] = chars.length > MAX_METADATA_LENGTH ? `${chars.slice(0, MAX_METADATA_LENGTH).join("")}...` : v;
  }
  return out;
});

const ArtifactCreateInput = ArtifactCreate.extend({ key: ArtifactKey.nullable().optional(), metadata_: Metadata });
const ArtifactUpdateInput = ArtifactUpdate.extend({ metadata_: Metadata });

const KeyParams = z.object({ key: z.string() });

const uuidOrNull = (v: string | null | undefined) => (v ? normalizeUuid(v) : null);

artifactsRouter.openapi(
  createRoute({
    method: "post",
    path: "/artifacts/",
    tags,
    summary: "Create Artifact",
    request: jsonBody(ArtifactCreateInput),
    responses: { 201: jsonResponse(Artifact), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const created = await artifacts.createArtifact(c.var.db, {
      key: body.key ?? null,
      type: body.type ?? null,
      description: body.description ?? null,
      data: body.data ?? null,
      metadata_: body.metadata_ ?? null,
      flow_run_id: uuidOrNull(body.flow_run_id),
      task_run_id: uuidOrNull(body.task_run_id),
    }, serverEvents(c.env));
    return c.json(created, 201);
  },
);

artifactsRouter.openapi(
  createRoute({
    method: "post",
    path: "/artifacts/filter",
    tags,
    summary: "Read Artifacts",
    request: jsonBody(Body_read_artifacts_artifacts_filter_post),
    responses: { 200: jsonResponse(z.array(Artifact)), ...errorResponses(422) },
  }),
  async (c) => jsonPieces(c, await readPage(c.req.valid("json"), (body, limit, offset) => artifacts.filterArtifacts(c.var.db, body, body.sort, limit, offset))),
);

artifactsRouter.openapi(
  createRoute({
    method: "post",
    path: "/artifacts/latest/filter",
    tags,
    summary: "Read Latest Artifacts",
    request: jsonBody(Body_read_latest_artifacts_artifacts_latest_filter_post),
    responses: { 200: jsonResponse(z.array(ArtifactCollection)), ...errorResponses(422) },
  }),
  async (c) => jsonPieces(c, await readPage(c.req.valid("json"), (body, limit, offset) => artifacts.filterLatestArtifacts(c.var.db, body, body.sort, limit, offset))),
);

artifactsRouter.openapi(
  createRoute({
    method: "post",
    path: "/artifacts/count",
    tags,
    summary: "Count Artifacts",
    request: jsonBody(Body_count_artifacts_artifacts_count_post),
    responses: { 200: jsonResponse(z.int()), ...errorResponses(422) },
  }),
  async (c) => c.json(await artifacts.countArtifacts(c.var.db, c.req.valid("json")), 200),
);

artifactsRouter.openapi(
  createRoute({
    method: "post",
    path: "/artifacts/latest/count",
    tags,
    summary: "Count Latest Artifacts",
    request: jsonBody(Body_count_latest_artifacts_artifacts_latest_count_post),
    responses: { 200: jsonResponse(z.int()), ...errorResponses(422) },
  }),
  async (c) => c.json(await artifacts.countLatestArtifacts(c.var.db, c.req.valid("json")), 200),
);

artifactsRouter.openapi(
  createRoute({
    method: "get",
    path: "/artifacts/{key}/latest",
    tags,
    summary: "Read Latest Artifact",
    request: { params: KeyParams },
    responses: { 200: jsonResponse(Artifact), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await artifacts.readLatestArtifact(c.var.db, c.req.valid("param").key), NOT_FOUND), 200),
);

artifactsRouter.openapi(
  createRoute({
    method: "get",
    path: "/artifacts/{id}",
    tags,
    summary: "Read Artifact",
    request: { params: IdParams },
    responses: { 200: jsonResponse(Artifact), ...errorResponses(404) },
  }),
  async (c) => c.json(orNotFound(await artifacts.readArtifact(c.var.db, pathId(c)), NOT_FOUND), 200),
);

artifactsRouter.openapi(
  createRoute({
    method: "patch",
    path: "/artifacts/{id}",
    tags,
    summary: "Update Artifact",
    request: { params: IdParams, ...jsonBody(ArtifactUpdateInput) },
    responses: { 204: noContent, ...errorResponses(404, 422) },
  }),
  async (c) => noContentOr404(c, await artifacts.updateArtifact(c.var.db, pathId(c), await sentFields(c, c.req.valid("json"))), NOT_FOUND),
);

artifactsRouter.openapi(
  createRoute({
    method: "delete",
    path: "/artifacts/{id}",
    tags,
    summary: "Delete Artifact",
    request: { params: IdParams },
    responses: { 204: noContent, ...errorResponses(404) },
  }),
  async (c) => noContentOr404(c, await artifacts.deleteArtifact(c.var.db, pathId(c), serverEvents(c.env)), NOT_FOUND),
);
