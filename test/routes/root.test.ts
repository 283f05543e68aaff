import { describe, expect, it } from "vitest";
import { api } from "../helpers";

describe("root", () => {
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

  it("accepts the X-PREFECT-API-VERSION header and answers unknown routes with Prefect's 404", async () => {
    expect(await api("GET", "/no-such-route")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
  });
});
