import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";
import { getDb } from "../../src/db/client";
import { blockDocument } from "../../src/db/schema";
import { templateError } from "../../src/schemas/notification-policies";

const db = getDb((env as any).DB);
const MISSING = "00000000-0000-4000-8000-000000000000";
const UPDATE_404 = "Flow run notification policy <built-in function id> not found";

async function blockDocumentId(): Promise<string> {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  await db.insert(blockDocument).values({
    id,
    created: now,
    updated: now,
    name: unique("doc"),
    block_type_id: crypto.randomUUID(),
    block_schema_id: crypto.randomUUID(),
  });
  return id;
}

describe("flow run notification policies (Prefect 2.x)", () => {
  it("creates (201) and reads back", async () => {
    const block_document_id = await blockDocumentId();
    const res = await api("POST", "/flow_run_notification_policies/", {
      state_names: ["Failed", "Crashed"],
      tags: ["prod"],
      block_document_id,
      message_template: "Flow run {flow_run_name} entered {flow_run_state_name}. {{literal}}",
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual([
      "id", "created", "updated", "is_active", "state_names", "tags", "block_document_id", "message_template",
    ]);
    expect(res.body).toMatchObject({ is_active: true, state_names: ["Failed", "Crashed"], tags: ["prod"], block_document_id });
    expect((await api("GET", `/flow_run_notification_policies/${res.body.id}`)).body).toEqual(res.body);
    const bare = await api("POST", "/flow_run_notification_policies/", { state_names: [], tags: [], block_document_id, is_active: false });
    expect(bare.body).toMatchObject({ is_active: false, message_template: null });
  });

  it("updates only the fields sent (204)", async () => {
    const block_document_id = await blockDocumentId();
    const { body: p } = await api("POST", "/flow_run_notification_policies/", { state_names: ["Failed"], tags: ["a"], block_document_id });
    expect((await api("PATCH", `/flow_run_notification_policies/${p.id}`, { is_active: false, message_template: "{flow_name}" })).status).toBe(204);
    let read = (await api("GET", `/flow_run_notification_policies/${p.id}`)).body;
    expect(read).toMatchObject({ is_active: false, state_names: ["Failed"], tags: ["a"], message_template: "{flow_name}" });
    const other = await blockDocumentId();
    expect((await api("PATCH", `/flow_run_notification_policies/${p.id}`, { block_document_id: other, message_template: null })).status).toBe(204);
    read = (await api("GET", `/flow_run_notification_policies/${p.id}`)).body;
    expect(read).toMatchObject({ block_document_id: other, message_template: null, is_active: false });
    expect((await api("PATCH", `/flow_run_notification_policies/${p.id}`, {})).status).toBe(204);
  });

  it("filters on is_active (a filter without is_active selects inactive ones), with limit/offset", async () => {
    const block_document_id = await blockDocumentId();
    const active = await api("POST", "/flow_run_notification_policies/", { state_names: [], tags: [], block_document_id });
    const inactive = await api("POST", "/flow_run_notification_policies/", { state_names: [], tags: [], block_document_id, is_active: false });
    const ids = (body: any[]) => body.map((p) => p.id);
    const all = await api("POST", "/flow_run_notification_policies/filter", {});
    expect(ids(all.body)).toEqual(expect.arrayContaining([active.body.id, inactive.body.id]));
    expect(ids(all.body)).toEqual([...ids(all.body)].sort());
    const onlyActive = await api("POST", "/flow_run_notification_policies/filter", { flow_run_notification_policy_filter: { is_active: { eq_: true } } });
    expect(onlyActive.body.every((p: any) => p.is_active)).toBe(true);
    expect(ids(onlyActive.body)).toContain(active.body.id);
    const defaulted = await api("POST", "/flow_run_notification_policies/filter", { flow_run_notification_policy_filter: {} });
    expect(defaulted.body.every((p: any) => !p.is_active)).toBe(true);
    expect(ids(defaulted.body)).toContain(inactive.body.id);
    const page = await api("POST", "/flow_run_notification_policies/filter", { limit: 1, offset: 1 });
    expect(page.body).toEqual([all.body[1]]);
  });

  it("deletes, and answers 404s as Prefect 2.x", async () => {
    const block_document_id = await blockDocumentId();
    const { body: p } = await api("POST", "/flow_run_notification_policies/", { state_names: [], tags: [], block_document_id });
    expect((await api("DELETE", `/flow_run_notification_policies/${p.id}`)).status).toBe(204);
    expect(await api("GET", `/flow_run_notification_policies/${p.id}`)).toMatchObject({ status: 404, body: { detail: "flow run notification policy not found" } });
    expect(await api("DELETE", `/flow_run_notification_policies/${p.id}`)).toMatchObject({ status: 404, body: { detail: "flow run notification policy not found" } });
    expect(await api("PATCH", `/flow_run_notification_policies/${MISSING}`, { is_active: true })).toMatchObject({ status: 404, body: { detail: UPDATE_404 } });
    expect(await api("PATCH", `/flow_run_notification_policies/${MISSING}`, { is_active: null })).toMatchObject({ status: 404, body: { detail: UPDATE_404 } });
  });

  it("409 for a block document that does not exist or a null required field", async () => {
    const created = await api("POST", "/flow_run_notification_policies/", { state_names: [], tags: [], block_document_id: MISSING });
    expect(created.status).toBe(409);
    expect(created.body.detail).toMatch(/^Data integrity conflict/);
    const { body: p } = await api("POST", "/flow_run_notification_policies/", { state_names: [], tags: [], block_document_id: await blockDocumentId() });
    expect((await api("PATCH", `/flow_run_notification_policies/${p.id}`, { block_document_id: MISSING })).status).toBe(409);
    expect((await api("PATCH", `/flow_run_notification_policies/${p.id}`, { tags: null })).status).toBe(409);
    expect((await api("GET", `/flow_run_notification_policies/${p.id}`)).body).toEqual(p);
  });

  it("422 shapes: missing fields, bad template variables, malformed ids", async () => {
    const block_document_id = await blockDocumentId();
    const missing = await api("POST", "/flow_run_notification_policies/", { block_document_id });
    expect(missing.status).toBe(422);
    expect(missing.body.exception_detail).toMatchObject([
      { type: "missing", loc: ["body", "state_names"] },
      { type: "missing", loc: ["body", "tags"] },
    ]);
    const badTemplate = await api("POST", "/flow_run_notification_policies/", { state_names: [], tags: [], block_document_id, message_template: "{nope}" });
    expect(badTemplate.status).toBe(422);
    expect(badTemplate.body.exception_detail).toEqual([
      {
        type: "value_error",
        loc: ["body", "message_template"],
        msg: "Value error, Invalid template variable provided: 'nope'",
        input: "{nope}",
        ctx: { error: "Invalid template variable provided: 'nope'" },
      },
    ]);
    const badId = await api("GET", "/flow_run_notification_policies/not-a-uuid");
    expect(badId.status).toBe(422);
    expect(badId.body.exception_detail[0]).toMatchObject({ type: "uuid_parsing", loc: ["path", "id"], input: "not-a-uuid" });
    const badFilter = await api("POST", "/flow_run_notification_policies/filter", { flow_run_notification_policy_filter: { nope: 1 } });
    expect(badFilter.status).toBe(422);
  });

  it("checks templates as Python's str.format would", () => {
    expect(templateError("plain text")).toBeNull();
    expect(templateError("{flow_run_id!r:>40} {{x}} {flow_name:{flow_id}}")).toBeNull();
    expect(templateError("{flow_name.upper}")).toBeNull();
    expect(templateError("oops {")).toBe("Single '{' encountered in format string");
    expect(templateError("oops }")).toBe("Single '}' encountered in format string");
    expect(templateError("{flow_name")).toBe("expected '}' before end of string");
    expect(templateError("{}")).toBe("Replacement index 0 out of range for positional args tuple");
    expect(templateError("{flow_name!x}")).toBe("Unknown conversion specifier x");
    expect(templateError("{flow_name:{bad}}")).toBe("Invalid template variable provided: 'bad'");
  });
});
