import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { jsonPieces } from "../../src/lib/json-pieces";
import type { Pieces } from "../../src/lib/pieces";

/** Pieces whose rest is read lazily, counting what was read and whether reading stopped early. */
function counted<T>(first: T[], rest: T[][]) {
  const seen = { pulled: 0, finished: false };
  async function* more() {
    try {
      for (const piece of rest) {
        seen.pulled++;
        yield piece;
      }
    } finally {
      seen.finished = true;
    }
  }
  return { pieces: { first, rest: more() } as Pieces<T>, seen };
}

const answer = (pieces: Pieces<unknown>, envelope?: (results: unknown) => object) =>
  new Hono().get("/", (c) => jsonPieces(c, pieces, envelope)).request("/");

describe("jsonPieces", () => {
  it("answers one piece as c.json does", async () => {
    const res = await answer({ first: [{ a: 1 }, { b: "é" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe(JSON.stringify([{ a: 1 }, { b: "é" }]));
  });

  it("streams many pieces as the same JSON, empty pieces included, alone or in an envelope", async () => {
    const items = [[], [{ a: 1 }], [], [{ b: [1, null] }, { c: "x\u2028" }], []];
    for (const first of [[], [{ z: 0 }]]) {
      const all = [...first, ...items.flat()];
      const bare = await answer(counted<unknown>(first, items).pieces);
      expect(bare.headers.get("content-type")).toBe("application/json");
      expect(await bare.text()).toBe(JSON.stringify(all));
      const envelope = (results: unknown) => ({ results, count: 9, limit: 5, pages: 2, page: 1 });
      const wrapped = await answer(counted<unknown>(first, items).pieces, envelope);
      expect(await wrapped.text()).toBe(JSON.stringify(envelope(all)));
    }
    expect(await (await answer(counted<unknown>([], [[], []]).pieces)).text()).toBe("[]");
  });

  it("reads a piece only when the client has taken the previous one, and stops when it goes away", async () => {
    const { pieces, seen } = counted(
      [{ i: 0 }],
      Array.from({ length: 10 }, (_, i) => [{ i: i + 1 }]),
    );
    const res = await answer(pieces);
    const reader = res.body!.getReader();
    for (let taken = 1; taken <= 4; taken++) {
      await reader.read();
      // Let the stream pull whatever it wants to.
      await new Promise((r) => setTimeout(r, 5));
      expect(seen.pulled).toBeLessThanOrEqual(taken + 1);
    }
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 5));
    expect(seen.finished).toBe(true);
    expect(seen.pulled).toBeLessThan(10);
  });
});
