import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";
import { seedFlowRun, seedLog } from "../fixtures/runs";
import { databaseOf } from "../../src/db/client";
import { readEnabledAutomations } from "../../src/db/queries/automation-snapshot";

/**
 * Listings of rows near D1's row limit (each accepted by the writes, ~1.9 MB): 40 of them are a
 * 72 MB result, which production D1 refuses (50 MB; the suite's checker refuses it too). They are
 * read in pieces and answered complete, in order, equal to what was stored.
 */
const N = 40;
/** ~1.8 MB of values per row, half of them two-byte characters (D1 counts bytes). */
const big = (i: number) => `${String(i).padStart(3, "0")}:${(i % 2 ? "é" : "x").repeat(i % 2 ? 900_000 : 1_800_000)}`;

describe("listing rows near the row limit", { timeout: 120_000 }, () => {

  it("POST /automations/filter and the automations engine's index read every automation", async () => {
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const res = await api("POST", "/automations/", {
        name: `big-${String(i).padStart(3, "0")}`,
        description: big(i),
        enabled: true,
        trigger: { type: "event", expect: ["never.happens"], posture: "Reactive", threshold: 1, within: 0 },
        actions: [{ type: "do-nothing" }],
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const all = await api("POST", "/automations/filter", { sort: "NAME_ASC" });
    expect(all.status).toBe(200);
    expect(all.body.map((a: any) => a.id)).toEqual(ids);
    all.body.forEach((a: any, i: number) => expect(a.description === big(i)).toBe(true));
    const index = await readEnabledAutomations(databaseOf(env));
    expect(index.automations.map((a) => a.id).sort()).toEqual([...ids].sort());
    expect(index.automations.every((a) => a.description === big(Number(a.name.slice(4))))).toBe(true);
  });


  it("POST /events/filter answers a page of large events, complete and in order", async () => {
    const tag = unique("big");
    const start = Date.now() - 60_000;
    const sent = Array.from({ length: 45 }, (_, i) => ({
      id: crypto.randomUUID(),
      occurred: new Date(start + i * 100).toISOString(),
      event: `${tag}.happened`,
      resource: { "prefect.resource.id": `${tag}.r` },
      related: [],
      payload: { i, blob: "z".repeat(1_400_000) },
    }));
    // A few per request (a body holds at most 8 MiB).
    for (let i = 0; i < sent.length; i += 4) expect((await api("POST", "/events", sent.slice(i, i + 4))).status).toBe(204);
    const res = await api("POST", "/events/filter", { filter: { event: { prefix: [tag] }, order: "ASC" }, limit: 50 });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(["events", "total", "next_page"]);
    expect(res.body.total).toBe(45);
    expect(res.body.events.map((e: any) => e.id)).toEqual(sent.map((e) => e.id));
    res.body.events.forEach((e: any, i: number) => expect(e.payload.i === i && e.payload.blob.length === 1_400_000).toBe(true));
  });


  it("POST /logs/filter and a run's logs download answer every log line, complete and in order", async () => {
    const run = await seedFlowRun();
    for (let i = 0; i < 30; i++) await seedLog({ flow_run_id: run.id, timestamp: new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString(), message: big(i) });
    const all = await api("POST", "/logs/filter", { logs: { flow_run_id: { any_: [run.id] } }, sort: "TIMESTAMP_ASC" });
    expect(all.status).toBe(200);
    expect(all.body).toHaveLength(30);
    all.body.forEach((l: any, i: number) => expect(l.message === big(i)).toBe(true));
    const csv = await api("GET", `/flow_runs/${run.id}/logs/download`);
    expect(csv.status).toBe(200);
    const lines: string[] = csv.text.split("\r\n");
    expect(lines).toHaveLength(32); // the header, 30 lines, and the empty string after the last line break
    lines.slice(1, 31).forEach((line, i) => expect(line.endsWith(`,${big(i)}`)).toBe(true));
  });
});
