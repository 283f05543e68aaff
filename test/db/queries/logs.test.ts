import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../../src/db/client";
import { createLogs } from "../../../src/db/queries/logs";

const db = getDb(env.DB);

describe("createLogs", () => {
  it("lets the runtime's event loop turn between batches (a large post does not hold every other connection)", async () => {
    // 3 batches' worth (ROWS_PER_BATCH is 2 200 rows).
    const now = new Date().toISOString();
    const logs = Array.from({ length: 6_600 }, (_, i) => ({ name: "big", level: 20, message: `line ${i}`, timestamp: now }));
    let committed = 0;
    let committedWhenTimerRan = -1;
    setTimeout(() => (committedWhenTimerRan = committed), 0);
    await createLogs(db, logs, () => committed++);
    expect(committed).toBe(3);
    expect(committedWhenTimerRan).toBeGreaterThanOrEqual(0);
    expect(committedWhenTimerRan).toBeLessThan(3);
  });
});
