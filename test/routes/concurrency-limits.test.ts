import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";
import { uuid4 } from "../../src/lib/ids";

const createTag = async (tag: string, limit: number) => {
  const res = await api("POST", "/concurrency_limits/", { tag, concurrency_limit: limit });
  expect([200, 201]).toContain(res.status);
  return res.body;
};
const byTag = async (tag: string) => (await api("GET", `/concurrency_limits/tag/${tag}`)).body;

describe("v1 (tag) concurrency limits", () => {
  it("creates a tag limit (201) stored as the v2 limit tag:<tag>; creating again updates it (200)", async () => {
    const tag = unique("tag");
    const res = await api("POST", "/concurrency_limits/", { tag, concurrency_limit: 2 });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(["active_slots", "concurrency_limit", "created", "id", "tag", "updated"]);
    expect(res.body).toMatchObject({ tag, concurrency_limit: 2, active_slots: [] });
    const v2 = await api("GET", `/v2/concurrency_limits/tag:${tag}`);
    expect(v2.body).toMatchObject({ id: res.body.id, name: `tag:${tag}`, limit: 2 });
    const again = await api("POST", "/concurrency_limits/", { tag, concurrency_limit: 4 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: res.body.id, tag, concurrency_limit: 4 });
    expect((await byTag(tag)).concurrency_limit).toBe(4);
  });

  it("422 on bad bodies", async () => {
    expect((await api("POST", "/concurrency_limits/", { tag: "x" })).status).toBe(422);
    expect((await api("POST", "/concurrency_limits/", { tag: "x", concurrency_limit: "many" })).status).toBe(422);
    expect((await api("POST", "/concurrency_limits/", { tag: "a/b", concurrency_limit: 1 })).status).toBe(422);
    expect((await api("POST", "/concurrency_limits/increment", { names: ["x"] })).status).toBe(422);
    expect((await api("POST", "/concurrency_limits/increment", { names: ["x"], task_run_id: "nope" })).status).toBe(422);
  });

  it("reads by id and by tag; 404 as Prefect answers", async () => {
    const tag = unique("tag");
    const made = await createTag(tag, 3);
    expect((await api("GET", `/concurrency_limits/${made.id}`)).body).toEqual(made);
    expect(await byTag(tag)).toEqual(made);
    expect(await api("GET", `/concurrency_limits/tag/nope-${tag}`)).toMatchObject({ status: 404, body: { detail: "Concurrency limit not found" } });
    expect(await api("GET", `/concurrency_limits/${uuid4()}`)).toMatchObject({ status: 404, body: { detail: "Concurrency limit not found" } });
    expect(await api("GET", `/concurrency_limits/not-a-uuid`)).toMatchObject({ status: 404, body: { detail: "Not Found" } });
    // A v2 limit that is not a tag limit is not a v1 limit.
    const gcl = (await api("POST", "/v2/concurrency_limits/", { name: unique("gcl"), limit: 1 })).body;
    expect((await api("GET", `/concurrency_limits/${gcl.id}`)).status).toBe(404);
  });

  it("filters tag limits only, by name, with limit/offset", async () => {
    const tags = [unique("aa-v1"), unique("aa-v1")];
    for (const t of tags) await createTag(t, 1);
    const all = await api("POST", "/concurrency_limits/filter", {});
    expect(all.status).toBe(200);
    const mine = all.body.filter((l: any) => tags.includes(l.tag));
    expect(mine.map((l: any) => l.tag)).toEqual([...tags].sort());
    expect(all.body.every((l: any) => typeof l.tag === "string" && Array.isArray(l.active_slots))).toBe(true);
    const page = await api("POST", "/concurrency_limits/filter", { limit: 1, offset: 0 });
    expect(page.body).toHaveLength(1);
    expect((await api("POST", "/concurrency_limits/filter", { limit: 500 })).status).toBe(422);
  });

  it("increments for a task run (active_slots lists it), refuses when full (423) or zero, decrements", async () => {
    const tag = unique("tag");
    const limit = await createTag(tag, 1);
    const run1 = uuid4();
    const run2 = uuid4();
    const inc = await api("POST", "/concurrency_limits/increment", { names: [tag, unique("no-limit")], task_run_id: run1 });
    expect(inc.status).toBe(200);
    expect(inc.body).toEqual([{ id: limit.id, name: tag, limit: 1 }]);
    expect((await byTag(tag)).active_slots).toEqual([run1]);
    // The same task run asking again keeps its slot.
    expect((await api("POST", "/concurrency_limits/increment", { names: [tag], task_run_id: run1 })).status).toBe(200);
    const full = await api("POST", "/concurrency_limits/increment", { names: [tag], task_run_id: run2 });
    expect(full.status).toBe(423);
    expect(full.body).toEqual({ detail: `Concurrency limit for the ${tag} tag has been reached` });
    expect(full.headers.get("retry-after")).toBe("10.0");
    const dec = await api("POST", "/concurrency_limits/decrement", { names: [tag], task_run_id: run1 });
    expect(dec.status).toBe(200);
    expect(dec.body).toEqual([{ id: limit.id, name: `tag:${tag}`, limit: 1 }]);
    expect((await byTag(tag)).active_slots).toEqual([]);
    expect((await api("POST", "/concurrency_limits/increment", { names: [tag], task_run_id: run2 })).status).toBe(200);
    expect((await api("POST", "/concurrency_limits/decrement", { names: [unique("none")], task_run_id: run2 })).body).toEqual([]);

    const zero = unique("zero");
    await createTag(zero, 0);
    const refused = await api("POST", "/concurrency_limits/increment", { names: [zero], task_run_id: run1 });
    expect(refused).toMatchObject({
      status: 423,
      body: { detail: `The concurrency limit on tag "${zero}" is 0 and will deadlock if the task tries to run again.` },
    });
  });

  it("a v1 increment over several tags is all or nothing", async () => {
    const [a, b] = [unique("tag"), unique("tag")];
    await createTag(a, 2);
    await createTag(b, 1);
    await api("POST", "/concurrency_limits/increment", { names: [b], task_run_id: uuid4() });
    const run = uuid4();
    expect((await api("POST", "/concurrency_limits/increment", { names: [a, b], task_run_id: run })).status).toBe(423);
    expect((await byTag(a)).active_slots).toEqual([]);
  });

  it("reset clears the slots and takes the override (200, null body); 404 for an unknown tag", async () => {
    const tag = unique("tag");
    await createTag(tag, 2);
    for (const run of [uuid4(), uuid4()]) await api("POST", "/concurrency_limits/increment", { names: [tag], task_run_id: run });
    expect((await byTag(tag)).active_slots).toHaveLength(2);
    const reset = await api("POST", `/concurrency_limits/tag/${tag}/reset`, {});
    expect(reset).toMatchObject({ status: 200, text: "null" });
    expect((await byTag(tag)).active_slots).toEqual([]);
    expect((await api("GET", `/v2/concurrency_limits/tag:${tag}`)).body.active_slots).toBe(0);
    const keep = uuid4();
    await api("POST", `/concurrency_limits/tag/${tag}/reset`, { slot_override: [keep] });
    expect((await byTag(tag)).active_slots).toEqual([keep]);
    expect((await api("GET", `/v2/concurrency_limits/tag:${tag}`)).body.active_slots).toBe(1);
    // The override holder gives its slot back by decrementing.
    await api("POST", "/concurrency_limits/decrement", { names: [tag], task_run_id: keep });
    expect((await byTag(tag)).active_slots).toEqual([]);
    expect(await api("POST", `/concurrency_limits/tag/${unique("none")}/reset`, {})).toMatchObject({ status: 404, body: { detail: "Concurrency limit not found" } });
    expect((await api("POST", `/concurrency_limits/tag/${tag}/reset`, { slot_override: ["nope"] })).status).toBe(422);
  });

  it("deletes by id and by tag (200, null body); 404 after", async () => {
    const [a, b] = [unique("tag"), unique("tag")];
    const la = await createTag(a, 1);
    await createTag(b, 1);
    expect(await api("DELETE", `/concurrency_limits/${la.id}`)).toMatchObject({ status: 200, text: "null" });
    expect(await api("DELETE", `/concurrency_limits/tag/${b}`)).toMatchObject({ status: 200, text: "null" });
    expect((await api("GET", `/concurrency_limits/tag/${a}`)).status).toBe(404);
    expect((await api("GET", `/v2/concurrency_limits/tag:${b}`)).status).toBe(404);
    expect(await api("DELETE", `/concurrency_limits/${la.id}`)).toMatchObject({ status: 404, body: { detail: "Concurrency limit not found" } });
    expect(await api("DELETE", `/concurrency_limits/tag/${b}`)).toMatchObject({ status: 404, body: { detail: "Concurrency limit not found" } });
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await api("GET", "/openapi.json")).body;
    for (const p of [
      "/concurrency_limits/",
      "/concurrency_limits/{id}",
      "/concurrency_limits/tag/{tag}",
      "/concurrency_limits/filter",
      "/concurrency_limits/tag/{tag}/reset",
      "/concurrency_limits/increment",
      "/concurrency_limits/decrement",
    ])
      expect(doc.paths[p], p).toBeDefined();
  });
});
