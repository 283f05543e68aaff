import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";

describe("/block_capabilities", () => {
  it("lists every capability of the stored schemas, the system blocks' included, once each", async () => {
    const type = (await api("POST", "/block_types/", { name: unique("caps"), slug: unique("caps").toLowerCase() })).body;
    await api("POST", "/block_schemas/", { block_type_id: type.id, fields: { title: "a" }, capabilities: ["my-cap", "x"] });
    await api("POST", "/block_schemas/", { block_type_id: type.id, fields: { title: "b" }, capabilities: ["my-cap"] });
    const caps: string[] = (await api("GET", "/block_capabilities/")).body;
    expect(caps).toEqual(expect.arrayContaining(["my-cap", "x", "notify", "read-path", "write-path"]));
    expect(new Set(caps).size).toBe(caps.length);
  });
});
