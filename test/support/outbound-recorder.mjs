/**
 * The network boundary of the tests (runs in Node, as miniflare's `outboundService`): every
 * `fetch` the Worker makes to the outside lands here instead of the network. Requests are
 * recorded and answered 200 "ok" unless a rule says otherwise. Tests talk to it over the same
 * boundary, at http://outbound.recorder.test (test/support/outbound.ts):
 *   GET  /requests?contains=<token>  → the recorded requests whose URL, headers or body contain it
 *   POST /rules {contains, status, body, headers}  → answer such requests so
 * Files run concurrently: each test keys its requests by a unique token (in the URL or a secret).
 */
import { Response } from "miniflare";

export const RECORDER_HOST = "outbound.recorder.test";

const recorded = [];
const rules = [];

const haystack = (r) => `${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`;

async function control(request, url) {
  if (request.method === "GET" && url.pathname === "/requests") {
    const token = url.searchParams.get("contains") ?? "";
    return Response.json(recorded.filter((r) => haystack(r).includes(token)));
  }
  if (request.method === "POST" && url.pathname === "/rules") {
    rules.push(await request.json());
    return Response.json({ ok: true });
  }
  return new Response("unknown recorder call", { status: 404 });
}

export async function outboundRecorder(request) {
  const url = new URL(request.url);
  if (url.hostname === RECORDER_HOST) return control(request, url);
  const entry = {
    url: request.url,
    method: request.method,
    headers: Object.fromEntries(request.headers),
    body: await request.text(),
  };
  recorded.push(entry);
  const rule = rules.findLast((r) => haystack(entry).includes(r.contains));
  if (rule) return new Response(rule.body ?? "", { status: rule.status ?? 200, headers: rule.headers ?? {} });
  return new Response("ok", { status: 200, headers: { "content-type": "text/plain" } });
}
