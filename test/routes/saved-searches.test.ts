import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";

const MISSING = "00000000-0000-4000-8000-000000000000";
const filter = (value: unknown) => ({ object: "flow_run", property: "state", type: "state", operation: "or", value });

describe("saved searches", () => {
  it("creates (201) and upserts by name (200, filters replaced, same id)", async () => {
    const name = unique("search");
    const first = await api("PUT", "/saved_searches/", { name, filters: [filter(["COMPLETED"])] });
    expect(first.status).toBe(201);
    expect(Object.keys(first.body)).toEqual(["id", "created", "updated", "name", "filters"]);
    expect(first.body).toMatchObject({ name, filters: [filter(["COMPLETED"])] });
    const second = await api("PUT", "/saved_searches", { name, filters: [filter(["FAILED"]), filter(null)] });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ id: first.body.id, created: first.body.created, filters: [filter(["FAILED"]), filter(null)] });
    expect((await api("GET", `/saved_searches/${first.body.id}`)).body).toEqual(second.body);
    const empty = await api("PUT", "/saved_searches/", { name: unique("search") });
    expect(empty).toMatchObject({ status: 201, body: { filters: [] } });
  });

  it("lists by name with limit/offset and deletes", async () => {
    const prefix = unique("list");
    const ids: string[] = [];
    for (const suffix of ["c", "a", "b"]) ids.push((await api("PUT", "/saved_searches/", { name: `${prefix}-${suffix}` })).body.id);
    const all = await api("POST", "/saved_searches/filter", {});
    const mine = all.body.filter((s: any) => s.name.startsWith(prefix)).map((s: any) => s.name);
    expect(mine).toEqual([`${prefix}-a`, `${prefix}-b`, `${prefix}-c`]);
    const names = all.body.map((s: any) => s.name);
    expect(names).toEqual([...names].sort());
    const page = await api("POST", "/saved_searches/filter", { limit: 1, offset: 1 });
    expect(page.body).toEqual([all.body[1]]);
    expect((await api("DELETE", `/saved_searches/${ids[0]}`)).status).toBe(204);
    expect((await api("GET", `/saved_searches/${ids[0]}`)).status).toBe(404);
  });

  it("answers 404 and 422 shapes", async () => {
    expect(await api("GET", `/saved_searches/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Saved search not found" } });
    expect(await api("DELETE", `/saved_searches/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Saved search not found" } });
    expect(await api("GET", "/saved_searches/nope")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
    const missing = await api("PUT", "/saved_searches/", { filters: [] });
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({
      exception_message: "Invalid request received.",
      exception_detail: [{ type: "missing", loc: ["body", "name"], msg: "Field required", input: { filters: [] } }],
      request_body: { filters: [] },
    });
    const badFilter = await api("PUT", "/saved_searches/", { name: unique("s"), filters: [{ object: "flow_run" }] });
    expect(badFilter.status).toBe(422);
    expect(badFilter.body.exception_detail[0]).toMatchObject({ type: "missing", loc: ["body", "filters", 0, "property"] });
    const noValue = await api("PUT", "/saved_searches/", { name: unique("s"), filters: [{ object: "a", property: "b", type: "c", operation: "d" }] });
    expect(noValue.status).toBe(422);
    expect(noValue.body.exception_detail[0]).toMatchObject({ type: "missing", loc: ["body", "filters", 0, "value"] });
    const extra = await api("PUT", "/saved_searches/", { name: unique("s"), nope: 1 });
    expect(extra.body.exception_detail[0]).toMatchObject({ type: "extra_forbidden", loc: ["body", "nope"] });
    expect((await api("POST", "/saved_searches/filter", { offset: -1 })).status).toBe(422);
  });
});
