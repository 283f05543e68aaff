import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { getDb } from "../../src/db/client";
import { PREPARED_PER_HANDLE, preparedStatement, preparedStatementsHeld } from "../../src/db/prepared";
import { api, unique } from "../helpers";

describe("prepared writes (the set_state hot path)", () => {
  it("store a null as NULL and a value as the column encodes it, like drizzle's builder", async () => {
    const flow = (await api("POST", "/flows/", { name: unique("prepared") })).body;
    const run = (await api("POST", "/flow_runs/", { flow_id: flow.id, state: { type: "PENDING" } })).body;
    const running = await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" } });
    const done = await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "COMPLETED", data: { type: "reference", storage_key: "k" } } });
    expect([running.status, done.status]).toEqual([201, 201]);
    const row = (id: string) => env.DB.prepare("SELECT data, typeof(data) AS t FROM flow_run_state WHERE id = ?").bind(id).first<{ data: string | null; t: string }>();
    expect(await row(running.body.state.id)).toEqual({ data: null, t: "null" });
    expect(JSON.parse((await row(done.body.state.id))!.data!)).toEqual({ type: "reference", storage_key: "k" });
  });

  it("keep at most PREPARED_PER_HANDLE statements per D1 handle, however many keys are used", async () => {
    const db = getDb(env.DB);
    for (let i = 0; i < PREPARED_PER_HANDLE + 100; i++) preparedStatement(db, `test:${i}`, () => sql`SELECT ${sql.placeholder("v")} AS v`, { v: i });
    expect(preparedStatementsHeld(db)).toBe(PREPARED_PER_HANDLE);
    expect(await preparedStatement(db, "test:again", () => sql`SELECT ${sql.placeholder("v")} AS v`, { v: 7 }).first()).toEqual({ v: 7 });
  });
});
