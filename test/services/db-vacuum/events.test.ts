import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../../src/db/client";
import { EVENT_ROUND_TRIPS_PER_PASS, vacuumEvents } from "../../../src/services/db-vacuum/events";
import { SERVICES } from "../../../src/services/cron";
import { seedEvents, storedEvents } from "../../fixtures/events";

const db = getDb(env.DB);
const withSettings = (vars: Record<string, string>) => ({ ...env, ...vars }) as any;
const pass = (vars: Record<string, string> = {}) => vacuumEvents(withSettings(vars), db);

// Each test starts with nothing older than a day (tests share the file's database).
beforeEach(async () => {
  await pass({ PREFECT_SERVER_EVENTS_RETENTION_PERIOD: "P1D" });
});

describe("events vacuum", () => {
  it("by default deletes events (with their resources) older than 7 days, nothing newer", async () => {
    const old = await seedEvents(3, { daysAgo: 7.01 });
    const recent = await seedEvents(2, { daysAgo: 6.99 });
    expect(await storedEvents(old)).toEqual({ events: 3, resources: 9 });
    expect(await pass()).toEqual({ deleted: 3, done: true });
    expect(await storedEvents(old)).toEqual({ events: 0, resources: 0 });
    expect(await storedEvents(recent)).toEqual({ events: 2, resources: 6 });
  });

  it("runs from the Cron Trigger's services", async () => {
    const old = await seedEvents(1, { daysAgo: 8 });
    await SERVICES["db-vacuum-events"](env as any);
    expect(await storedEvents(old)).toEqual({ events: 0, resources: 0 });
  });

  it("keeps events for PREFECT_SERVER_EVENTS_RETENTION_PERIOD (alias PREFECT_EVENTS_RETENTION_PERIOD)", async () => {
    const twoHours = await seedEvents(1, { daysAgo: 2 / 24 });
    const halfHour = await seedEvents(1, { daysAgo: 0.5 / 24 });
    await pass({ PREFECT_EVENTS_RETENTION_PERIOD: "01:00:00" });
    expect((await storedEvents(twoHours)).events).toBe(0);
    expect((await storedEvents(halfHour)).events).toBe(1);
    // The server's name wins over the alias.
    await pass({ PREFECT_SERVER_EVENTS_RETENTION_PERIOD: "P1D", PREFECT_EVENTS_RETENTION_PERIOD: "00:10" });
    expect((await storedEvents(halfHour)).events).toBe(1);
  });

  it("trims event types with a retention override sooner, the override capped by the global retention", async () => {
    const heartbeats = await seedEvents(2, { daysAgo: 0.2, event: "prefect.flow-run.heartbeat" });
    const others = await seedEvents(2, { daysAgo: 0.2 });
    const overrides = JSON.stringify({ "prefect.flow-run.heartbeat": 3600, "prefect.never": "P30D" });
    await pass({ PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES: overrides });
    expect((await storedEvents(heartbeats)).events).toBe(0);
    expect((await storedEvents(others)).events).toBe(2);

    // A longer override than the global retention does not keep events longer.
    const never = await seedEvents(1, { daysAgo: 8, event: "prefect.never" });
    await pass({ PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES: overrides });
    expect((await storedEvents(never)).events).toBe(0);
  });

  it("does nothing when the events vacuum or the event persister is disabled", async () => {
    const old = await seedEvents(1, { daysAgo: 30 });
    for (const vars of <Record<string, string>[]>[
      { PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED: "flow_runs" },
      { PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED: "null" },
      { PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED: "[]" },
      { PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED: "false" },
      { PREFECT_API_SERVICES_EVENT_PERSISTER_ENABLED: "off" },
    ]) {
      expect(await pass(vars)).toEqual({ deleted: 0, done: true });
    }
    expect((await storedEvents(old)).events).toBe(1);
    // The legacy `false` means "events only": events are still trimmed.
    await pass({ PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED: "false" });
    expect((await storedEvents(old)).events).toBe(0);
  });

  it("refuses settings Prefect refuses, deleting nothing", async () => {
    const old = await seedEvents(1, { daysAgo: 30 });
    await expect(pass({ PREFECT_SERVER_EVENTS_RETENTION_PERIOD: "604800" })).rejects.toThrow(/PREFECT_SERVER_EVENTS_RETENTION_PERIOD/);
    await expect(pass({ PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE: "0" })).rejects.toThrow(/BATCH_SIZE/);
    await expect(pass({ PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED: "logs" })).rejects.toThrow(/ENABLED/);
    expect((await storedEvents(old)).events).toBe(1);
  });

  it("deletes a batch per round trip and leaves what its pass cannot take for the next pass", async () => {
    const old = await seedEvents(EVENT_ROUND_TRIPS_PER_PASS * 2 + 3, { daysAgo: 10 });
    const recent = await seedEvents(2, { daysAgo: 1 / 24 });
    const vars = { PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE: "2" };
    expect(await pass(vars)).toEqual({ deleted: EVENT_ROUND_TRIPS_PER_PASS * 2, done: false });
    expect(await storedEvents(old)).toEqual({ events: 3, resources: 9 });
    expect(await pass(vars)).toEqual({ deleted: 3, done: true });
    expect((await storedEvents(old)).events).toBe(0);
    expect((await storedEvents(recent)).events).toBe(2);
  });
});
