import { describe, expect, it } from "vitest";
import { api } from "../helpers";

describe("root and admin", () => {
  it("answers what every SDK process asks first", async () => {
    expect(await api("GET", "/admin/version")).toMatchObject({ status: 200, body: "3.8.3" });
    expect(await api("GET", "/health")).toMatchObject({ status: 200, body: true });
    expect(await api("GET", "/version")).toMatchObject({ status: 200, body: "3.8.3" });
    expect((await api("GET", "/hello")).status).toBe(200);
    expect((await api("GET", "/ready")).status).toBe(200);
    expect(await api("GET", "/csrf-token?client=886d20a8-c68f-40fc-9d86-d4d53278bad9")).toMatchObject({
      status: 422,
      body: { detail: "CSRF protection is disabled." },
    });
  });

  it("keeps the default result storage block", async () => {
    expect((await api("GET", "/admin/storage")).body).toEqual({ default_result_storage_block_id: null });
    const id = "5F2C8B3A-0000-4000-8000-000000000001";
    expect((await api("PUT", "/admin/storage", { default_result_storage_block_id: id })).body).toEqual({
      default_result_storage_block_id: id.toLowerCase(),
    });
    expect((await api("GET", "/admin/storage")).body.default_result_storage_block_id).toBe(id.toLowerCase());
    expect((await api("DELETE", "/admin/storage")).status).toBe(204);
    expect((await api("GET", "/admin/storage")).body).toEqual({ default_result_storage_block_id: null });
  });

  it("serves settings with Prefect's defaults and a generated OpenAPI document", async () => {
    const settings = await api("GET", "/admin/settings");
    expect(settings.status).toBe(200);
    expect(settings.body).toHaveProperty("api");
    const doc = await api("GET", "/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.body.paths).toHaveProperty("/flows/");
    expect(doc.body.components.schemas).toHaveProperty("FlowCreate");
    expect((await api("GET", "/docs")).status).toBe(200);
  });

  it("accepts the X-PREFECT-API-VERSION header and answers unknown routes with Prefect's 404", async () => {
    expect(await api("GET", "/no-such-route")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
  });
});
