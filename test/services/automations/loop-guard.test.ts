import { describe, expect, it } from "vitest";
import { api, unique } from "../../helpers";

/** Prefect's prevent_run_deployment_loops, through POST and PUT /automations (tests/events/server/actions/test_infinite_loops.py). */
const DEPLOYMENT = "11111111-2222-4333-8444-555555555555";
const trigger = (overrides: Record<string, unknown> = {}) => ({
  type: "event",
  match: { "prefect.resource.id": "prefect.flow-run.*" },
  for_each: ["prefect.resource.id"],
  expect: ["prefect.flow-run.*"],
  posture: "Reactive",
  threshold: 1,
  within: 0,
  ...overrides,
});
const inferred = { type: "run-deployment", source: "inferred" };
const selected = { type: "run-deployment", source: "selected", deployment_id: DEPLOYMENT };
const body = (t: Record<string, unknown>, action: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: unique("loop"), trigger: t, actions: [action], ...extra });

async function refusal(method: "POST" | "PUT", payload: Record<string, unknown>, path = "/automations/") {
  const res = await api(method, path, payload);
  if (res.status !== 422) return null;
  expect(res.body.exception_detail).toHaveLength(1);
  expect(res.body.exception_detail[0]).toMatchObject({ type: "value_error", loc: ["body"] });
  return res.body.exception_detail[0].msg as string;
}

describe("the run-deployment loop guard (422)", () => {
  it("refuses an inferred deployment on flow run state changes, however filtered", async () => {
    for (const t of [trigger(), trigger({ match: { "prefect.resource.id": "prefect.flow-run.*", some: "thing" } }), trigger({ match_related: { some: "thing" } })])
      expect(await refusal("POST", body(t, inferred))).toContain("Running an inferred deployment from a flow run state change event will lead to an infinite loop");
  });

  it("refuses a selected deployment on unfiltered flow run state changes; accepts it with a narrowing match or match_related", async () => {
    expect(await refusal("POST", body(trigger(), selected))).toContain("Running a selected deployment from a flow run state change event may lead to an infinite loop");
    expect(await refusal("POST", body(trigger({ match: { "prefect.resource.id": "prefect.flow-run.*", some: "thing" } }), selected))).toBeNull();
    expect(await refusal("POST", body(trigger({ match_related: { some: "thing" } }), selected))).toBeNull();
  });

  it("accepts Failed/Crashed/TimedOut triggers, proactive and disabled automations", async () => {
    for (const expectEvents of [["prefect.flow-run.Failed"], ["prefect.flow-run.Crashed"], ["prefect.flow-run.TimedOut"], ["prefect.flow-run.Failed", "prefect.flow-run.Crashed"]])
      expect(await refusal("POST", body(trigger({ expect: expectEvents }), inferred))).toBeNull();
    expect(await refusal("POST", body(trigger({ posture: "Proactive", within: 30 }), inferred))).toBeNull();
    expect(await refusal("POST", body(trigger(), inferred, { enabled: false }))).toBeNull();
    for (const expectEvents of [["prefect.flow-run.Scheduled"], ["prefect.flow-run.Pending"], ["prefect.flow-run.Running"]])
      expect(await refusal("POST", body(trigger({ expect: expectEvents }), inferred))).not.toBeNull();
  });

  it("applies to PUT as well, leaving the stored automation as it was", async () => {
    const created = await api("POST", "/automations/", body(trigger({ expect: ["prefect.flow-run.Failed"] }), inferred));
    expect(created.status).toBe(201);
    const path = `/automations/${created.body.id}`;
    expect(await refusal("PUT", body(trigger(), inferred), path)).toContain("Running an inferred deployment");
    expect((await api("GET", path)).body.trigger.expect).toEqual(["prefect.flow-run.Failed"]);
  });
});
