import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import { planScheduleUpdate, plannedWorkQueueId, resolveWorkQueueId } from "../../src/db/queries/deployments.plan";
import { unique } from "../helpers";

const interval = { interval: 60 };

describe("deployment create/update planning", () => {
  it("refuses schedules against Prefect's rules with a typed refusal, not a status", () => {
    const existing = [{ slug: "a" }, { slug: "c" }];
    expect(planScheduleUpdate(existing, [{ slug: "b", replaces: "a" }, { slug: "d", replaces: "a" }] as any, true)).toEqual({
      ok: false,
      refusal: { kind: "invalid_schedules", detail: "Multiple schedules have 'replaces' targeting the same slug: a" },
    });
    expect(planScheduleUpdate(existing, [{ schedule: interval }] as any, true)).toMatchObject({ ok: false, refusal: { kind: "invalid_schedules" } });
    expect(planScheduleUpdate(existing, [{ slug: "new" }] as any, true)).toMatchObject({ ok: false, refusal: { kind: "invalid_schedules" } });
  });

  it("plans a slug-targeted update, a replacement, or nothing", () => {
    expect(planScheduleUpdate([{ slug: "a" }], [{ slug: "a", active: false }, { slug: "b", schedule: interval }] as any, true)).toMatchObject({
      ok: true,
      value: { kind: "targeted", patch: [{ targetSlug: "a" }], create: [{ slug: "b", schedule: interval, active: true }] },
    });
    expect(planScheduleUpdate([{ slug: null }], [{ schedule: interval }] as any, true)).toMatchObject({ ok: true, value: { kind: "replace" } });
    expect(planScheduleUpdate([], [], false)).toEqual({ ok: true, value: { kind: "none" } });
  });

  it("refuses a work pool that does not exist, and leaves the queue alone when none is named", async () => {
    const db = getDb(env.DB);
    const poolName = unique("missing-pool");
    expect(await resolveWorkQueueId(db, poolName, undefined)).toEqual({ ok: false, refusal: { kind: "work_pool_missing", poolName } });
    expect(await resolveWorkQueueId(db, poolName, "q")).toEqual({ ok: false, refusal: { kind: "work_pool_missing", poolName } });
    expect(await plannedWorkQueueId(db, {}, new Set())).toEqual({ ok: true, value: undefined });
    expect(await plannedWorkQueueId(db, { work_pool_name: null }, new Set(["work_pool_name"]))).toEqual({ ok: true, value: null });
  });
});
