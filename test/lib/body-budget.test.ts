import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import { BodyBudget, bodyBudgetFor, RETRY_AFTER_S, WAIT_MS } from "../../src/lib/body-budget";
import { API } from "../helpers";

const context = { waitUntil() {}, passThroughOnException() {}, props: {} } as any;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("BodyBudget", () => {
  it("grants while the total fits, then in turn as bytes are given back; a waiter whose time runs out gets null", async () => {
    const budget = new BodyBudget(100);
    const a = await budget.take(60, 1_000);
    const b = await budget.take(40, 1_000);
    expect(budget.inUse).toBe(100);
    const order: string[] = [];
    const c = budget.take(50, 1_000).then((r) => (order.push("c"), r));
    const d = budget.take(10, 1_000).then((r) => (order.push("d"), r)); // behind c, though it would fit sooner
    a!();
    a!(); // given back once only
    expect(await c).toBeTypeOf("function");
    expect(await d).toBeTypeOf("function");
    expect(order).toEqual(["c", "d"]);
    expect(budget.inUse).toBe(100);
    expect(await budget.take(1, 50)).toBeNull();
    b!();
    expect(budget.inUse).toBe(60);
  });

  it("always fits one body of the maximum size", async () => {
    const budget = new BodyBudget(100);
    const release = await budget.take(500, 10);
    expect(release).toBeTypeOf("function");
    expect(budget.inUse).toBe(100);
  });
});

/** A POST of `size` bytes whose body the test sends when it likes (its Content-Length known at once). */
function heldPost(app: ReturnType<typeof createApp>, bindings: any, size: number, path = "/logs/") {
  const { readable, writable } = new FixedLengthStream(size);
  const answer = app.fetch(new Request(`${API}${path}`, { method: "POST", body: readable, headers: { "content-type": "application/json", "content-length": String(size) } }), bindings, context);
  const send = async (text: string) => {
    const writer = writable.getWriter();
    await writer.write(new TextEncoder().encode(text.padEnd(size, " ")));
    await writer.close();
  };
  return { answer, send };
}

describe("large request bodies within the isolate's budget", () => {
  // With MAX_REQUEST_BODY_BYTES 8 000: bodies from 1 000 bytes are large, 16 000 bytes of them at once.
  const bindings = { ...env, MAX_REQUEST_BODY_BYTES: "8000" } as any;

  it("holds a large body while the budget is taken, handles it once there is room, and refuses it with 503 and Retry-After past the wait", async () => {
    const app = createApp();
    const first = heldPost(app, bindings, 8_000);
    const second = heldPost(app, bindings, 8_000);
    await sleep(50);
    expect(bodyBudgetFor(8_000).inUse).toBe(16_000);

    // A small body is not held.
    const small = await app.fetch(new Request(`${API}/logs/`, { method: "POST", body: "[]", headers: { "content-type": "application/json" } }), bindings, context);
    expect(small.status).toBe(201);

    // A third large one waits for room: given when the first is done.
    const third = heldPost(app, bindings, 4_000);
    await sleep(50);
    const thirdSent = third.send("[]"); // read only once it has room
    await sleep(50);
    expect(bodyBudgetFor(8_000).inUse).toBe(16_000);
    await first.send("[]");
    await thirdSent;
    expect((await first.answer).status).toBe(201);
    expect((await third.answer).status).toBe(201);

    // With the second and another one of the maximum size held, a body that cannot fit beside them
    // waits WAIT_MS, then gets 503.
    const another = heldPost(app, bindings, 8_000);
    const fourth = heldPost(app, bindings, 1_000);
    await sleep(WAIT_MS + 200);
    const refused = await fourth.answer;
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe(String(RETRY_AFTER_S));
    expect(await refused.json()).toEqual({ detail: "The server is handling too many large request bodies at once; retry shortly." });

    await Promise.all([second.send("[]"), another.send("[]")]);
    expect((await second.answer).status).toBe(201);
    expect((await another.answer).status).toBe(201);
    expect(bodyBudgetFor(8_000).inUse).toBe(0);
  });
});
