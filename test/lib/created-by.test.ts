import { describe, expect, it } from "vitest";
import { api } from "../helpers";
import { base64Utf8, createdByAutomation } from "../../src/lib/created-by";

const AUTOMATION = "6a1c3b9e-2f4d-4e5a-9b8c-7d6e5f4a3b2c";
const headers = (id: string | null, name: string | null) => new Headers({ ...(id ? { "prefect-automation-id": id } : {}), ...(name ? { "prefect-automation-name": name } : {}) });

describe("created_by from an automation's headers (Prefect's get_created_by)", () => {
  it("needs both headers, a UUID id and a name that decodes from base64 to text", () => {
    expect(createdByAutomation(headers(AUTOMATION, base64Utf8("Nightly ✨")))).toEqual({ id: AUTOMATION, type: "AUTOMATION", display_value: "Nightly ✨" });
    expect(createdByAutomation(headers(AUTOMATION.replaceAll("-", "").toUpperCase(), base64Utf8("n")))?.id).toBe(AUTOMATION);
    expect(createdByAutomation(headers(AUTOMATION, null))).toBeNull();
    expect(createdByAutomation(headers(null, base64Utf8("n")))).toBeNull();
    expect(createdByAutomation(headers("not-a-uuid", base64Utf8("n")))).toBeNull();
    expect(createdByAutomation(headers(AUTOMATION, "%%%"))).toBeNull();
    expect(createdByAutomation(headers(AUTOMATION, btoa("\xff\xfe")))).toBeNull();
    expect(createdByAutomation(headers(AUTOMATION, ""))).toBeNull();
  });

  it("POST /flow_runs/ and /deployments/{id}/create_flow_run record it; without the headers created_by is null", async () => {
    const flow = (await api("POST", "/flows/", { name: `f-${crypto.randomUUID()}` })).body;
    const by = { "prefect-automation-id": AUTOMATION, "prefect-automation-name": base64Utf8("Mine") };
    const run = await api("POST", "/flow_runs/", { flow_id: flow.id }, by);
    expect(run.body.created_by).toEqual({ id: AUTOMATION, type: "AUTOMATION", display_value: "Mine" });
    expect((await api("POST", "/flow_runs/", { flow_id: flow.id })).body.created_by).toBeNull();
    const dep = (await api("POST", "/deployments/", { name: `d-${crypto.randomUUID()}`, flow_id: flow.id })).body;
    const fromDeployment = await api("POST", `/deployments/${dep.id}/create_flow_run`, {}, by);
    expect(fromDeployment.body.created_by).toEqual({ id: AUTOMATION, type: "AUTOMATION", display_value: "Mine" });
    const bulk = await api("POST", `/deployments/${dep.id}/create_flow_run/bulk`, [{}], by);
    const bulkRun = (await api("GET", `/flow_runs/${bulk.body.results[0].flow_run_id}`)).body;
    expect(bulkRun.created_by).toEqual({ id: AUTOMATION, type: "AUTOMATION", display_value: "Mine" });
  });
});
