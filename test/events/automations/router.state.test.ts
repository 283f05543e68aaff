import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, settleEvents, unique } from "../../helpers";
import { automationTriggersOf } from "../../../src/events/automations/objects";

/**
 * What an automation write does to its AutomationTriggers object: updated, disabled and deleted
 * automations forget their trigger state; created, replaced and enabled ones with a Proactive
 * trigger have their windows armed at once (they may never see an event).
 */

const trigger = (overrides: Record<string, unknown> = {}) => ({
  type: "event",
  match: {},
  match_related: [],
  after: [],
  expect: [],
  for_each: [],
  posture: "Reactive",
  threshold: 1,
  within: 0,
  ...overrides,
});

async function create(triggerSpec: Record<string, unknown>) {
  const res = await api("POST", "/automations/", { name: unique("state"), trigger: triggerSpec, actions: [{ type: "do-nothing" }] });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; [k: string]: any };
}

const objectOf = (id: string) => automationTriggersOf(env as any, id);

/** Waits until the object has handled every call made to it so far (its calls run one at a time). */
async function objectSettled(id: string) {
  const automation = (await api("GET", `/automations/${id}`)).body;
  if (automation?.id) await objectOf(id).evaluate(automation, []);
}

async function post(name: string, resource = `my.resource.${crypto.randomUUID()}`) {
  const res = await api("POST", "/events", [{ id: crypto.randomUUID(), occurred: new Date().toISOString(), event: name, resource: { "prefect.resource.id": resource }, related: [], payload: {} }]);
  expect(res.status).toBe(204);
}

async function firings(id: string): Promise<number> {
  await settleEvents();
  const row = await env.DB.prepare("SELECT count(*) AS n FROM event WHERE resource_id = ? AND event = 'prefect.automation.triggered'")
    .bind(`prefect.automation.${id}`)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

const alarmOf = (id: string) => runInDurableObject(objectOf(id), (_o, state) => state.storage.getAlarm());

describe("automation writes and trigger state", () => {
  it("disabling forgets the counts so far (re-enabled, counting starts afresh)", async () => {
    const name = unique("twice");
    const automation = await create(trigger({ expect: [name], threshold: 2, within: 600 }));
    await post(name);
    await objectSettled(automation.id);
    expect((await api("PATCH", `/automations/${automation.id}`, { enabled: false })).status).toBe(204);
    expect((await api("PATCH", `/automations/${automation.id}`, { enabled: true })).status).toBe(204);
    await post(name);
    await objectSettled(automation.id);
    expect(await firings(automation.id)).toBe(0);
    await post(name);
    await objectSettled(automation.id);
    expect(await firings(automation.id)).toBe(1);
  });

  it("an untouched automation keeps counting (the control of the case above)", async () => {
    const name = unique("twice");
    const automation = await create(trigger({ expect: [name], threshold: 2, within: 600 }));
    await post(name);
    await objectSettled(automation.id);
    await post(name);
    await objectSettled(automation.id);
    expect(await firings(automation.id)).toBe(1);
  });

  it("replacing an automation empties its object's storage of the old trigger state", async () => {
    const name = unique("replaced");
    const automation = await create(trigger({ expect: [name], threshold: 5, within: 600 }));
    await post(name);
    await objectSettled(automation.id);
    const tables = () =>
      runInDurableObject(objectOf(automation.id), (_o, state) => {
        const names = state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'").toArray().map((r) => String(r.name));
        return Object.fromEntries(names.map((t) => [t, Number(state.storage.sql.exec(`SELECT count(*) AS n FROM "${t}"`).one().n)]));
      });
    const before = await tables();
    expect(Object.values(before).some((n) => n > 0)).toBe(true);
    const body = { name: automation.name, trigger: trigger({ expect: [name], threshold: 5, within: 600 }), actions: [{ type: "do-nothing" }] };
    expect((await api("PUT", `/automations/${automation.id}`, body)).status).toBe(204);
    expect(Object.values(await tables()).every((n) => n === 0)).toBe(true);
  });

  it("a Proactive automation is armed when created or enabled, disarmed when disabled or deleted", async () => {
    const automation = await create(trigger({ expect: [unique("never")], posture: "Proactive", within: 30 }));
    expect(await alarmOf(automation.id)).toBeGreaterThan(Date.now());
    expect((await api("PATCH", `/automations/${automation.id}`, { enabled: false })).status).toBe(204);
    expect(await alarmOf(automation.id)).toBeNull();
    expect((await api("PATCH", `/automations/${automation.id}`, { enabled: true })).status).toBe(204);
    expect(await alarmOf(automation.id)).toBeGreaterThan(Date.now());
    expect((await api("DELETE", `/automations/${automation.id}`)).status).toBe(204);
    expect(await alarmOf(automation.id)).toBeNull();
  });

  it("a deployment's automations deleted as owned by it are disarmed", async () => {
    const owner = `prefect.deployment.${crypto.randomUUID()}`;
    const res = await api("POST", "/automations/", {
      name: unique("owned"),
      trigger: trigger({ expect: [unique("never")], posture: "Proactive", within: 30 }),
      actions: [{ type: "do-nothing" }],
      owner_resource: owner,
    });
    expect(res.status).toBe(201);
    expect(await alarmOf(res.body.id)).toBeGreaterThan(Date.now());
    expect((await api("DELETE", `/automations/owned-by/${owner}`)).status).toBe(202);
    expect(await alarmOf(res.body.id)).toBeNull();
  });
});
