import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";

describe("flows", () => {
  it("creates a flow once and returns the same flow on a second create (201 then 200)", async () => {
    const name = unique("flow");
    const first = await api("POST", "/flows/", { name, tags: ["a"], labels: {} });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ name, tags: ["a"], labels: {} });
    const second = await api("POST", "/flows/", { name });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
  });

  it("reads by id and by name, 404 otherwise", async () => {
    const name = unique("flow");
    const { body: flow } = await api("POST", "/flows/", { name });
    expect((await api("GET", `/flows/${flow.id}`)).body).toEqual(flow);
    expect((await api("GET", `/flows/name/${name}`)).body).toEqual(flow);
    const missing = await api("GET", "/flows/00000000-0000-4000-8000-000000000000");
    expect(missing).toMatchObject({ status: 404, body: { detail: "Flow not found" } });
    expect(await api("GET", "/flows/not-a-uuid")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
  });

  it("updates only the fields sent", async () => {
    const { body: flow } = await api("POST", "/flows/", { name: unique("flow"), tags: ["keep"] });
    expect((await api("PATCH", `/flows/${flow.id}`, {})).status).toBe(204);
    expect((await api("GET", `/flows/${flow.id}`)).body.tags).toEqual(["keep"]);
    expect((await api("PATCH", `/flows/${flow.id}`, { tags: ["new"] })).status).toBe(204);
    expect((await api("GET", `/flows/${flow.id}`)).body.tags).toEqual(["new"]);
  });

  it("filters, counts, paginates and deletes", async () => {
    const tag = unique("tag");
    const names = [unique("alpha"), unique("beta"), unique("gamma")];
    for (const name of names) await api("POST", "/flows/", { name, tags: [tag] });
    const filter = { flows: { tags: { all_: [tag] } } };
    const listed = await api("POST", "/flows/filter", { ...filter, sort: "NAME_DESC" });
    expect(listed.body.map((f: any) => f.name)).toEqual([...names].sort().reverse());
    expect((await api("POST", "/flows/count", filter)).body).toBe(3);
    const like = await api("POST", "/flows/filter", { flows: { name: { like_: names[1].slice(0, 10).toUpperCase() }, tags: { all_: [tag] } } });
    expect(like.body.map((f: any) => f.name)).toEqual([names[1]]);
    const page = await api("POST", "/flows/paginate", { ...filter, limit: 2, page: 2 });
    expect(page.body).toMatchObject({ count: 3, limit: 2, pages: 2, page: 2 });
    expect(page.body.results).toHaveLength(1);
    const deleted = await api("POST", "/flows/bulk_delete", { flows: { tags: { all_: [tag] } } });
    expect(deleted.body.deleted).toHaveLength(3);
    expect((await api("POST", "/flows/count", filter)).body).toBe(0);
  });

  it("answers Prefect's error shapes", async () => {
    const missing = await api("POST", "/flows/", {});
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({
      exception_message: "Invalid request received.",
      exception_detail: [{ type: "missing", loc: ["body", "name"], msg: "Field required", input: {} }],
      request_body: {},
    });
    const bad = await api("POST", "/flows/", "not json");
    expect(bad.status).toBe(422);
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "json_invalid", loc: ["body", 0] });
    expect(bad.body.request_body).toBe("not json");
    const limit = await api("POST", "/flows/filter", { limit: 201 });
    expect(limit).toMatchObject({ status: 422, body: { detail: "Invalid limit: must be less than or equal to 200." } });
    const notInt = await api("POST", "/flows/filter", { limit: "many" });
    expect(notInt.body.exception_detail[0]).toMatchObject({ type: "int_parsing", loc: ["body", "limit"] });
  });
});
