import { expect } from "vitest";
import { api, fetchApi } from "../helpers";
import { bodyKindOf } from "../../src/lib/body-reading";

export const ID = "00000000-0000-4000-8000-000000000000";

/** A request exactly as given: a Uint8Array body gets no Content-Type of its own (a string would get text/plain). */
export async function send(method: string, path: string, body: string | undefined, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { "x-prefect-api-version": "0.8.4", ...headers } };
  if (body !== undefined) init.body = new TextEncoder().encode(body);
  const { status, body: json } = await fetchApi(path, init);
  return { status, body: json };
}

/** The every-operation check runs in SHARDS test files, as the test runner slows down with the requests one file makes. */
export const SHARDS = 2;

/**
 * Every operation of our OpenAPI document that takes a JSON body answers `{}` without Content-Type
 * as `{}` with it, and no 415 for an empty, absent or text/plain body: a body of named fields
 * reads it as `{}`, a string body as the text, a body of one value answers 422 on `body`.
 */
export async function expectEveryOperationReadsBodiesAsPrefect(shard: number) {
  const doc = (await api("GET", "/openapi.json")).body;
  const operations = Object.entries<Record<string, any>>(doc.paths).flatMap(([template, methods]) =>
    Object.entries<any>(methods)
      .filter(([, op]) => op.requestBody?.content?.["application/json"])
      .map(([method, op]) => ({ template, method: method.toUpperCase(), requestBody: op.requestBody })),
  );
  expect(operations.length).toBeGreaterThan(100);
  const failures: string[] = [];
  for (const { template, method, requestBody } of operations.filter((_, i) => i % SHARDS === shard)) {
    const kind = bodyKindOf({ method, path: template, request: { body: requestBody } })!;
    const path = template.replace(/\{[^}]+\}/g, (p) => (/id/.test(p) ? ID : "x"));
    const fail = (what: string, res: { status: number; body: unknown }) =>
      failures.push(`${method} ${template} (${kind}) ${what} → ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
    const detail = (res: { body: any }) => JSON.stringify(res.body?.exception_detail);
    const withJson = await send(method, path, "{}", { "content-type": "application/json" });
    const sameAsJson = (res: { status: number; body: unknown }) => res.status === withJson.status && detail(res) === detail(withJson);

    const noType = await send(method, path, "{}");
    if (!sameAsJson(noType)) fail("{} without Content-Type", noType);
    for (const [what, body, headers] of [
      ["empty body", "", {}],
      ["no body", undefined, {}],
      ["text/plain {}", "{}", { "content-type": "text/plain" }],
    ] as const) {
      const res = await send(method, path, body, headers);
      if (res.status === 415) fail(what, res);
      else if (kind === "fields") {
        if (!sameAsJson(res)) fail(`${what}, not as {}`, res);
      } else if (kind === "string") {
        if (res.status !== 204) fail(what, res);
      } else if (res.status !== 422 || JSON.stringify((res.body as any)?.exception_detail?.[0]?.loc) !== '["body"]') fail(what, res);
    }
  }
  expect(failures).toEqual([]);
}
