import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { REQUEST_BODIES, type RequestBodyKind } from "../schemas/request-bodies.gen";
import { validationErrorResponse, type PydanticError } from "./validation";

/**
 * Reads a route's JSON body as Prefect's server does (its FastAPI, behind its middleware that
 * takes a body without Content-Type as JSON — older clients send some that way):
 *
 * - a body with no Content-Type, or a JSON one (`application/json`, `application/*+json`), is JSON;
 * - an empty body, or one of another Content-Type, is not read: a body of named fields then has
 *   each field's default (a filter answers its first page), while a body that is one value (a
 *   model, list or dict) is missing — 422 — or, sent as non-JSON, of the wrong type — 422.
 *
 * The routes' validators then see a JSON request (never a 415).
 */

/** Operations beyond Prefect 3's document (Prefect 2's notification policies) that take a model. */
const MODEL_BODIES_BEYOND_THE_DOCUMENT = new Set(["POST /flow_run_notification_policies/", "PATCH /flow_run_notification_policies/{id}"]);

/** How a route declared with `createRoute` takes its JSON body, or undefined when it takes none. */
export function bodyKindOf(route: { method: string; path: string; request?: { body?: { content?: Record<string, unknown> } } }): RequestBodyKind | undefined {
  if (!route.request?.body?.content?.["application/json"]) return undefined;
  const key = `${route.method.toUpperCase()} ${route.path}`;
  return REQUEST_BODIES[key]?.kind ?? (MODEL_BODIES_BEYOND_THE_DOCUMENT.has(key) ? "model" : "fields");
}

/** FastAPI's test: `application/json` or `application/<anything>+json`, parameters aside. */
export function isJsonContentType(contentType: string): boolean {
  const essence = contentType.split(";")[0]!.trim().toLowerCase();
  return /^application\/([^/]+\+)?json$/.test(essence);
}

const WRONG_TYPE: Partial<Record<RequestBodyKind, Pick<PydanticError, "type" | "msg">>> = {
  model: { type: "model_attributes_type", msg: "Input should be a valid dictionary or object to extract fields from" },
  list: { type: "list_type", msg: "Input should be a valid list" },
  dict: { type: "dict_type", msg: "Input should be a valid dictionary" },
};

export function readBodyAsPrefect(kind: RequestBodyKind): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const contentType = c.req.header("content-type") ?? "";
    // As bytes: any Content-Type may come (text() warns on a non-text one).
    const text = new TextDecoder().decode(await c.req.arrayBuffer());
    let json: string;
    if (text !== "" && (!contentType || isJsonContentType(contentType))) {
      json = text;
      c.set("bodyReading", { kind });
    } else {
      const sent = text === "" ? null : text;
      if (kind === "fields") json = "{}";
      else if (kind === "string") json = JSON.stringify(sent ?? "");
      else if (sent === null) {
        return validationErrorResponse(c, [{ type: "missing", loc: ["body"], msg: "Field required", input: null }], null);
      } else {
        return validationErrorResponse(c, [{ ...WRONG_TYPE[kind]!, loc: ["body"], input: sent }], sent);
      }
      c.set("bodyReading", { kind, unread: { sent } });
    }
    asJsonRequest(c.req, json, text);
    return next();
  };
}

/** The request as the validators expect it: Content-Type JSON, its text (already read) cached. */
function asJsonRequest(req: { raw: Request; bodyCache: Record<string, unknown> }, json: string, text: string) {
  const raw = req.raw;
  if (!isJsonContentType(raw.headers.get("content-type") ?? "")) {
    const headers = new Headers(raw.headers);
    headers.set("content-type", "application/json");
    headers.delete("content-length");
    req.raw = new Request(raw.url, { method: raw.method, headers, body: json });
  }
  if (json === text) return;
  for (const key of Object.keys(req.bodyCache)) delete req.bodyCache[key];
  req.bodyCache.text = Promise.resolve(json);
}
