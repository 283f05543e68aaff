import { describe, expect, it } from "vitest";
import { api } from "../helpers";

describe("admin", () => {
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
});
