import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env";
import { ingestEvents, IncomingEvent, receive } from "../../src/events/ingest";
import { db } from "./support";

const event = (i: number) =>
  receive(IncomingEvent.parse({ id: crypto.randomUUID(), occurred: new Date().toISOString(), event: "test.bulk", resource: { "prefect.resource.id": `test.bulk.${i % 10}` }, payload: { i } }));

describe("ingestEvents", () => {
  it("lets the runtime's event loop turn between batches (a large post does not hold every other connection)", async () => {
    const events = Array.from({ length: 300 }, (_, i) => event(i)); // 3 batches of 100
    let storedWhenTimerRan = -1;
    const stored = async () => Number((await env.DB.prepare("SELECT count(*) AS n FROM event WHERE id IN (SELECT value FROM json_each(?))").bind(JSON.stringify(events.map((e) => e.id))).first<{ n: number }>())!.n);
    setTimeout(() => void stored().then((n) => (storedWhenTimerRan = n)), 0);
    await ingestEvents(env as unknown as Bindings, db, events);
    expect(await stored()).toBe(300);
    expect(storedWhenTimerRan).toBeGreaterThanOrEqual(0);
    expect(storedWhenTimerRan).toBeLessThan(300);
  });
});
