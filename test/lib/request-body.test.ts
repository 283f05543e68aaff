import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import { DEFAULT_MAX_REQUEST_BODY_BYTES, depthExceededAt, MAX_JSON_DEPTH } from "../../src/lib/request-body";
import { api, API, unique } from "../helpers";

const context = { waitUntil() {}, passThroughOnException() {}, props: {} } as any;

/** A request through an app whose MAX_REQUEST_BODY_BYTES is `max`. */
async function withMax(max: string, init: RequestInit & { path?: string }) {
  const res = await createApp().fetch(new Request(`${API}${init.path ?? "/flows/"}`, init), { ...env, MAX_REQUEST_BODY_BYTES: max } as any, context);
  return { status: res.status, body: await res.json<any>() };
}

/** A body streamed in chunks, without a Content-Length. */
function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(encoder.encode(next));
    },
  });
}

const nested = (depth: number, leaf: unknown = 1) => "[".repeat(depth) + JSON.stringify(leaf) + "]".repeat(depth);

describe("request body size", () => {
  it("refuses a body above the maximum by its Content-Length, before reading it", async () => {
    const body = JSON.stringify({ name: unique("f"), tags: ["x".repeat(2000)] });
    const res = await withMax("1000", { method: "POST", headers: { "content-type": "application/json", "content-length": String(body.length) }, body });
    expect(res.status).toBe(413);
    expect(res.body.detail).toBe("Request body too large: the limit is 1000 bytes (MAX_REQUEST_BODY_BYTES).");
  });

  it("refuses a streamed body (no Content-Length) once it passes the maximum", async () => {
    const name = unique("f");
    const chunks = [`{"name": "${name}", "tags": [`, ...Array.from({ length: 20 }, () => `"${"y".repeat(100)}",`), `"z"]}`];
    const res = await withMax("1000", { method: "POST", headers: { "content-type": "application/json" }, body: streamOf(chunks), duplex: "half" } as any);
    expect(res.status).toBe(413);
    expect((await api("GET", `/flows/name/${name}`)).status).toBe(404);
  });

  it("accepts a streamed body within the maximum", async () => {
    const name = unique("f");
    const res = await withMax("1000", { method: "POST", headers: { "content-type": "application/json" }, body: streamOf([`{"name": `, `"${name}"}`]), duplex: "half" } as any);
    expect(res.status).toBe(201);
    expect(res.body.name).toBe(name);
  });

  it("defaults to 8 MiB: twice a Prefect client's largest log post, well below an isolate's 128 MB once parsed", async () => {
    expect(DEFAULT_MAX_REQUEST_BODY_BYTES).toBe(8 * 1024 * 1024);
    const res = await api("POST", "/flows/", { name: unique("f"), tags: ["x".repeat(DEFAULT_MAX_REQUEST_BODY_BYTES)] });
    expect(res.status).toBe(413);
  });
});

describe("JSON nesting", () => {
  it("counts brackets outside strings only", () => {
    expect(depthExceededAt(nested(3), 3)).toBe(-1);
    expect(depthExceededAt(nested(4), 3)).toBe(3);
    expect(depthExceededAt(JSON.stringify({ a: "[[[[[\\\"{{{{" }), 1)).toBe(-1);
  });

  it(`refuses a body nested deeper than ${MAX_JSON_DEPTH} levels with Prefect's json_invalid 422`, async () => {
    const flow = await api("POST", "/flows/", { name: unique("f") });
    const text = `{"flow_id": "${flow.body.id}", "parameters": {"p": ${nested(10_000)}}}`;
    const res = await api("POST", "/flow_runs/", text);
    expect(res.status).toBe(422);
    expect(res.body.exception_detail).toEqual([
      { type: "json_invalid", loc: ["body", text.indexOf("[") + MAX_JSON_DEPTH - 2], msg: "JSON decode error", input: {}, ctx: { error: `Nested deeper than ${MAX_JSON_DEPTH} levels` } },
    ]);
  });

  it(`stores JSON nested ${MAX_JSON_DEPTH} levels deep, and reads it back`, async () => {
    const flow = await api("POST", "/flows/", { name: unique("f") });
    const text = `{"flow_id": "${flow.body.id}", "parameters": {"p": ${nested(MAX_JSON_DEPTH - 2)}}}`;
    const res = await api("POST", "/flow_runs/", text);
    expect(res.status).toBe(201);
    const read = await api("GET", `/flow_runs/${res.body.id}`);
    expect(JSON.stringify(read.body.parameters.p)).toBe(nested(MAX_JSON_DEPTH - 2));
  });
});
