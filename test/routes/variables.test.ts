import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { api, settleEvents, unique } from "../helpers";
import { getDb } from "../../src/db/client";
import { event } from "../../src/db/schema";

const db = getDb((env as any).DB);
const name = (prefix = "var") => unique(prefix).toLowerCase().replace(/[^a-z0-9_-]/g, "_");
const MISSING = "00000000-0000-4000-8000-000000000000";

const eventsOf = async (id: string) => {
  await settleEvents();
  return db.select().from(event).where(eq(event.resource_id, `prefect.variable.${id}`));
};

describe("variables", () => {
  it("creates (201), reads by id and by name, with any JSON value", async () => {
    const n = name();
    const res = await api("POST", "/variables/", { name: n, value: { a: [1, 2.5, "x", null, true] }, tags: ["t1"] });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(["id", "created", "updated", "name", "value", "tags"]);
    expect(res.body).toMatchObject({ name: n, value: { a: [1, 2.5, "x", null, true] }, tags: ["t1"] });
    expect((await api("GET", `/variables/${res.body.id}`)).body).toEqual(res.body);
    expect((await api("GET", `/variables/name/${n}`)).body).toEqual(res.body);

    for (const value of ["text", 42, 1.5, false, null, [1, "two"]]) {
      const v = await api("POST", "/variables/", { name: name(), value });
      expect(v.status).toBe(201);
      expect(v.body.value).toEqual(value);
      expect(v.body.tags).toEqual([]);
      expect((await api("GET", `/variables/${v.body.id}`)).body.value).toEqual(value);
    }
  });

  it("answers 404s as Prefect does", async () => {
    expect(await api("GET", `/variables/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Variable not found." } });
    expect(await api("GET", "/variables/name/nope-nope")).toMatchObject({ status: 404, body: { detail: "Variable not found." } });
    expect(await api("PATCH", `/variables/${MISSING}`, { value: 1 })).toMatchObject({ status: 404, body: { detail: "Variable not found." } });
    expect(await api("PATCH", "/variables/name/nope-nope", { value: 1 })).toMatchObject({ status: 404, body: { detail: "Variable not found." } });
    expect(await api("DELETE", `/variables/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Variable not found." } });
    expect(await api("DELETE", "/variables/name/nope-nope")).toMatchObject({ status: 404, body: { detail: "Variable not found." } });
    expect(await api("GET", "/variables/not-a-uuid")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
  });

  it("409 on a duplicate name, with Prefect's message; 409 on renaming onto a taken name", async () => {
    const n = name();
    await api("POST", "/variables/", { name: n, value: 1 });
    const dup = await api("POST", "/variables/", { name: n, value: 2 });
    expect(dup).toMatchObject({ status: 409, body: { detail: `A variable with the name '${n}' already exists.` } });
    const other = await api("POST", "/variables/", { name: name(), value: 3 });
    const rename = await api("PATCH", `/variables/${other.body.id}`, { name: n });
    expect(rename.status).toBe(409);
    expect(rename.body.detail).toMatch(/^Data integrity conflict/);
    // NOT NULL columns set to null: the same integrity error, when there is a row to update.
    expect((await api("PATCH", `/variables/${other.body.id}`, { tags: null })).status).toBe(409);
    expect((await api("PATCH", `/variables/name/${n}`, { name: null })).status).toBe(409);
    expect((await api("PATCH", `/variables/${MISSING}`, { name: null })).status).toBe(404);
  });

  it("422 on bad names, a missing value, extra fields and oversized values", async () => {
    const bad = await api("POST", "/variables/", { name: "Bad Name", value: 1 });
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual({
      exception_message: "Invalid request received.",
      exception_detail: [
        {
          type: "value_error",
          loc: ["body", "name"],
          msg: "Value error, Variable name must only contain lowercase letters, numbers, and dashes or underscores.",
          input: "Bad Name",
          ctx: { error: "Variable name must only contain lowercase letters, numbers, and dashes or underscores." },
        },
      ],
      request_body: { name: "Bad Name", value: 1 },
    });
    const long = await api("POST", "/variables/", { name: "a".repeat(256), value: 1 });
    expect(long.body.exception_detail).toMatchObject([{ type: "string_too_long", loc: ["body", "name"], ctx: { max_length: 255 } }]);
    const missing = await api("POST", "/variables/", { name: name() });
    expect(missing.body.exception_detail).toMatchObject([{ type: "missing", loc: ["body", "value"] }]);
    const extra = await api("POST", "/variables/", { name: name(), value: 1, nope: true });
    expect(extra.body.exception_detail).toMatchObject([{ type: "extra_forbidden", loc: ["body", "nope"] }]);

    // 4998 chars + 2 quotes = 5000 bytes of JSON: allowed; one more is not.
    expect((await api("POST", "/variables/", { name: name(), value: "x".repeat(4998) })).status).toBe(201);
    const big = await api("POST", "/variables/", { name: name(), value: "x".repeat(4999) });
    expect(big.status).toBe(422);
    expect(big.body.exception_detail).toMatchObject([
      { type: "value_error", loc: ["body", "value"], msg: "Value error, Variable value must be less than 5000 characters" },
    ]);
    const v = await api("POST", "/variables/", { name: name(), value: 1 });
    const bigPatch = await api("PATCH", `/variables/${v.body.id}`, { value: { k: "x".repeat(5000) } });
    expect(bigPatch.status).toBe(422);
    const badRename = await api("PATCH", `/variables/name/${v.body.name}`, { name: "UPPER" });
    expect(badRename.status).toBe(422);
  });

  it("updates only the fields sent, by id and by name", async () => {
    const n = name();
    const { body: v } = await api("POST", "/variables/", { name: n, value: "one", tags: ["a"] });
    expect((await api("PATCH", `/variables/${v.id}`, { value: { two: 2 } })).status).toBe(204);
    let read = (await api("GET", `/variables/${v.id}`)).body;
    expect(read).toMatchObject({ name: n, value: { two: 2 }, tags: ["a"] });
    expect(read.updated >= v.updated).toBe(true);
    const renamed = name("renamed");
    expect((await api("PATCH", `/variables/name/${n}`, { name: renamed, tags: ["b", "c"] })).status).toBe(204);
    read = (await api("GET", `/variables/${v.id}`)).body;
    expect(read).toMatchObject({ name: renamed, value: { two: 2 }, tags: ["b", "c"] });
    expect((await api("PATCH", `/variables/${v.id}`, { value: null })).status).toBe(204);
    expect((await api("GET", `/variables/${v.id}`)).body.value).toBeNull();
    expect((await api("GET", `/variables/name/${n}`)).status).toBe(404);
  });

  it("deletes by id and by name", async () => {
    const a = await api("POST", "/variables/", { name: name(), value: 1 });
    const b = await api("POST", "/variables/", { name: name(), value: 2 });
    expect((await api("DELETE", `/variables/${a.body.id}`)).status).toBe(204);
    expect((await api("GET", `/variables/${a.body.id}`)).status).toBe(404);
    expect((await api("DELETE", `/variables/name/${b.body.name}`)).status).toBe(204);
    expect((await api("GET", `/variables/${b.body.id}`)).status).toBe(404);
  });

  it("filters (id, name any_/like_, tags all_/is_null_), sorts and counts", async () => {
    const tag = name("tag");
    const prefix = name("flt");
    const names = [`${prefix}_b`, `${prefix}_a`, `${prefix}_c`];
    const ids: string[] = [];
    for (const [i, n] of names.entries()) {
      const res = await api("POST", "/variables/", { name: n, value: i, tags: i === 2 ? [tag, "other"] : [tag] });
      ids.push(res.body.id);
    }
    const untagged = await api("POST", "/variables/", { name: `${prefix}_d`, value: 3 });

    const byLike = await api("POST", "/variables/filter", { variables: { name: { like_: prefix } } });
    expect(byLike.body.map((v: any) => v.name)).toEqual([...names, `${prefix}_d`].sort());
    const desc = await api("POST", "/variables/filter", { variables: { name: { like_: prefix } }, sort: "NAME_DESC", limit: 2 });
    expect(desc.body.map((v: any) => v.name)).toEqual([`${prefix}_d`, `${prefix}_c`]);
    const created = await api("POST", "/variables/filter", { variables: { name: { like_: prefix } }, sort: "CREATED_DESC", offset: 1 });
    expect(created.body.map((v: any) => v.name)).toEqual([`${prefix}_c`, `${prefix}_a`, `${prefix}_b`]);

    const byTags = await api("POST", "/variables/filter", { variables: { tags: { all_: [tag, "other"] } } });
    expect(byTags.body.map((v: any) => v.name)).toEqual([`${prefix}_c`]);
    const noTags = await api("POST", "/variables/filter", { variables: { name: { like_: prefix }, tags: { is_null_: true } } });
    expect(noTags.body.map((v: any) => v.id)).toEqual([untagged.body.id]);
    const byId = await api("POST", "/variables/filter", { variables: { id: { any_: [ids[0], ids[1]] } } });
    expect(byId.body.map((v: any) => v.name)).toEqual([`${prefix}_a`, `${prefix}_b`]);
    const byName = await api("POST", "/variables/filter", { variables: { name: { any_: [`${prefix}_a`] } } });
    expect(byName.body).toHaveLength(1);
    const orFilter = await api("POST", "/variables/filter", {
      variables: { operator: "or_", name: { any_: [`${prefix}_a`] }, id: { any_: [ids[2]] } },
    });
    expect(orFilter.body.map((v: any) => v.name)).toEqual([`${prefix}_a`, `${prefix}_c`]);

    expect((await api("POST", "/variables/count", { variables: { tags: { all_: [tag] } } })).body).toBe(3);
    expect((await api("POST", "/variables/count", { variables: { name: { like_: prefix } } })).body).toBe(4);
    expect((await api("POST", "/variables/count", {})).body).toBeGreaterThanOrEqual(4);
    expect((await api("POST", "/variables/filter", {})).status).toBe(200);

    const badSort = await api("POST", "/variables/filter", { sort: "NOPE" });
    expect(badSort.status).toBe(422);
    expect(badSort.body.exception_detail[0]).toMatchObject({ type: "enum", loc: ["body", "sort"] });
    const badLimit = await api("POST", "/variables/filter", { limit: 1000 });
    expect(badLimit).toMatchObject({ status: 422, body: { detail: "Invalid limit: must be less than or equal to 200." } });
  });

  it("filters on value as Prefect 2.x did (any_, case-insensitive like_), non-strings by their JSON text", async () => {
    const prefix = name("val");
    const values: [string, unknown][] = [
      [`${prefix}_s`, `${prefix}-Alpha`],
      [`${prefix}_t`, `${prefix}-beta`],
      [`${prefix}_n`, 4.25e-7],
      [`${prefix}_o`, { k: `${prefix}-alpha` }],
    ];
    for (const [n, value] of values) expect((await api("POST", "/variables/", { name: n, value })).status).toBe(201);
    const names = async (value: unknown, extra: Record<string, unknown> = {}) =>
      (await api("POST", "/variables/filter", { variables: { name: { like_: prefix }, value, ...extra }, sort: "NAME_ASC" })).body.map((v: any) => v.name);

    expect(await names({ any_: [`${prefix}-beta`, "4.25e-7"] })).toEqual([`${prefix}_n`, `${prefix}_t`]);
    expect(await names({ any_: [`${prefix}-alpha`] })).toEqual([]);
    expect(await names({ any_: [] })).toEqual([]);
    expect(await names({ like_: `${prefix}-alpha` })).toEqual([`${prefix}_o`, `${prefix}_s`]);
    expect(await names({ like_: `${prefix}-alpha`, any_: [`${prefix}-Alpha`] })).toEqual([`${prefix}_s`]);
    expect(await names({ any_: null, like_: null })).toHaveLength(4);
    const either = { operator: "or_", value: { any_: ["4.25e-7"] }, name: { any_: [`${prefix}_t`] } };
    expect((await api("POST", "/variables/filter", { variables: either, sort: "NAME_ASC" })).body.map((v: any) => v.name)).toEqual([`${prefix}_n`, `${prefix}_t`]);
    expect((await api("POST", "/variables/count", { variables: { name: { like_: prefix }, value: { like_: "BETA" } } })).body).toBe(1);
    const bad = await api("POST", "/variables/filter", { variables: { value: { eq_: 1 } } });
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "extra_forbidden", loc: ["body", "variables", "value", "eq_"] });
  });

  it("emits prefect.variable.created / updated / deleted events", async () => {
    const n = name();
    const { body: v } = await api("POST", "/variables/", { name: n, value: "a", tags: ["t"] });
    await api("PATCH", `/variables/${v.id}`, { value: "b" });
    await api("DELETE", `/variables/${v.id}`);
    const rows = await eventsOf(v.id);
    const byName = Object.fromEntries(rows.map((r) => [r.event, r]));
    expect(Object.keys(byName).sort()).toEqual(["prefect.variable.created", "prefect.variable.deleted", "prefect.variable.updated"]);
    expect(byName["prefect.variable.created"].resource).toEqual({ "prefect.resource.id": `prefect.variable.${v.id}`, "prefect.resource.name": n });
    expect(byName["prefect.variable.created"].payload).toEqual({ name: n, value: "a", tags: ["t"] });
    expect(byName["prefect.variable.updated"].payload).toEqual({ name: n, value: "b", tags: ["t"] });
    expect(byName["prefect.variable.deleted"].payload).toEqual({ name: n, value: "b", tags: ["t"] });
  });
});
