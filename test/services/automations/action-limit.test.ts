import { describe, expect, it } from "vitest";
import { api, unique } from "../../helpers";
import { MAX_ACTIONS } from "../../../src/services/automations/validate";

/** One event may start at most MAX_ACTIONS actions of an automation (our bound; Prefect has none). */
describe("an automation's action lists", () => {
  const body = (n: number, list = "actions") => ({
    name: unique("limit"),
    trigger: { type: "event", expect: ["limit.event"], posture: "Reactive", threshold: 1, within: 0 },
    actions: [{ type: "do-nothing" }],
    [list]: Array.from({ length: n }, () => ({ type: "do-nothing" })),
  });

  it(`take up to ${MAX_ACTIONS} actions each`, async () => {
    expect((await api("POST", "/automations/", body(MAX_ACTIONS))).status).toBe(201);
    expect((await api("POST", "/automations/", body(MAX_ACTIONS, "actions_on_trigger"))).status).toBe(201);
  });

  it("answer 422 too_long beyond, on create and replace, and store nothing", async () => {
    const before = (await api("POST", "/automations/count")).body;
    for (const list of ["actions", "actions_on_trigger", "actions_on_resolve"]) {
      const res = await api("POST", "/automations/", body(MAX_ACTIONS + 1, list));
      expect(res.status).toBe(422);
      expect(res.body.exception_detail[0]).toMatchObject({ type: "too_long", loc: ["body", list], ctx: { max_length: MAX_ACTIONS, actual_length: MAX_ACTIONS + 1 } });
    }
    expect((await api("POST", "/automations/count")).body).toBe(before);
    const created = (await api("POST", "/automations/", body(1))).body;
    expect((await api("PUT", `/automations/${created.id}`, body(MAX_ACTIONS + 1))).status).toBe(422);
  });
});
