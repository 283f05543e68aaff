import { describe, expect, it } from "vitest";
import { Replayer, type Entry } from "../replay/replayer";
import pools from "../fixtures/transcripts/08_work_pools_queues.json";
import errors from "../fixtures/transcripts/15_errors.json";

/**
 * The work-pool parts of the golden transcripts, replayed through HTTP: pool create / duplicate /
 * update / pause, queue create / read / update, worker heartbeat and listing, queue and pool
 * deletes with their 404s. (Deployments, runs and polling come with their own issues.)
 */
describe("golden transcripts: work pools, queues, workers", () => {
  it("08 work pools and queues (pool, queue and worker exchanges)", async () => {
    const mine = (seq: number) => seq <= 25 || [61, 62, 64, 65].includes(seq);
    expect(await new Replayer({ seqs: mine }).run(pools as Entry[])).toEqual([]);
  });

  it("15 errors (work pool exchanges)", async () => {
    const entries = (errors as Entry[]).filter((e) => e.kind === "http" && /work_pools|work_queues/.test(e.path));
    expect(entries.length).toBeGreaterThan(4);
    expect(await new Replayer().run(entries)).toEqual([]);
  });
});
