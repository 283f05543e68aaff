import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { asc, eq } from "drizzle-orm";
import { api, settleEvents, unique } from "../helpers";
import { getDb } from "../../src/db/client";
import { event } from "../../src/db/schema";

const MISSING = "00000000-0000-4000-8000-000000000000";
const slugOf = (prefix: string) => unique(prefix).toLowerCase().replace(/[^a-z0-9-]/g, "-");
const db = getDb((env as any).DB);

const W = "w-secret-value-123";
const X = "x-secret-value-456";
const Y = "y-secret-value-789";

/** A block type with one schema; `secret_fields` as the SDK declares them. */
async function newBlock(secretFields: string[] = [], properties: Record<string, unknown> = {}) {
  const slug = slugOf("bd");
  const type = (await api("POST", "/block_types/", { name: `Type ${slug}`, slug })).body;
  const schema = await api("POST", "/block_schemas/", {
    block_type_id: type.id,
    fields: { title: slug, type: "object", properties, secret_fields: secretFields, block_schema_references: {} },
    capabilities: ["cap"],
  });
  expect(schema.status).toBe(201);
  return { type, schema: schema.body };
}

async function createDoc(block: { type: any; schema: any }, data: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const res = await api("POST", "/block_documents/", {
    name: slugOf("doc"),
    block_type_id: block.type.id,
    block_schema_id: block.schema.id,
    data,
    ...extra,
  });
  expect(res.status).toBe(201);
  return res.body;
}

const eventsFor = async (id: string) => {
  await settleEvents();
  return db.select().from(event).where(eq(event.resource_id, `prefect.block-document.${id}`)).orderBy(asc(event.occurred), asc(event.event));
};

describe("block documents", () => {
  it("creates and reads back the full document; a taken name is a 409", async () => {
    const block = await newBlock();
    const name = slugOf("doc");
    const created = await api("POST", "/block_documents/", { name, block_type_id: block.type.id, block_schema_id: block.schema.id, data: { a: 1, b: "x" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name,
      data: { a: 1, b: "x" },
      block_schema_id: block.schema.id,
      block_schema: { id: block.schema.id, block_type: { id: block.type.id } },
      block_type_id: block.type.id,
      block_type_name: block.type.name,
      block_type: block.type,
      block_document_references: {},
      is_anonymous: false,
    });
    expect((await api("GET", `/block_documents/${created.body.id}`)).body).toEqual(created.body);
    const dup = await api("POST", "/block_documents/", { name, block_type_id: block.type.id, block_schema_id: block.schema.id });
    expect(dup).toMatchObject({ status: 409, body: { detail: "Block already exists" } });
    const other = await newBlock();
    expect((await api("POST", "/block_documents/", { name, block_type_id: other.type.id, block_schema_id: other.schema.id })).status).toBe(201);
  });

  it("names anonymous documents and leaves them out of reads unless asked for", async () => {
    const block = await newBlock();
    const anon = await api("POST", "/block_documents/", { block_type_id: block.type.id, block_schema_id: block.schema.id, is_anonymous: true, data: { k: "v" } });
    expect(anon.status).toBe(201);
    expect(anon.body.name).toMatch(/^anonymous-[0-9a-f-]{36}$/);
    expect(anon.body.is_anonymous).toBe(true);
    const named = await createDoc(block, {});
    const byType = { block_documents: { block_type_id: { any_: [block.type.id] } } };
    expect((await api("POST", "/block_documents/filter", byType)).body.map((d: any) => d.id)).toEqual([named.id]);
    expect((await api("POST", "/block_documents/count", byType)).body).toBe(1);
    const all = { block_documents: { block_type_id: { any_: [block.type.id] }, is_anonymous: null } };
    expect((await api("POST", "/block_documents/count", all)).body).toBe(2);
    const onlyAnon = { block_documents: { block_type_id: { any_: [block.type.id] }, is_anonymous: { eq_: true } } };
    expect((await api("POST", "/block_documents/filter", onlyAnon)).body.map((d: any) => d.id)).toEqual([anon.body.id]);
    expect((await api("GET", `/block_documents/${anon.body.id}`)).status).toBe(200);
    // No events for anonymous documents.
    expect(await eventsFor(anon.body.id)).toEqual([]);
  });

  it("filters by name, block type and block schema; sorts; counts", async () => {
    const block = await newBlock();
    const stem = slugOf("sort");
    for (const n of ["b", "a", "c"]) await createDoc(block, {}, { name: `${stem}-${n}` });
    const names = async (body: Record<string, unknown>) => (await api("POST", "/block_documents/filter", body)).body.map((d: any) => d.name);
    const mine = { block_documents: { name: { like_: stem } } };
    expect(await names(mine)).toEqual([`${stem}-a`, `${stem}-b`, `${stem}-c`]);
    expect(await names({ ...mine, sort: "NAME_DESC" })).toEqual([`${stem}-c`, `${stem}-b`, `${stem}-a`]);
    expect(await names({ ...mine, sort: "BLOCK_TYPE_AND_NAME_ASC", limit: 2, offset: 1 })).toEqual([`${stem}-b`, `${stem}-c`]);
    expect(await names({ block_documents: { name: { any_: [`${stem}-b`] } } })).toEqual([`${stem}-b`]);
    expect(await names({ ...mine, block_types: { slug: { any_: [block.type.slug] } } })).toHaveLength(3);
    expect(await names({ ...mine, block_types: { slug: { any_: ["nope"] } } })).toEqual([]);
    expect(await names({ ...mine, block_schemas: { block_capabilities: { all_: ["cap"] } } })).toHaveLength(3);
    expect(await names({ ...mine, block_schemas: { block_capabilities: { all_: ["nope"] } } })).toEqual([]);
    expect((await api("POST", "/block_documents/count", mine)).body).toBe(3);
    expect((await api("POST", "/block_documents/filter", { sort: "NOPE" })).status).toBe(422);
    // Long id lists stay under D1's bound-parameter limit.
    const some = (await api("POST", "/block_documents/filter", mine)).body[0];
    const many = [...Array.from({ length: 120 }, () => crypto.randomUUID()), some.id];
    expect((await api("POST", "/block_documents/filter", { block_documents: { id: { any_: many } } })).body.map((d: any) => d.id)).toEqual([some.id]);
    expect((await api("POST", "/block_documents/count", { block_documents: { id: { any_: many } } })).body).toBe(1);
    const schemas = await api("POST", "/block_schemas/filter", { block_schemas: { id: { any_: [...many, some.block_schema_id] } } });
    expect(schemas.body.map((x: any) => x.id)).toEqual([some.block_schema_id]);
  });

  it("answers Prefect's 404s and 422s", async () => {
    const block = await newBlock();
    expect(await api("GET", `/block_documents/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Block document not found" } });
    expect(await api("PATCH", `/block_documents/${MISSING}`, { data: {} })).toMatchObject({ status: 404, body: { detail: "Block document not found" } });
    expect(await api("DELETE", `/block_documents/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Block document not found" } });
    expect((await api("POST", "/block_documents/", { name: "x", block_type_id: MISSING, block_schema_id: block.schema.id })).status).toBe(404);
    expect((await api("POST", "/block_documents/", { name: "x", block_type_id: block.type.id, block_schema_id: MISSING })).status).toBe(404);
    const noName = await api("POST", "/block_documents/", { block_type_id: block.type.id, block_schema_id: block.schema.id });
    expect(noName.status).toBe(422);
    expect(noName.body.exception_detail[0]).toMatchObject({ type: "value_error", loc: ["body"], msg: "Value error, Names must be provided for block documents." });
    const upper = await api("POST", "/block_documents/", { name: "Bad_Name", block_type_id: block.type.id, block_schema_id: block.schema.id });
    expect(upper.status).toBe(422);
    expect(upper.body.exception_detail[0]).toMatchObject({
      loc: ["body", "name"],
      msg: "Value error, Block document name must only contain lowercase letters, numbers, and dashes.",
    });
    const banned = await api("POST", "/block_documents/", { name: "a/b", block_type_id: block.type.id, block_schema_id: block.schema.id });
    expect(banned.body.exception_detail[0]).toMatchObject({ type: "string_pattern_mismatch", loc: ["body", "name"] });
    const badRef = await api("POST", "/block_documents/", { name: "r", block_type_id: block.type.id, block_schema_id: block.schema.id, data: { x: { $ref: {} } } });
    expect(badRef).toMatchObject({ status: 400, body: { detail: "Received block reference without a block_document_id in key x" } });
  });

  it("obfuscates secrets (plain, wildcard, object values) unless include_secrets", async () => {
    const block = await newBlock(["w.*", "x", "y", "v"]);
    const data = { w: { secret: W, deeper: { k: W } }, x: X, y: Y, z: "plain", v: { username: "me", password: Y }, n: null };
    const created = await createDoc(block, data);
    const masked = { w: { secret: "********", deeper: { k: "********" } }, x: "********", y: "********", z: "plain", v: { username: "********", password: "********" }, n: null };
    expect(created.data).toEqual(masked);
    const read = await api("GET", `/block_documents/${created.id}`);
    expect(read.body.data).toEqual(masked);
    for (const s of [W, X, Y]) expect(read.text).not.toContain(s);
    expect((await api("GET", `/block_documents/${created.id}?include_secrets=true`)).body.data).toEqual(data);
    const listed = await api("POST", "/block_documents/filter", { block_documents: { id: { any_: [created.id] } } });
    expect(listed.body[0].data).toEqual(masked);
    const listedWith = await api("POST", "/block_documents/filter", { block_documents: { id: { any_: [created.id] } }, include_secrets: true });
    expect(listedWith.body[0].data).toEqual(data);
  });

  it("hydrates referenced documents, never leaking their secrets", async () => {
    const childBlock = await newBlock(["token"]);
    const parentBlock = await newBlock(["b", "child.token"]);
    const child = await createDoc(childBlock, { token: X, label: "kid" });
    const parent = await createDoc(parentBlock, { a: 3, b: W, child: { $ref: { block_document_id: child.id } } });
    expect(parent.data).toEqual({ a: 3, b: "********", child: { token: "********", label: "kid" } });
    expect(parent.block_document_references).toEqual({
      child: {
        block_document: {
          id: child.id,
          name: child.name,
          block_type: childBlock.type,
          is_anonymous: false,
          block_document_references: {},
        },
      },
    });
    const read = await api("GET", `/block_documents/${parent.id}`);
    expect(read.body).toEqual(parent);
    expect(read.text).not.toContain(X);
    expect(read.text).not.toContain(W);
    const withSecrets = await api("GET", `/block_documents/${parent.id}?include_secrets=true`);
    expect(withSecrets.body.data).toEqual({ a: 3, b: W, child: { token: X, label: "kid" } });
    // A grandparent sees the chain.
    const top = await createDoc(parentBlock, { p: { $ref: { block_document_id: parent.id.toUpperCase() } } });
    expect(top.data.p.child.token).toBe("********");
    expect(top.block_document_references.p.block_document.block_document_references.child.block_document.id).toBe(child.id);
    // A reference to a document that does not exist is refused.
    const dangling = await api("POST", "/block_documents/", {
      name: slugOf("dangle"),
      block_type_id: parentBlock.type.id,
      block_schema_id: parentBlock.schema.id,
      data: { c: { $ref: { block_document_id: MISSING } } },
    });
    expect(dangling.status).toBe(400);
    // Deleting the child drops the reference.
    expect((await api("DELETE", `/block_documents/${child.id}`)).status).toBe(204);
    const after = (await api("GET", `/block_documents/${parent.id}`)).body;
    expect(after.block_document_references).toEqual({});
    expect(after.data).toEqual({ a: 3, b: "********" });
  });

  it("updates: merges by default, replaces without merge, keeps secrets sent back masked", async () => {
    const block = await newBlock(["x", "w.*"]);
    const doc = await createDoc(block, { x: X, w: { k: W }, keep: 1, change: "a" });
    expect((await api("PATCH", `/block_documents/${doc.id}`, { data: { change: "b", x: "********", w: { k: "********" } } })).status).toBe(204);
    const merged = (await api("GET", `/block_documents/${doc.id}?include_secrets=true`)).body;
    expect(merged.data).toEqual({ x: X, w: { k: W }, keep: 1, change: "b" });
    expect((await api("PATCH", `/block_documents/${doc.id}`, {})).status).toBe(204);
    expect((await api("GET", `/block_documents/${doc.id}?include_secrets=true`)).body.data).toEqual(merged.data);
    expect((await api("PATCH", `/block_documents/${doc.id}`, { data: { only: true, x: "new" }, merge_existing_data: false })).status).toBe(204);
    expect((await api("GET", `/block_documents/${doc.id}?include_secrets=true`)).body.data).toEqual({ only: true, x: "new" });
    expect((await api("PATCH", `/block_documents/${doc.id}`, { merge_existing_data: false })).status).toBe(204);
    expect((await api("GET", `/block_documents/${doc.id}?include_secrets=true`)).body.data).toEqual({});
    const bad = await api("PATCH", `/block_documents/${doc.id}`, { data: {}, nope: 1 });
    expect(bad.status).toBe(422);
  });

  it("creates and updates a document with more references than one statement's parameters hold", async () => {
    const block = await newBlock();
    const children = await Promise.all(Array.from({ length: 40 }, () => createDoc(block, {})));
    const refs = (docs: any[], prefix: string) => Object.fromEntries(docs.map((d, i) => [`${prefix}${i}`, { $ref: { block_document_id: d.id } }]));
    const parent = await createDoc(block, refs(children.slice(0, 20), "a"));
    expect(Object.keys((await api("GET", `/block_documents/${parent.id}`)).body.block_document_references)).toHaveLength(20);
    expect((await api("PATCH", `/block_documents/${parent.id}`, { data: refs(children.slice(20), "b") })).status).toBe(204);
    const after = (await api("GET", `/block_documents/${parent.id}`)).body.block_document_references;
    expect(Object.keys(after).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `b${i}`).sort());
  });

  it("updates references and schemas; refuses cycles and schemas of another type", async () => {
    const block = await newBlock();
    const a = await createDoc(block, {});
    const b = await createDoc(block, {});
    const c = await createDoc(block, {});
    expect((await api("PATCH", `/block_documents/${a.id}`, { data: { r: { $ref: { block_document_id: b.id } } } })).status).toBe(204);
    expect((await api("GET", `/block_documents/${a.id}`)).body.block_document_references.r.block_document.id).toBe(b.id);
    expect((await api("PATCH", `/block_documents/${b.id}`, { data: { back: { $ref: { block_document_id: a.id } } } }))).toMatchObject({ status: 400 });
    expect((await api("PATCH", `/block_documents/${a.id}`, { data: { self: { $ref: { block_document_id: a.id } } } }))).toMatchObject({ status: 400 });
    expect((await api("PATCH", `/block_documents/${a.id}`, { data: { r: { $ref: { block_document_id: c.id } } } })).status).toBe(204);
    expect((await api("GET", `/block_documents/${a.id}`)).body.block_document_references.r.block_document.id).toBe(c.id);

    const v2 = (await api("POST", "/block_schemas/", { block_type_id: block.type.id, fields: { title: "v2" } })).body;
    expect((await api("PATCH", `/block_documents/${a.id}`, { block_schema_id: v2.id, data: {} })).status).toBe(204);
    expect((await api("GET", `/block_documents/${a.id}`)).body.block_schema_id).toBe(v2.id);
    const other = await newBlock();
    expect(await api("PATCH", `/block_documents/${a.id}`, { block_schema_id: other.schema.id, data: {} })).toMatchObject({
      status: 400,
      body: { detail: "Must migrate block document to a block schema of the same block type." },
    });
  });

  it("emits block document events without secrets", async () => {
    const block = await newBlock(["x"]);
    const doc = await createDoc(block, { x: X, label: "L", n: 1 });
    await api("PATCH", `/block_documents/${doc.id}`, { data: { label: "M" } });
    await api("DELETE", `/block_documents/${doc.id}`);
    const events = await eventsFor(doc.id);
    expect(events.map((e) => e.event).sort()).toEqual([
      "prefect.block-document.created",
      "prefect.block-document.deleted",
      "prefect.block-document.updated",
    ]);
    const created = events.find((e) => e.event === "prefect.block-document.created")!;
    expect(created.resource).toEqual({ "prefect.resource.id": `prefect.block-document.${doc.id}`, "prefect.resource.name": doc.name });
    expect(created.payload).toEqual({
      name: doc.name,
      data: { label: "L" },
      block_schema: { capabilities: ["cap"], block_type: { id: block.type.id, name: block.type.name } },
    });
    expect(created.related).toEqual([
      { "prefect.resource.id": `prefect.block-type.${block.type.id}`, "prefect.resource.role": "block-type", "prefect.resource.name": block.type.name },
      { "prefect.resource.id": `prefect.block-schema.${block.schema.id}`, "prefect.resource.role": "block-schema" },
    ]);
    expect(JSON.stringify(events)).not.toContain(X);
  });

  it("round-trips the SDK's Secret block", async () => {
    const secret = (await api("GET", "/block_types/slug/secret")).body;
    const [schema] = (await api("POST", "/block_schemas/filter", { block_schemas: { block_type_id: { any_: [secret.id] } }, limit: 1 })).body;
    const name = slugOf("s");
    const created = await api("POST", "/block_documents/", { name, block_type_id: secret.id, block_schema_id: schema.id, data: { value: { user: "u", password: Y } } });
    expect(created.body.data).toEqual({ value: { user: "********", password: "********" } });
    const loaded = await api("GET", `/block_types/slug/secret/block_documents/name/${name}?include_secrets=true`);
    expect(loaded.body.data).toEqual({ value: { user: "u", password: Y } });
  });
});
