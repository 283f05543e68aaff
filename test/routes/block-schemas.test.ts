import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";
import { schemaChecksum } from "../../src/lib/blocks/checksum";
import { parsePythonJson, pyDumps, pyFloatRepr } from "../../src/lib/python";

const pyParse = (text: string) => parsePythonJson(text, { keepNumberKinds: true });
import { SYSTEM_BLOCKS } from "../../src/services/blocks/system-blocks";
import { PREFECT_VERSION } from "../../src/lib/version";

const MISSING = "00000000-0000-4000-8000-000000000000";
const slugOf = (prefix: string) => unique(prefix).toLowerCase().replace(/[^a-z0-9-]/g, "-");

async function newType(slug = slugOf("bs")) {
  const res = await api("POST", "/block_types/", { name: `Type ${slug}`, slug });
  expect(res.status).toBe(201);
  return res.body;
}

/**
 * The checksums the Prefect SDK computes for its own blocks (the 3.8 classes; JSON, String and
 * Date Time as of 3.4, their last release). JSON's, String's and Date Time's are those a real
 * Prefect server answered.
 */
const SDK_CHECKSUMS: Record<string, string> = {
  json: "sha256:0f01d400eb1ebd964d491132cda72e6a6d843f8ce940397b3dba7be219852106",
  string: "sha256:d1323de7a11a0fcd1854515cf86358ad819f51e8d43f5ba176578965f54b2f9f",
  "date-time": "sha256:94cacaae861dc63b4fcfef96972d9269bb7cb8897a0591a6fd2ac6d0ee64571f",
  webhook: "sha256:58bb03f0d84592252ad568ed9a8c899792ae5d0ad2dd4a2428e99674f9050cf1",
  secret: "sha256:c078ed9c1e813e224c0b353d7ad4564a11d51d3198d9ac0686478165a1911c78",
  "local-file-system": "sha256:0fc8b7f936f38f465715ef2df4a817ac9fe38b80bb01d5c6c9649a6da6ae6971",
  "remote-file-system": "sha256:3bca63009aa57af6c7053fc17a2a336a1e1801bbb19ca2c5939b59afe435c531",
  smb: "sha256:849cd014b777a64ee219f6b8b13c15b37c34ea4138d9224c4d45bf00ba2e4681",
  "slack-webhook": "sha256:415bae7e5906d98e387f8848ccdfd3f3b9cdf01624f08ca228709e1193ac005f",
  "ms-teams-webhook": "sha256:213ff858fcad8ecddb90a120636c5461fc8ad6fb2877188c9e79f07e6c390c7c",
  "pager-duty-webhook": "sha256:78ccfd9313655493e834f59f515865f3160bd395b6003d6e664fefd1a6f49c86",
  "twilio-sms": "sha256:2ab73fedd20ff1c25ffcc47f5b4a7a86c70c307321af1262f9d03defba5c8cc6",
  "opsgenie-webhook": "sha256:c9d307a75b69d82460134069d071804fefde0ec2c2b9aed67c90201fee041755",
  "mattermost-webhook": "sha256:34daad1160b59fb6d5c8fc59d09abb2cbf9c2283b7b9f6a76cbaad827002d14c",
  "discord-webhook": "sha256:b3ea94c0ce1573b22c0e7bf2457f5f52a210327e0f7be05c74970a246304b1e2",
  "custom-webhook": "sha256:69076241f2b9959ae97554957a22ec428886b46f6ed4732af160e117d487c0cf",
  "sendgrid-email": "sha256:b67583d3b7ce215cd84a58ba42bb8936294cc1417ff3fe54d0fb08447932c6f2",
};

describe("block schema checksums", () => {
  it("are the SDK's for every system block", async () => {
    expect(SYSTEM_BLOCKS.map((b) => b.slug).sort()).toEqual(Object.keys(SDK_CHECKSUMS).sort());
    for (const b of SYSTEM_BLOCKS) expect([b.slug, await schemaChecksum(b.fields)]).toEqual([b.slug, SDK_CHECKSUMS[b.slug]]);
  });

  it("are served for the installed system blocks, at our version", async () => {
    for (const [slug, checksum] of Object.entries(SDK_CHECKSUMS)) {
      const res = await api("GET", `/block_schemas/checksum/${checksum}?version=${PREFECT_VERSION}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ checksum, version: PREFECT_VERSION, block_type: { slug } });
    }
    const secret = (await api("GET", `/block_schemas/checksum/${SDK_CHECKSUMS.secret}`)).body;
    expect(secret.fields.secret_fields).toEqual(["value", "value"]);
    expect(secret.fields.block_schema_references).toEqual({});
    expect(secret.fields.definitions).toEqual({ JsonValue: {} });
    const local = (await api("GET", `/block_schemas/checksum/${SDK_CHECKSUMS["local-file-system"]}`)).body;
    expect([...local.capabilities].sort()).toEqual(["get-directory", "put-directory", "read-path", "write-path"]);
  });

  it("are computed as Python prints JSON (floats, big ints, non-ASCII, sorted keys)", async () => {
    const text =
      '{"title":"X","type":"object","properties":{"a":{"default":60.0,"type":"number"},"b":{"default":1e16},"c":{"default":1e-5},' +
      '"d":{"default":0.1},"e":{"default":-0.0},"f":{"default":12345678901234567890},"g":"é😀<&>\\"\\\\\\n\\t/",' +
      '"h":[1,2.5e300,true,null,false], "big":1.7976931348623157e308, "small": 5e-324, "n": 123456789012345.6, "m": 0.0001},' +
      '"secret_fields":["a"],"block_schema_references":{}}';
    expect(await schemaChecksum(pyParse(text) as any)).toBe("sha256:a52bd4cb180d7f228295d4cb5f16801a7f9bbbda0f1d6979b974f62a0d520dfa");
    const registered = {
      title: "MyRegisteredBlock",
      type: "object",
      properties: { x: { title: "X", type: "string", position: 0 }, y: { title: "Y", default: 1, type: "integer", position: 1 } },
      block_schema_references: {},
      block_type_slug: "myregisteredblock",
      required: ["x"],
      secret_fields: [],
    };
    expect(await schemaChecksum(registered)).toBe("sha256:0170f6bdcfdab859f8a7724becba29ad359b0116d0a3492356c1028369edbf8c");
    // Definitions: only the non-block ones reachable through $refs count.
    const nested = {
      title: "P",
      type: "object",
      properties: { child: { $ref: "#/definitions/C" }, m: { $ref: "#/definitions/M" } },
      definitions: { C: { title: "C", block_type_slug: "c", properties: {} }, M: { title: "M", properties: { z: { $ref: "#/definitions/Z" } } }, Z: { title: "Z" } },
      secret_fields: [],
      block_schema_references: { child: { block_type_slug: "c", block_schema_checksum: "sha256:abc" } },
    };
    expect(await schemaChecksum(nested)).toBe("sha256:54084e742e51b9d0af441ca4f76965543d5d27dcebbde607ba276329a7348bbe");
    const onlyBlocks = { title: "P", properties: { child: { $ref: "#/definitions/C" } }, definitions: { C: { title: "C", block_type_slug: "c" } } };
    expect(await schemaChecksum(onlyBlocks)).toBe("sha256:65f2a60ec51f806bd5b24ae50baf79a2cb265c7c9dd740346e9d73b40df70c71");
    expect(await schemaChecksum(pyParse('{"a": 1.0}') as any)).toBe("sha256:3d231876ac13b42b26b52a205da4747db7a34dda6cc8f56b814a519e829d14c5");
    expect(await schemaChecksum(pyParse('{"a": 1}') as any)).toBe("sha256:686906d736a598fdfa80d6828549a85fa8af192f26b0da5158b8db6042e622bd");
    expect([1e16, 1e-5, 0.1, -0, 1e15, 123.0, 2.5e-7, 1e21].map(pyFloatRepr)).toEqual([
      "1e+16", "1e-05", "0.1", "-0.0", "1000000000000000.0", "123.0", "2.5e-07", "1e+21",
    ]);
    expect(pyDumps({ b: [1, "\u007f"], a: null })).toBe('{"a": null, "b": [1, "\\u007f"]}');
  });
});

describe("block schemas", () => {
  it("creates (201), answers the existing one for the same checksum and version (200), reads by id and checksum", async () => {
    const t = await newType();
    const fields = { title: "Thing", type: "object", properties: { x: { title: "X", type: "string" } }, secret_fields: [] };
    const first = await api("POST", "/block_schemas/", { block_type_id: t.id, fields, capabilities: ["cap-a"] });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      block_type_id: t.id,
      block_type: { id: t.id, slug: t.slug },
      capabilities: ["cap-a"],
      version: "non-versioned",
      fields: { ...fields, block_schema_references: {} },
      checksum: await schemaChecksum(fields),
    });
    const again = await api("POST", "/block_schemas/", { block_type_id: t.id, fields, capabilities: ["other"] });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const v2 = await api("POST", "/block_schemas/", { block_type_id: t.id, fields, version: "2.0" });
    expect(v2.status).toBe(201);
    expect(v2.body.id).not.toBe(first.body.id);
    expect((await api("GET", `/block_schemas/${first.body.id}`)).body).toEqual(first.body);
    expect((await api("GET", `/block_schemas/checksum/${first.body.checksum}`)).body.id).toBe(v2.body.id);
    expect((await api("GET", `/block_schemas/checksum/${first.body.checksum}?version=non-versioned`)).body.id).toBe(first.body.id);
    expect(await api("GET", `/block_schemas/checksum/${first.body.checksum}?version=9`)).toMatchObject({ status: 404, body: { detail: "Block schema not found" } });
  });

  it("checksums the fields as sent: 1.0 and 1 differ, as in Python", async () => {
    const t = await newType();
    const asFloat = await api("POST", "/block_schemas/", `{"block_type_id": "${t.id}", "fields": {"a": 1.0}}`);
    const asInt = await api("POST", "/block_schemas/", `{"block_type_id": "${t.id}", "fields": {"a": 1}}`);
    expect(asFloat.body.checksum).toBe("sha256:3d231876ac13b42b26b52a205da4747db7a34dda6cc8f56b814a519e829d14c5");
    expect(asInt.body.checksum).toBe("sha256:686906d736a598fdfa80d6828549a85fa8af192f26b0da5158b8db6042e622bd");
  });

  it("registers nested block schemas from definitions and rebuilds references on read", async () => {
    const child = await newType();
    const parent = await newType();
    const childFields = {
      title: "Child",
      type: "object",
      block_type_slug: child.slug,
      properties: { token: { title: "Token", type: "string", format: "password", writeOnly: true } },
      secret_fields: ["token"],
      block_schema_references: {},
    };
    const childChecksum = await schemaChecksum(childFields);
    const parentFields = {
      title: "Parent",
      type: "object",
      block_type_slug: parent.slug,
      properties: { child: { $ref: "#/definitions/Child" }, plain: { $ref: "#/definitions/Plain" } },
      definitions: { Child: childFields, Plain: { title: "Plain", type: "object", properties: {} } },
      secret_fields: ["child.token"],
      block_schema_references: { child: { block_type_slug: child.slug, block_schema_checksum: childChecksum } },
    };
    const created = await api("POST", "/block_schemas/", { block_type_id: parent.id, fields: parentFields });
    expect(created.status).toBe(201);
    expect(created.body.fields.block_schema_references).toEqual(parentFields.block_schema_references);
    const childSchema = await api("GET", `/block_schemas/checksum/${childChecksum}`);
    expect(childSchema.status).toBe(200);
    expect(childSchema.body).toMatchObject({ block_type_id: child.id, version: "non-versioned" });
    const read = (await api("GET", `/block_schemas/${created.body.id}`)).body;
    expect(read.fields.block_schema_references).toEqual({ child: { block_schema_checksum: childChecksum, block_type_slug: child.slug } });
    expect(read.fields.definitions.Plain).toEqual(parentFields.definitions.Plain);
    expect(read.fields.definitions.Child).toMatchObject({ title: "Child", secret_fields: ["token"], block_schema_references: {} });
    const filtered = await api("POST", "/block_schemas/filter", { block_schemas: { block_type_id: { any_: [parent.id] } } });
    expect(filtered.body).toEqual([read]);

    const orphan = await newType();
    const missing = await api("POST", "/block_schemas/", {
      block_type_id: orphan.id,
      fields: { title: "O", block_schema_references: { x: { block_type_slug: "no-such-type", block_schema_checksum: "sha256:0" } } },
    });
    expect(missing).toMatchObject({
      status: 409,
      body: { detail: "Cannot create block schema because block type 'no-such-type' was not found.Did you forget to register the block type?" },
    });
  });

  it("filters by block type, capabilities, version and id, newest first", async () => {
    const t = await newType();
    const cap = slugOf("cap");
    const a = (await api("POST", "/block_schemas/", { block_type_id: t.id, fields: { title: "a" }, capabilities: [cap, "x"], version: "1" })).body;
    const b = (await api("POST", "/block_schemas/", { block_type_id: t.id, fields: { title: "b" }, capabilities: [cap] })).body;
    const ids = async (body: unknown) => (await api("POST", "/block_schemas/filter", body)).body.map((s: any) => s.id);
    expect(await ids({ block_schemas: { block_type_id: { any_: [t.id] } } })).toEqual([b.id, a.id]);
    expect(await ids({ block_schemas: { block_capabilities: { all_: [cap, "x"] } } })).toEqual([a.id]);
    expect(await ids({ block_schemas: { block_type_id: { any_: [t.id] }, version: { any_: ["1"] } } })).toEqual([a.id]);
    expect(await ids({ block_schemas: { id: { any_: [b.id.toUpperCase()] } } })).toEqual([b.id]);
    expect(await ids({ block_schemas: { block_type_id: { any_: [t.id] } }, limit: 1, offset: 1 })).toEqual([a.id]);
  });

  it("deletes (404 when missing, 403 for protected types) and answers Prefect's errors", async () => {
    const t = await newType();
    const s = (await api("POST", "/block_schemas/", { block_type_id: t.id, fields: { title: "d" } })).body;
    expect((await api("DELETE", `/block_schemas/${s.id}`)).status).toBe(204);
    expect(await api("DELETE", `/block_schemas/${s.id}`)).toMatchObject({ status: 404, body: { detail: "Block schema not found" } });
    expect(await api("GET", `/block_schemas/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Block schema not found" } });
    const secret = await api("GET", `/block_schemas/checksum/${SDK_CHECKSUMS.secret}`);
    expect(await api("DELETE", `/block_schemas/${secret.body.id}`)).toMatchObject({
      status: 403,
      body: { detail: "Block schemas for protected block types cannot be deleted." },
    });
    expect(await api("POST", "/block_schemas/", { block_type_id: MISSING, fields: {} })).toMatchObject({
      status: 404,
      body: { detail: `Block type ${MISSING} not found.` },
    });
    const bad = await api("POST", "/block_schemas/", { fields: {} });
    expect(bad.status).toBe(422);
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "missing", loc: ["body", "block_type_id"] });
    expect((await api("GET", "/block_schemas/not-a-uuid")).status).toBe(404);
  });
});
