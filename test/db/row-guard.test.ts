import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { boundColumns, checkBound, MAX_STORED_BYTES, storageRefusal } from "../../src/db/row-guard";
import { getDb } from "../../src/db/client";
import { flow } from "../../src/db/schema";
import { api, unique } from "../helpers";

const MB = 1024 * 1024;

describe("the columns a statement binds", () => {
  it("reads an INSERT's tuples (literals between placeholders) and an UPDATE's SET", () => {
    expect(boundColumns(`insert into "t" ("a", "b", "c") values (?, null, json(?)), (?, 'x,(y', ?) on conflict ("a") do update set "b" = ?`)).toEqual([
      { column: "a", row: 0 },
      { column: "c", row: 0 },
      { column: "a", row: 1 },
      { column: "c", row: 1 },
    ]);
    expect(boundColumns(`update "flow_run" set "updated" = ?, "labels" = json_patch(coalesce("flow_run"."labels", '{}'), ?) where "flow_run"."id" = ? returning "id"`)).toEqual([
      { column: "updated", row: 0 },
      { column: "labels", row: 0 },
    ]);
    expect(boundColumns(`select * from "t" where "a" = ?`)).toBeNull();
  });

  it("refuses one row's values above the limit, naming the largest columns; rows of one INSERT are counted apart", () => {
    const sql = `insert into "work_pool" ("id", "description", "type", "base_job_template") values (?, ?, ?, ?), (?, ?, ?, ?)`;
    const mb = "x".repeat(MB);
    expect(() => checkBound(sql, ["1", mb, "t", "{}", "2", "d", mb, "{}"])).not.toThrow();
    expect(() => checkBound(sql, ["1", mb, mb, mb, "2", "d", "t", "{}"])).toThrow(
      `Too large to store: work_pool.description, work_pool.type take ${2 * MB} bytes; a record holds at most ${MAX_STORED_BYTES} bytes (D1's row limit).`,
    );
    expect(() => checkBound(`select ?`, ["é".repeat(MB)])).toThrow(`Too large to store: a value of this request takes ${2 * MB} bytes`);
  });

  it("guards every statement made through getDb (nothing is sent)", async () => {
    const name = unique("f");
    const failed = await getDb(env.DB).insert(flow).values({ id: crypto.randomUUID(), created: "2026-01-01T00:00:00Z", updated: "2026-01-01T00:00:00Z", name, tags: ["t".repeat(2 * MB)] }).then(() => null, (err) => err);
    expect(storageRefusal(failed)?.message).toMatch(/^Too large to store: flow.tags takes/);
    expect((await api("GET", `/flows/name/${name}`)).status).toBe(404);
  });
});

describe("writes larger than a D1 row: 413 naming the field and the limit, nothing stored", () => {
  it("3 MB of flow-run parameters", async () => {
    const flowId = (await api("POST", "/flows/", { name: unique("f") })).body.id;
    const res = await api("POST", "/flow_runs/", { flow_id: flowId, parameters: { p: "x".repeat(3 * MB) } });
    expect(res.status).toBe(413);
    expect(res.body.detail).toBe(`Too large to store: flow_run.parameters takes ${3 * MB + 8} bytes; a record holds at most ${MAX_STORED_BYTES} bytes (D1's row limit).`);
    expect((await api("POST", "/flow_runs/count", { flows: { id: { any_: [flowId] } } })).body).toBe(0);
  });

  it("1 MB strings in three fields of a work pool", async () => {
    const name = unique("pool");
    const template = { job_configuration: { command: "{{ command }}" }, variables: { properties: { command: { type: "string", default: "y".repeat(MB) } } } };
    const res = await api("POST", "/work_pools/", { name, description: "d".repeat(MB), type: "t".repeat(MB), base_job_template: template });
    expect(res.status).toBe(413);
    expect(res.body.detail).toMatch(/^Too large to store: work_pool\.(description|type|base_job_template), work_pool\.(description|type|base_job_template) take \d+ bytes; a record holds at most 1900000 bytes/);
    expect((await api("GET", `/work_pools/${name}`)).status).toBe(404);
  });

  it("5 MB of tags (a body within MAX_REQUEST_BODY_BYTES)", async () => {
    const flowId = (await api("POST", "/flows/", { name: unique("f") })).body.id;
    const tags = Array.from({ length: 100_000 }, (_, i) => `tag-${i}-${"z".repeat(40)}`);
    const res = await api("POST", "/flow_runs/", { flow_id: flowId, tags });
    expect(res.status).toBe(413);
    expect(res.body.detail).toMatch(/^Too large to store: flow_run\.tags takes \d{7} bytes/);
  });

  it("a row that outgrows the limit in SQL (labels merged into stored ones) is a 413 too, and the run stays as it was", async () => {
    // (local workerd lets strings and rows reach 2 200 000 bytes; production D1 2 000 000)
    const half = 1_200_000;
    const flowId = (await api("POST", "/flows/", { name: unique("f") })).body.id;
    const run = (await api("POST", "/flow_runs/", { flow_id: flowId, labels: { a: "x".repeat(half) } })).body;
    const res = await api("PATCH", `/flow_runs/${run.id}/labels`, { b: "y".repeat(half) });
    expect(res.status).toBe(413);
    expect(res.body.detail).toBe("Too large to store: the record would exceed D1's row limit of 2000000 bytes.");
    const read = await api("GET", `/flow_runs/${run.id}`);
    expect(read.body.labels.a).toHaveLength(half);
    expect(read.body.labels.b).toBeUndefined();
    expect((await api("PATCH", `/flow_runs/${run.id}/labels`, { c: "z" })).status).toBe(204);
  });
});
