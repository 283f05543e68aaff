import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { getDb } from "../../../src/db/client";
import type { StoredEvent } from "../../../src/db/queries/events";
import { drainEventOutbox } from "../../../src/events/outbox";
import type { AutomationTriggers } from "../../../src/events/automations/automation-triggers";
import { automationTriggersOf } from "../../../src/events/automations/objects";
import type { LoadedAutomation, StoredTrigger } from "../../../src/events/automations/contract";
import { uuid4 } from "../../../src/lib/ids";

/** An event trigger as the API stores it (every field present). */
export function eventTrigger(o: Partial<StoredTrigger> = {}): StoredTrigger {
  return { type: "event", id: uuid4(), match: {}, match_related: {}, after: [], expect: [], for_each: [], posture: "Reactive", threshold: 1, within: 0, ...o };
}

export function compound(require: "any" | "all" | number, triggers: StoredTrigger[], within: number | null = null): StoredTrigger {
  return { type: "compound", id: uuid4(), triggers, require, within };
}

export function sequence(triggers: StoredTrigger[], within: number | null = null): StoredTrigger {
  return { type: "sequence", id: uuid4(), triggers, within };
}

export function automation(trigger: StoredTrigger, o: Partial<LoadedAutomation> = {}): LoadedAutomation {
  return {
    id: uuid4(),
    name: `auto-${Math.random().toString(36).slice(2, 8)}`,
    description: "",
    enabled: true,
    tags: [],
    trigger,
    actions: [{ type: "do-nothing" }],
    actions_on_trigger: [],
    actions_on_resolve: [],
    created: null,
    updated: null,
    ...o,
  } as LoadedAutomation;
}

/**
 * Stores the automation's row as the API would (once): an object's alarm goes on only for an
 * automation that still exists, enabled, in D1.
 */
export async function storeAutomation(a: LoadedAutomation): Promise<void> {
  const json = (v: unknown) => JSON.stringify(v);
  const now = a.updated ?? new Date().toISOString();
  await env.DB.prepare(
    `INSERT OR REPLACE INTO automation (id, created, updated, name, description, enabled, tags, trigger, actions, actions_on_trigger, actions_on_resolve)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(a.id, a.created ?? now, now, a.name, a.description, a.enabled ? 1 : 0, json(a.tags), json(a.trigger), json(a.actions), json(a.actions_on_trigger), json(a.actions_on_resolve))
    .run();
}

/** A test clock near real time (alarms set from it stay in the future), moved by hand. */
export const T0 = Math.floor(Date.now() / 1000) * 1000 + 60_000;
export const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

export function event(name: string, o: Partial<StoredEvent> & { seconds?: number } = {}): StoredEvent {
  const { seconds = 0, ...rest } = o;
  return {
    id: uuid4(),
    occurred: at(seconds),
    received: at(seconds),
    event: name,
    resource: { "prefect.resource.id": "my.resource" },
    related: [],
    payload: {},
    follows: null,
    ...rest,
  };
}

export interface Fired {
  occurred: string;
  resource: Record<string, string>;
  related: Record<string, string>[];
  payload: { triggering_labels: Record<string, string>; triggering_event: StoredEvent | null };
}

/** One automation's object, its clock set to T0 + `seconds`. */
export class Harness {
  readonly stub: DurableObjectStub<AutomationTriggers>;
  seconds = 0;

  constructor(readonly automation: LoadedAutomation) {
    this.stub = automationTriggersOf(env, automation.id) as DurableObjectStub<AutomationTriggers>;
  }

  async setClock(seconds: number): Promise<void> {
    this.seconds = seconds;
    await runInDurableObject(this.stub, (object) => {
    const instance = object as unknown as AutomationTriggers;
      instance.clock = () => T0 + seconds * 1000;
    });
  }

  async evaluate(...events: StoredEvent[]): Promise<void> {
    await storeAutomation(this.automation);
    await this.stub.evaluate(this.automation, events);
  }

  /** Sends each event at its own time (the clock at its `occurred`). */
  async send(...events: StoredEvent[]): Promise<void> {
    for (const e of events) {
      await this.setClock((Date.parse(e.occurred) - T0) / 1000);
      await this.evaluate(e);
    }
  }

  /** Runs the alarm with the clock at T0 + `seconds`; answers whether one was set. */
  async alarmAt(seconds: number): Promise<boolean> {
    await storeAutomation(this.automation);
    await this.setClock(seconds);
    return runDurableObjectAlarm(this.stub);
  }

  async alarmTime(): Promise<number | null> {
    return runInDurableObject(this.stub, (_i, state) => state.storage.getAlarm());
  }

  /** The `prefect.automation.triggered` events recorded so far, oldest first. */
  async fired(): Promise<Fired[]> {
    const db = getDb(env.DB);
    await drainEventOutbox(db);
    const { results } = await env.DB.prepare(
      `SELECT occurred, resource, related, payload FROM event WHERE resource_id = ? AND event = 'prefect.automation.triggered' ORDER BY occurred, id`,
    )
      .bind(`prefect.automation.${this.automation.id}`)
      .all<Record<string, string>>();
    return results.map((r) => ({ occurred: r.occurred, resource: JSON.parse(r.resource), related: JSON.parse(r.related), payload: JSON.parse(r.payload) }));
  }

  /** How many times it fired, and the triggering events' ids. */
  async firedFor(): Promise<(string | null)[]> {
    return (await this.fired()).map((f) => f.payload.triggering_event?.id ?? null);
  }
}
