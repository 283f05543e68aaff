import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/db/schema";
import type { Db } from "../../src/db/client";
import { PIECE_BYTES } from "../../src/db/page";
import { filterFlowRuns, paginateFlowRuns } from "../../src/db/queries/flow-runs";
import { resultBytes } from "../../src/lib/d1-limits/limits";
import { allOf } from "../../src/lib/pieces";
import { seedFlow, seedFlowRun } from "../fixtures/runs";
import { unique } from "../helpers";

/** A drizzle handle over the test database that records each query's result size (as D1 counts it). */
function measuringDb(): { db: Db; results: number[] } {
  const results: number[] = [];
  const statement = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop === "bind") return (...args: unknown[]) => statement(value.apply(target, args));
        if (prop === "raw") return async () => { const rows = await value.call(target); results.push(resultBytes(rows)); return rows; };
        if (prop === "all") return async () => { const r = await value.call(target); results.push(resultBytes(r.results)); return r; };
        if (prop === "unwrap") return target;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  const d1 = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => statement(target.prepare(sql));
      if (prop === "batch")
        return async (stmts: any[]) => {
          const out = await target.batch(stmts.map((s) => s.unwrap ?? s));
          for (const r of out) results.push(resultBytes(r.results ?? []));
          return out;
        };
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: drizzle(d1, { schema }), results };
}

const ROW = 1_800_000;
const filtersOf = (tag: string) => ({ flow_runs: { tags: { all_: [tag] } } }) as any;

describe("a page read in pieces (page.ts)", () => {
  it("is one query for a page of ordinary rows", async () => {
    const tag = unique("small");
    const flow = await seedFlow();
    for (let i = 0; i < 200; i++) await seedFlowRun({ flow_id: flow.id, tags: [tag], parameters: { i, text: "x".repeat(30_000) } });
    const { db, results } = measuringDb();
    const page = await filterFlowRuns(db, filtersOf(tag), "NAME_ASC", 200, 0);
    expect(page.rest).toBeUndefined();
    expect(page.first).toHaveLength(200);
    expect(results).toHaveLength(1);
    const counted = await paginateFlowRuns(db, filtersOf(tag), "NAME_ASC", 200, 0);
    expect(counted.count).toBe(200);
    expect(counted.results.rest).toBeUndefined();
    expect(results).toHaveLength(3); // one batch: the page and the count
  });

  it("keeps every D1 result under the piece size, and the rows complete and in order, large and small mixed", async () => {
    const tag = unique("mixed");
    const flow = await seedFlow();
    const expected: { id: string; size: number }[] = [];
    for (let i = 0; i < 30; i++) {
      const size = i % 3 === 2 ? 100 : ROW;
      const run = await seedFlowRun({ flow_id: flow.id, name: `m-${String(i).padStart(2, "0")}`, tags: [tag], parameters: { p: "y".repeat(size) } });
      expected.push({ id: run.id, size });
    }
    const { db, results } = measuringDb();
    const rows = await allOf(await filterFlowRuns(db, filtersOf(tag), "NAME_ASC", 28, 1));
    expect(rows.map((r) => r.id)).toEqual(expected.slice(1, 29).map((e) => e.id));
    rows.forEach((r, i) => expect((r.parameters as any).p.length).toBe(expected[i + 1].size));
    expect(Math.max(...results)).toBeLessThanOrEqual(PIECE_BYTES);
    // The first query, then each run of consecutive large rows (two here) read again by id.
    expect(results.length).toBe(11);
  });

  it("reads up to PIECE_BYTES of large rows again in one query", async () => {
    const tag = unique("runs");
    const flow = await seedFlow();
    for (let i = 0; i < 12; i++) await seedFlowRun({ flow_id: flow.id, name: `r-${String(i).padStart(2, "0")}`, tags: [tag], parameters: { p: "z".repeat(ROW) } });
    const { db, results } = measuringDb();
    const rows = await allOf(await filterFlowRuns(db, filtersOf(tag), "NAME_ASC", 12, 0));
    expect(rows.map((r) => r.name)).toEqual(Array.from({ length: 12 }, (_, i) => `r-${String(i).padStart(2, "0")}`));
    // 4 rows of 1.8 MB fit 8 MB: the first query, then three.
    expect(results).toHaveLength(4);
    expect(Math.max(...results)).toBeLessThanOrEqual(PIECE_BYTES);
  });
});
