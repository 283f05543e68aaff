import { keepAlive } from "../../lib/keep-alive";
import type { Bindings } from "../../env";
import type { StoredEvent } from "../../db/queries/events";
import { databaseOf } from "../../db/client";
import { readAutomationSnapshot, readEnabledAutomations, type AutomationSnapshot } from "../../db/queries/automation-snapshot";
import { automationsConcerned, buildAutomationIndex, type AutomationIndex } from "./automation-index";
import { automationTriggersOf } from "./objects";
import { eventTriggers } from "./matching";
import type { LoadedAutomation, StoredTrigger } from "./contract";

/**
 * Hands stored events to the automations that may match them: an in-isolate index of enabled
 * automations' expect/after/match patterns decides which AutomationTriggers objects to call, so
 * an event that matches nothing costs no object call and no query. Never fails the caller.
 *
 * Keeping the index current — a created, updated, enabled, disabled or deleted automation takes
 * effect on the very next event, as Prefect reloads its cache after the commit:
 * - in this isolate, every automation write calls automationsChanged, which drops the index;
 * - across isolates, the index remembers the automation table's snapshot (count and latest
 *   `updated`, Prefect's own staleness test) it was loaded at. Client events (`/events/in`,
 *   `POST /events`) carry the snapshot read in the very D1 batch that stored them (one more
 *   statement in a round trip made anyway), so a change made through any isolate reaches the next
 *   client event. Server-made events are written by many different batches, so for them the
 *   snapshot is read on its own at most once per SNAPSHOT_TTL_MS per isolate (one small query,
 *   off the request's path): a change made elsewhere reaches them within a second, against the
 *   5 s of Prefect's fallback reconciliation. A stale snapshot reloads the index (one query).
 */
export const SNAPSHOT_TTL_MS = 1000;

interface LoadedIndex {
  index: AutomationIndex;
  snapshot: AutomationSnapshot;
  /** The local generation it was loaded in (automationsChanged starts a new one). */
  generation: number;
  checkedAt: number;
}

let loaded: LoadedIndex | null = null;
let generation = 0;
let loading: { generation: number; promise: Promise<LoadedIndex> } | null = null;

/** What the router did, for tests and benchmarks (counts since the isolate started). */
export const routerProbe = {
  /** AutomationTriggers.evaluate calls made. */
  objectCalls: 0,
  /** Index loads (queries of the enabled automations). */
  loads: 0,
  /** Snapshot reads on their own (the once-a-second check). */
  snapshotReads: 0,
  /** Tests: told of each object call. */
  onCall: null as null | ((automationId: string, events: StoredEvent[]) => void),
};


/** The loaded index if it may be used as is for events stored at `snapshot` (or, without one, now). */
function currentIndex(snapshot: AutomationSnapshot | undefined): LoadedIndex | null {
  if (!loaded || loaded.generation !== generation) return null;
  const now = Date.now();
  if (snapshot !== undefined) {
    if (snapshot !== loaded.snapshot) return null;
    loaded.checkedAt = now;
    return loaded;
  }
  return now - loaded.checkedAt < SNAPSHOT_TTL_MS ? loaded : null;
}

async function load(env: Bindings, snapshot: AutomationSnapshot | undefined): Promise<LoadedIndex> {
  const gen = generation;
  const db = databaseOf(env);
  const known = loaded;
  if (known && known.generation === gen) {
    let current = snapshot;
    if (current === undefined) {
      routerProbe.snapshotReads++;
      current = await readAutomationSnapshot(db);
    }
    if (current === known.snapshot) {
      known.checkedAt = Date.now();
      return known;
    }
  }
  routerProbe.loads++;
  const read = await readEnabledAutomations(db);
  const fresh: LoadedIndex = { index: buildAutomationIndex(read.automations), snapshot: read.snapshot, generation: gen, checkedAt: Date.now() };
  // Loaded before a local change committed: good for the events that asked, not for later ones.
  if (gen === generation) loaded = fresh;
  return fresh;
}

/** Concurrent batches share one load; a batch stored at a snapshot that load did not see loads again. */
async function refreshedIndex(env: Bindings, snapshot: AutomationSnapshot | undefined): Promise<LoadedIndex> {
  if (!loading || loading.generation !== generation) {
    const entry = { generation, promise: load(env, snapshot) };
    loading = entry;
    void entry.promise.finally(() => {
      if (loading === entry) loading = null;
    }).catch(() => undefined);
    return entry.promise;
  }
  const shared = await loading.promise;
  return snapshot === undefined || shared.snapshot === snapshot ? shared : load(env, snapshot);
}

function dispatch(index: AutomationIndex, events: StoredEvent[], env: Bindings): void {
  for (const [id, { automation, events: concerned }] of automationsConcerned(index, events)) {
    routerProbe.objectCalls++;
    routerProbe.onCall?.(id, concerned);
    let call: Promise<unknown>;
    try {
      call = automationTriggersOf(env, id).evaluate(automation, concerned);
    } catch (err) {
      console.error(`automations: could not evaluate events for automation ${id}`, err);
      continue;
    }
    keepAlive(Promise.resolve(call).catch((err) => console.error(`automations: could not evaluate events for automation ${id}`, err)));
  }
}

/**
 * Sends each automation its events among `events` (in their order), in one call per automation.
 * `snapshot`: the automation table's snapshot read in the batch that stored the events, if any.
 */
export function routeToAutomations(events: StoredEvent[], env: Bindings, snapshot?: AutomationSnapshot): void {
  if (!events.length) return;
  try {
    const current = currentIndex(snapshot);
    if (current) return dispatch(current.index, events, env);
  } catch (err) {
    console.error("automations: could not route events", err);
    return;
  }
  keepAlive(
    refreshedIndex(env, snapshot)
      .then((fresh) => dispatch(fresh.index, events, env))
      .catch((err) => console.error("automations: could not load the automations to route events to", err)),
  );
}

/** A Proactive trigger fires with no event at all: its object must know the automation from the start. */
function hasProactiveTrigger(automation: LoadedAutomation): boolean {
  return eventTriggers(automation.trigger as StoredTrigger).some((t) => t.posture === "Proactive");
}

/**
 * An automation write committed: the index is reloaded for the next event; the trigger state of
 * each automation in `reset` is forgotten, then each enabled automation in `live` with a
 * Proactive trigger is handed to its object with no events, which arms its windows (Prefect's
 * proactive evaluation covers every loaded automation, events or not) — all before this answers,
 * errors only logged (the write stands).
 */
export async function automationsChanged(env: Bindings, changes: { reset?: string[]; live?: LoadedAutomation[] } = {}): Promise<void> {
  generation++;
  loaded = null;
  const { reset = [], live = [] } = changes;
  const attempt = async (id: string, what: string, call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (err) {
      console.error(`automations: could not ${what} of automation ${id}`, err);
    }
  };
  await Promise.all(reset.map((id) => attempt(id, "reset the trigger state", () => automationTriggersOf(env, id).reset())));
  const armed = live.filter((a) => a.enabled && hasProactiveTrigger(a));
  await Promise.all(armed.map((a) => attempt(a.id, "arm the proactive triggers", () => automationTriggersOf(env, a.id).evaluate(a, []))));
}
