import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";

const MISSING = "00000000-0000-4000-8000-000000000000";

const slugOf = (prefix: string) => unique(prefix).toLowerCase().replace(/[^a-z0-9-]/g, "-");

async function newType(extra: Record<string, unknown> = {}) {
  const slug = slugOf("bt");
  const res = await api("POST", "/block_types/", { name: `Type ${slug}`, slug, ...extra });
  expect(res.status).toBe(201);
  return res.body;
}

describe("block types", () => {
  it("creates, reads by id and slug; a taken slug is a 409", async () => {
    const slug = slugOf("bt");
    const created = await api("POST", "/block_types/", {
      name: `My ${slug}`,
      slug,
      logo_url: "http://example.com/logo.png",
      documentation_url: "http://example.com/docs.html",
      description: "A block, <verily> & truly",
      code_example: "x = 1",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: `My ${slug}`,
      slug,
      logo_url: "http://example.com/logo.png",
      description: "A block, &lt;verily&gt; &amp; truly",
      code_example: "x = 1",
      is_protected: false,
    });
    expect(Object.keys(created.body).sort()).toEqual(
      ["code_example", "created", "description", "documentation_url", "id", "is_protected", "logo_url", "name", "slug", "updated"].sort(),
    );
    expect((await api("GET", `/block_types/${created.body.id}`)).body).toEqual(created.body);
    expect((await api("GET", `/block_types/${created.body.id.toUpperCase()}`)).body).toEqual(created.body);
    expect((await api("GET", `/block_types/slug/${slug}`)).body).toEqual(created.body);
    const again = await api("POST", "/block_types/", { name: `My ${slug}`, slug });
    expect(again).toMatchObject({ status: 409, body: { detail: `Block type with name "My ${slug}" already exists` } });
  });

  it("answers Prefect's 404s, 403s and 422s", async () => {
    expect(await api("GET", `/block_types/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Block type not found" } });
    expect(await api("GET", "/block_types/slug/nope-nope")).toMatchObject({ status: 404, body: { detail: "Block type not found" } });
    expect(await api("PATCH", `/block_types/${MISSING}`, {})).toMatchObject({ status: 404, body: { detail: "Block type not found" } });
    expect(await api("DELETE", `/block_types/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Block type not found" } });
    for (const name of ["PrefectBlockType", "Prefect", "prefect_block_type", "pReFeCt!"]) {
      expect(await api("POST", "/block_types/", { name, slug: "prefect-x" })).toMatchObject({
        status: 403,
        body: { detail: "Block type names beginning with 'Prefect' are reserved." },
      });
    }
    const badSlug = await api("POST", "/block_types/", { name: "bad slug", slug: "bad slug" });
    expect(badSlug.status).toBe(422);
    expect(badSlug.body.exception_detail[0]).toMatchObject({
      loc: ["body", "slug"],
      msg: "Value error, Block type slug must only contain lowercase letters, numbers, and dashes.",
      type: "value_error",
    });
    for (const name of ["my%block_type", "my/block type"]) {
      expect((await api("POST", "/block_types/", { name, slug: slugOf("x") })).status).toBe(422);
    }
    expect((await api("POST", "/block_types/", { name: "my👍block type", slug: slugOf("x") })).status).toBe(201);
    const missing = await api("POST", "/block_types/", {});
    expect(missing.status).toBe(422);
    expect(missing.body.exception_detail.map((d: any) => d.loc)).toEqual([["body", "name"], ["body", "slug"]]);
  });

  it("updates only what was sent; skips identical updates", async () => {
    const t = await newType({ description: "one", logo_url: "http://a" });
    expect((await api("PATCH", `/block_types/${t.id}`, { description: "two" })).status).toBe(204);
    const after = (await api("GET", `/block_types/${t.id}`)).body;
    expect(after).toMatchObject({ description: "two", logo_url: "http://a" });
    const full = { description: "two", logo_url: "http://a", documentation_url: null, code_example: null };
    expect((await api("PATCH", `/block_types/${t.id}`, full)).status).toBe(204);
    expect((await api("GET", `/block_types/${t.id}`)).body.updated).toBe(after.updated);
    const bad = await api("PATCH", `/block_types/${t.id}`, { name: "x" });
    expect(bad.status).toBe(422);
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "extra_forbidden", loc: ["body", "name"] });
  });

  it("filters by name and slug, ordered by name, and by block schema capabilities", async () => {
    const tag = slugOf("flt");
    const a = await api("POST", "/block_types/", { name: `b ${tag}`, slug: `${tag}-b` });
    const b = await api("POST", "/block_types/", { name: `a ${tag}`, slug: `${tag}-a` });
    const byName = await api("POST", "/block_types/filter", { block_types: { name: { like_: tag.toUpperCase() } } });
    expect(byName.body.map((t: any) => t.id)).toEqual([b.body.id, a.body.id]);
    const bySlug = await api("POST", "/block_types/filter", { block_types: { slug: { any_: [`${tag}-b`] } } });
    expect(bySlug.body.map((t: any) => t.id)).toEqual([a.body.id]);
    const cap = `cap-${tag}`;
    await api("POST", "/block_schemas/", { block_type_id: a.body.id, fields: { title: tag }, capabilities: [cap] });
    const byCap = await api("POST", "/block_types/filter", { block_schemas: { block_capabilities: { all_: [cap] } } });
    expect(byCap.body.map((t: any) => t.id)).toEqual([a.body.id]);
    const paged = await api("POST", "/block_types/filter", { block_types: { name: { like_: tag } }, limit: 1, offset: 1 });
    expect(paged.body.map((t: any) => t.id)).toEqual([a.body.id]);
    expect((await api("POST", "/block_types/filter", { limit: 201 })).status).toBe(422);
  });

  it("deletes a block type with its schemas and documents", async () => {
    const t = await newType();
    const s = await api("POST", "/block_schemas/", { block_type_id: t.id, fields: { title: t.slug, properties: {} } });
    const d = await api("POST", "/block_documents/", { name: "doc", block_type_id: t.id, block_schema_id: s.body.id, data: {} });
    expect(d.status).toBe(201);
    expect((await api("DELETE", `/block_types/${t.id}`)).status).toBe(204);
    expect((await api("GET", `/block_types/${t.id}`)).status).toBe(404);
    expect((await api("GET", `/block_schemas/${s.body.id}`)).status).toBe(404);
    expect((await api("GET", `/block_documents/${d.body.id}`)).status).toBe(404);
  });

  it("installs the system block types, protected, and idempotently", async () => {
    expect(await api("POST", "/block_types/install_system_block_types")).toMatchObject({ status: 200, body: null });
    expect((await api("POST", "/block_types/install_system_block_types")).status).toBe(200);
    for (const slug of ["secret", "webhook", "local-file-system", "json", "string", "date-time"]) {
      const t = await api("GET", `/block_types/slug/${slug}`);
      expect(t.status).toBe(200);
      expect(t.body.is_protected).toBe(true);
    }
    expect((await api("GET", "/block_types/slug/slack-webhook")).body.is_protected).toBe(false);
    const secret = (await api("GET", "/block_types/slug/secret")).body;
    expect(await api("DELETE", `/block_types/${secret.id}`)).toMatchObject({ status: 403, body: { detail: "protected block types cannot be deleted." } });
    // Protected types can still be updated.
    expect((await api("PATCH", `/block_types/${secret.id}`, { description: secret.description })).status).toBe(204);
    const all = await api("POST", "/block_types/filter", { block_types: { slug: { any_: ["secret", "webhook"] } } });
    expect(all.body.map((t: any) => t.slug)).toEqual(["secret", "webhook"]);
  });

  it("reads a type's documents, and one by name (secrets obfuscated unless asked for)", async () => {
    const secret = (await api("GET", "/block_types/slug/secret")).body;
    const [schema] = (await api("POST", "/block_schemas/filter", { block_schemas: { block_type_id: { any_: [secret.id] } }, limit: 1 })).body;
    const name = slugOf("sec");
    const created = await api("POST", "/block_documents/", { name, block_type_id: secret.id, block_schema_id: schema.id, data: { value: "sk-1234567890" } });
    expect(created.status).toBe(201);
    const list = await api("GET", "/block_types/slug/secret/block_documents");
    const mine = list.body.find((d: any) => d.name === name);
    expect(mine.data).toEqual({ value: "********" });
    const withSecrets = await api("GET", "/block_types/slug/secret/block_documents?include_secrets=true");
    expect(withSecrets.body.find((d: any) => d.name === name).data).toEqual({ value: "sk-1234567890" });
    const one = await api("GET", `/block_types/slug/secret/block_documents/name/${name}`);
    expect(one.body).toMatchObject({ name, data: { value: "********" }, block_type: { slug: "secret" }, block_schema: { id: schema.id } });
    expect((await api("GET", `/block_types/slug/secret/block_documents/name/${name}?include_secrets=1`)).body.data).toEqual({ value: "sk-1234567890" });
    expect(await api("GET", "/block_types/slug/secret/block_documents/name/nope")).toMatchObject({ status: 404, body: { detail: "Block document not found" } });
    expect(await api("GET", "/block_types/slug/nope-x/block_documents")).toMatchObject({ status: 404, body: { detail: "Block type not found" } });
    const badBool = await api("GET", `/block_types/slug/secret/block_documents/name/${name}?include_secrets=maybe`);
    expect(badBool.status).toBe(422);
    expect(badBool.body.exception_detail[0]).toMatchObject({ type: "bool_parsing", loc: ["query", "include_secrets"] });
  });
});

describe("blocks in the OpenAPI document", () => {
  it("declares every block operation of Prefect's API", async () => {
    const doc = (await api("GET", "/openapi.json")).body;
    const ops = (path: string) => Object.keys(doc.paths[path] ?? {}).sort();
    expect(ops("/block_types/")).toEqual(["post"]);
    expect(ops("/block_types/filter")).toEqual(["post"]);
    expect(ops("/block_types/install_system_block_types")).toEqual(["post"]);
    expect(ops("/block_types/slug/{slug}")).toEqual(["get"]);
    expect(ops("/block_types/slug/{slug}/block_documents")).toEqual(["get"]);
    expect(ops("/block_types/slug/{slug}/block_documents/name/{block_document_name}")).toEqual(["get"]);
    expect(ops("/block_types/{id}")).toEqual(["delete", "get", "patch"]);
    expect(ops("/block_schemas/")).toEqual(["post"]);
    expect(ops("/block_schemas/filter")).toEqual(["post"]);
    expect(ops("/block_schemas/checksum/{checksum}")).toEqual(["get"]);
    expect(ops("/block_schemas/{id}")).toEqual(["delete", "get"]);
    expect(ops("/block_documents/")).toEqual(["post"]);
    expect(ops("/block_documents/filter")).toEqual(["post"]);
    expect(ops("/block_documents/count")).toEqual(["post"]);
    expect(ops("/block_documents/{id}")).toEqual(["delete", "get", "patch"]);
    expect(ops("/block_capabilities/")).toEqual(["get"]);
  });
});
