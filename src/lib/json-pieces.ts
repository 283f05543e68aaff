import type { Context } from "hono";
import type { Pieces } from "./pieces";

const encoder = new TextEncoder();
const MARK = "\u0000pieces\u0000";

/** An array's JSON without its brackets: JSON.stringify's text for its items, comma-joined. */
const items = (list: unknown[]) => JSON.stringify(list).slice(1, -1);

/**
 * 200 with a list read in pieces as JSON — the list itself, or `envelope(list)` (an object holding
 * it, e.g. a paginate answer). One piece answers as `c.json` does; more are streamed piece by
 * piece, each read only when the client has taken the previous one (pull-based backpressure), so
 * memory holds about one piece whatever the list's size. The bytes are JSON.stringify's either way.
 */
export function jsonPieces<T>(c: Context, list: Pieces<T>, envelope?: (results: unknown) => object): Response {
  if (!list.rest) return c.json(envelope ? envelope(list.first) : list.first, 200);
  const [before, after] = envelope ? JSON.stringify(envelope(MARK)).split(JSON.stringify(MARK)) : ["", ""];
  const rest = list.rest[Symbol.asyncIterator]();
  let written = list.first.length > 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${before}[${items(list.first)}`));
    },
    // Each pull enqueues one chunk (a stream does not call pull again after one that enqueued nothing).
    async pull(controller) {
      for (;;) {
        const next = await rest.next();
        if (next.done) {
          controller.enqueue(encoder.encode(`]${after}`));
          controller.close();
          return;
        }
        if (next.value.length) {
          controller.enqueue(encoder.encode(`${written ? "," : ""}${items(next.value)}`));
          written = true;
          return;
        }
      }
    },
    async cancel() {
      await rest.return?.();
    },
  });
  return c.body(body, 200, { "content-type": "application/json" });
}

/** 200 with a paginate answer whose `results` are read in pieces (streamed as jsonPieces does). */
export function jsonPage<P extends { results: Pieces<unknown> }>(c: Context, page: P): Response {
  return jsonPieces(c, page.results, (results) => ({ ...page, results }));
}
