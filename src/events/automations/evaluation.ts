import type { StoredEvent } from "../../db/queries/events";
import { uuid4 } from "../../lib/ids";
import type { Firing, LoadedAutomation, StoredTrigger } from "./contract";
import { bucketingKey, covers, expects, startsAfter, triggeringLabels } from "./matching";
import { isoOfMicros, micros, type Bucket, type TriggerState } from "./trigger-state";

/**
 * Prefect's trigger evaluation (server/events/triggers.py) over one automation's TriggerState:
 * event triggers count events in time-window buckets per for_each key and fire reactively (enough
 * events) or proactively (too few by the window's end); a child's firing feeds its compound or
 * sequence parent. Synchronous: every state change of one event or evaluation happens without an
 * await, so concurrent calls of the object cannot interleave inside it. The top-level firings are
 * collected in `fired` for the caller to act on.
 */

/** How far back a bucket opened by an event without `after` reaches (Prefect's PRECEDING_EVENT_LOOKBACK). */
export const LOOKBACK_US = 15 * 60 * 1_000_000;
/** Proactive `within` below this is stored as it (Prefect's minimum). */
const MIN_PROACTIVE_WITHIN_S = 10;

const isComposite = (t: StoredTrigger) => t.type === "compound" || t.type === "sequence";
const isProactive = (t: StoredTrigger) => t.posture === "Proactive";

export function withinMicros(trigger: StoredTrigger): number {
  let seconds = Number(trigger.within ?? 0);
  if (isProactive(trigger) && seconds < MIN_PROACTIVE_WITHIN_S) seconds = MIN_PROACTIVE_WITHIN_S;
  return Math.round(seconds * 1_000_000);
}

/** The trigger tree of one automation: ids for every trigger and each one's parent. */
export class TriggerTree {
  readonly root: StoredTrigger;
  readonly eventTriggers: StoredTrigger[] = [];
  private readonly parents = new Map<StoredTrigger, StoredTrigger | null>();
  private readonly ids = new Map<StoredTrigger, string>();

  constructor(readonly automation: LoadedAutomation) {
    this.root = automation.trigger as StoredTrigger;
    this.walk(this.root, null, "root");
  }

  private walk(trigger: StoredTrigger, parent: StoredTrigger | null, path: string): void {
    this.parents.set(trigger, parent);
    this.ids.set(trigger, typeof trigger.id === "string" && trigger.id ? trigger.id : path);
    if (trigger.type === "event") this.eventTriggers.push(trigger);
    if (isComposite(trigger)) (trigger.triggers ?? []).forEach((c: StoredTrigger, i: number) => this.walk(c, trigger, `${path}.${i}`));
  }

  /** Every trigger's id, composite ones included. */
  allIds(): string[] {
    return [...this.ids.values()];
  }

  idOf(trigger: StoredTrigger): string {
    return this.ids.get(trigger)!;
  }

  parentOf(trigger: StoredTrigger): StoredTrigger | null {
    return this.parents.get(trigger) ?? null;
  }

  proactiveTriggers(): StoredTrigger[] {
    return this.eventTriggers.filter(isProactive);
  }
}

export class Evaluation {
  /** Firings of the automation's top-level trigger, in order. */
  readonly fired: Firing[] = [];

  constructor(
    private readonly tree: TriggerTree,
    private readonly state: TriggerState,
    /** Wall-clock epoch microseconds (the firing time). */
    private readonly now: () => number,
  ) {}

  /** Whether any of the automation's event triggers covers the event. */
  concerns(event: StoredEvent): boolean {
    return this.tree.eventTriggers.some((t) => covers(t, event, this.tree.automation.id));
  }

  /** Prefect's reactive_evaluation of one event against every event trigger that covers it. */
  event(event: StoredEvent): void {
    const occurred = micros(event.occurred);
    for (const trigger of this.tree.eventTriggers) {
      if (!covers(trigger, event, this.tree.automation.id)) continue;
      const id = this.tree.idOf(trigger);
      const proactive = isProactive(trigger);
      const within = withinMicros(trigger);
      const key = bucketingKey(trigger, event);
      const expected = expects(trigger, event.event);
      const hasAfter = (trigger.after ?? []).length > 0;
      let bucket: Bucket | null = null;
      if (hasAfter && startsAfter(trigger, event.event)) {
        // The same event both opening and counting in a window (a heartbeat): start at -1 so the
        // event that opens the window leaves it at 0.
        bucket = this.state.ensureBucket(id, proactive, key, occurred, occurred + within, event, expected ? -1 : 0);
      }
      if (!bucket && !hasAfter && expected) {
        // A first window reaches back, to count events that arrive out of order.
        bucket = this.state.ensureBucket(id, proactive, key, occurred - LOOKBACK_US, occurred + within, event);
      }
      if (!expected) continue;
      bucket ??= this.state.readBucket(id, key);
      if (!bucket) continue;
      this.bucket(trigger, bucket, occurred, event);
    }
  }

  /** Prefect's proactive_evaluation of one trigger as of `asOf`; answers when to evaluate it next. */
  proactive(trigger: StoredTrigger, asOf: number): number {
    const id = this.tree.idOf(trigger);
    const within = withinMicros(trigger);
    let runAgainAt = asOf + within;
    if (!(trigger.for_each ?? []).length) this.state.ensureBucket(id, true, [], asOf, asOf + within, null);
    this.state.removeBucketsReaching(id, Number(trigger.threshold ?? 1));
    for (const bucket of this.state.bucketsOf(id)) {
      const next = this.bucket(trigger, bucket, asOf, null);
      if (next && asOf < next.end && next.end < runAgainAt) runAgainAt = next.end;
    }
    return runAgainAt;
  }

  /** Prefect's evaluate(): spends an event in a bucket, fires, and opens the next window. */
  private bucket(trigger: StoredTrigger, bucket: Bucket, now: number, event: StoredEvent | null): Bucket | null {
    const proactive = isProactive(trigger);
    const within = withinMicros(trigger);
    const threshold = Number(trigger.threshold ?? 1);
    const immediate = !proactive && within === 0;
    let count = event ? 1 : 0;

    // An old or out-of-order event, or one during a reactive trigger's cool-down.
    if (now < bucket.start) return bucket;

    if (count && (immediate || (bucket.start <= now && now < bucket.end))) {
      bucket = this.state.incrementBucket(bucket, count, event);
      count = 0;
    }

    // Reactive triggers fire as soon as they can; proactive ones only once the window is over.
    const ready = !proactive || bucket.end <= now;
    const meets = proactive ? bucket.count < threshold : bucket.count >= threshold;

    if (ready && meets) {
      this.fire({
        id: uuid4(),
        trigger,
        trigger_states: ["Triggered"],
        triggered: isoOfMicros(this.now()),
        triggering_labels: triggeringLabels(trigger, bucket.key),
        triggering_firings: [],
        triggering_event: event ?? bucket.lastEvent,
        triggering_value: null,
      });
      this.state.removeBucket(bucket);
    } else if (now < bucket.end) {
      // A heartbeat (an event both in `after` and `expect`) that made its count restarts the window.
      if (event && proactive && !meets && startsAfter(trigger, event.event) && expects(trigger, event.event)) {
        this.state.removeBucket(bucket);
        return this.state.startBucket(bucket.triggerId, true, bucket.key, micros(event.occurred), micros(event.occurred) + within, 0, event);
      }
      return bucket;
    }

    // The window is over or fired: a trigger with `after` waits for its next after-event.
    if ((trigger.after ?? []).length) {
      this.state.removeBucket(bucket);
      return null;
    }
    if (within === 0) return null;
    const start = Math.max(bucket.end, now);
    if (!proactive && count > 0) {
      // The event came after the window: it opens the next one, where it may fire at once.
      const next = this.state.startBucket(bucket.triggerId, false, bucket.key, start, start + within, 0, null);
      return this.bucket(trigger, next, now, event);
    }
    return this.state.startBucket(bucket.triggerId, proactive, bucket.key, start, start + within, count, null);
  }

  private fire(firing: Firing): void {
    const parent = this.tree.parentOf(firing.trigger);
    if (!parent) this.fired.push(firing);
    else this.composite(parent, firing);
  }

  /** A child fired: Prefect's evaluate_composite_trigger. */
  private composite(parent: StoredTrigger, firing: Firing): void {
    const children: StoredTrigger[] = parent.triggers ?? [];
    const needed = parent.type === "sequence" ? children.length : parent.require === "any" ? 1 : parent.require === "all" ? children.length : Number(parent.require);
    const fireParent = (firings: Firing[]) =>
      this.fire({
        id: uuid4(),
        trigger: parent,
        trigger_states: ["Triggered"],
        triggered: isoOfMicros(this.now()),
        triggering_labels: {},
        triggering_firings: firings,
        triggering_event: firing.triggering_event,
        triggering_value: null,
      });
    if (needed === 1) return fireParent([firing]);

    const parentId = this.tree.idOf(parent);
    const firedAt = micros(firing.triggered);
    if (parent.within !== null && parent.within !== undefined) {
      this.state.clearChildFiringsBefore(parentId, firedAt - Math.round(Number(parent.within) * 1_000_000));
    }
    this.state.upsertChildFiring(parentId, this.tree.idOf(firing.trigger), firedAt, firing);
    const firings = this.state.childFirings(parentId);
    const ready =
      parent.type === "sequence"
        ? sameOrder(firings.map((f) => f.trigger.id), children.map((c) => c.id))
        : firings.length >= needed;
    if (!ready) return;
    this.state.clearChildFirings(parentId);
    fireParent(firings);
  }
}

function sameOrder(actual: unknown[], expected: unknown[]): boolean {
  return actual.length === expected.length && actual.every((id, i) => id === expected[i]);
}
