import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../../env";
import type { StoredEvent } from "../../db/queries/events";
import { d1Binding, databaseOf } from "../../db/client";
import { readAutomation } from "../../db/queries/automations";
import { receivedEventById } from "../../db/queries/event-lookup";
import type { LoadedAutomation } from "./contract";
import { Evaluation, LOOKBACK_US, TriggerTree } from "./evaluation";
import { act } from "./firing";
import { micros, TriggerState } from "./trigger-state";

/** How long a processed event's id is remembered, to ignore it when delivered again (Prefect's SEEN_EXPIRATION). */
const SEEN_US = 30 * 60 * 1_000_000;
/** Buckets whose window closed this long ago are swept (PREFECT_EVENTS_EXPIRED_BUCKET_BUFFER). */
const EXPIRED_BUCKET_US = 60 * 1_000_000;
/** A held follower's leader is looked for in D1 again this often (it may never be routed here). */
const HOLD_RECHECK_MS = 1000;
/** The soonest an alarm is set for. */
const MIN_ALARM_MS = 1000;
/** How many leaders deep an event may pull in before it is evaluated anyway (Prefect's MAX_DEPTH_OF_PRECEDING_EVENT). */
const MAX_DEPTH = 20;

/**
 * One automation's trigger state (Prefect's automation_bucket and composite_trigger_child_firing
 * rows), in this object's SQLite storage: buckets per trigger and for_each key, counts, windows,
 * composite child firings; proactive windows end by the object's alarm. Named `automation:<id>`.
 *
 * Causal ordering: an event that `follows` one this object has not seen is evaluated after its
 * leader. The object sees only the events routed to it, so it asks D1 whether the server has
 * received the leader: if so, the leader is evaluated first when it concerns this automation
 * (and ignored when it arrives); if not, the follower is held until the leader arrives or 15
 * minutes pass. Calls run one at a time.
 */
export class AutomationTriggers extends DurableObject<Bindings> {
  /** The wall clock, epoch milliseconds (tests move time by replacing it). */
  clock: () => number = () => Date.now();

  private readonly state: TriggerState;
  private tree: TriggerTree | null = null;
  private treeJson = "";
  private alarmAt: number | null | undefined;
  private eventsClock: { occurred: number; updated: number } | null = null;
  private sweptAt = -Infinity;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.state = new TriggerState(ctx.storage.sql);
  }

  /** Evaluates `events` (in arrival order) against `automation`'s triggers; firings enqueue actions. */
  async evaluate(automation: LoadedAutomation, events: StoredEvent[]): Promise<void> {
    return this.serially(async () => {
      const tree = this.load(this.newer(automation));
      const evaluation = this.evaluation(tree);
      try {
        for (const event of events) await this.process(evaluation, event, 0);
        this.proactiveDue(evaluation, tree);
        this.sweep();
      } finally {
        await this.schedule(tree);
        await act(this.env, automation, evaluation.fired);
      }
    });
  }

  /** Forgets all trigger state (the automation was updated, disabled or deleted). */
  async reset(): Promise<void> {
    return this.serially(() => this.forget());
  }

  private async forget(): Promise<void> {
    this.state.clear();
    this.tree = null;
    this.treeJson = "";
    this.eventsClock = null;
    await this.ctx.storage.deleteAlarm();
    this.alarmAt = null;
  }

  /**
   * An isolate whose index is up to a second stale may still hand over an older version of the
   * automation after it changed: the newer of the two is evaluated.
   */
  private newer(automation: LoadedAutomation): LoadedAutomation {
    const known = this.tree?.automation ?? this.state.automation();
    return known && known.id === automation.id && (known.updated ?? "") > (automation.updated ?? "") ? known : automation;
  }

  /**
   * The automation as stored now, or null when it was deleted or disabled. An alarm checks it first:
   * a stale isolate's late call may have re-armed an object after its automation's reset.
   */
  private async current(automation: LoadedAutomation): Promise<LoadedAutomation | null> {
    const stored = await readAutomation(databaseOf(this.env), automation.id);
    return stored?.enabled ? stored : null;
  }

  /** Proactive windows that end, followers whose leader came or never will. */
  async alarm(): Promise<void> {
    this.alarmAt = undefined;
    return this.serially(async () => {
      const known = this.tree?.automation ?? this.state.automation();
      if (!known) return;
      const automation = await this.current(known);
      if (!automation) return this.forget();
      const tree = this.load(automation);
      const evaluation = this.evaluation(tree);
      try {
        await this.releaseHeld(evaluation);
        this.proactiveDue(evaluation, tree);
        const now = this.nowUs();
        this.state.sweepBuckets(now + this.eventsClockOffset() - EXPIRED_BUCKET_US, false);
        this.state.forgetSeenBefore(now - SEEN_US);
      } finally {
        await this.schedule(tree);
        await act(this.env, automation, evaluation.fired);
      }
    });
  }

  /**
   * Forgets reactive buckets closed over a minute ago and event ids seen over 30 minutes ago, at
   * most once a minute (an automation without proactive triggers has no alarm to do it).
   */
  private sweep(): void {
    const now = this.nowUs();
    if (now - this.sweptAt < EXPIRED_BUCKET_US) return;
    this.sweptAt = now;
    this.state.sweepBuckets(now + this.eventsClockOffset() - EXPIRED_BUCKET_US, true);
    this.state.forgetSeenBefore(now - SEEN_US);
  }

  private nowUs(): number {
    return this.clock() * 1000;
  }

  private evaluation(tree: TriggerTree): Evaluation {
    return new Evaluation(tree, this.state, () => this.nowUs());
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The automation's trigger tree; a new or changed automation is stored for the alarm. */
  private load(automation: LoadedAutomation): TriggerTree {
    const json = JSON.stringify(automation);
    if (!this.tree || json !== this.treeJson) {
      this.tree = new TriggerTree(automation);
      if (json !== this.treeJson) {
        this.state.saveAutomation(json);
        this.state.keepOnlyTriggers(this.tree.allIds());
      }
      this.treeJson = json;
    }
    return this.tree;
  }

  private async process(evaluation: Evaluation, event: StoredEvent, depth: number): Promise<void> {
    if (event.event === "prefect.log.write" || this.state.hasSeen(event.id)) return;
    if (depth < MAX_DEPTH && this.mustWait(event)) {
      if (this.state.isHeld(event.id)) return;
      const leader = await receivedEventById(d1Binding(this.env), event.follows!);
      if (!leader) {
        this.state.hold(event, this.nowUs());
        return;
      }
      if (evaluation.concerns(leader)) await this.process(evaluation, leader, depth + 1);
    }
    this.evaluateNow(evaluation, event);
    for (const follower of this.state.releaseFollowers(event.id)) await this.process(evaluation, follower, depth + 1);
  }

  private evaluateNow(evaluation: Evaluation, event: StoredEvent): void {
    const now = this.nowUs();
    evaluation.event(event);
    this.state.markSeen(event.id, now);
    this.tickEventsClock(event, now);
  }

  /**
   * Prefect judges proactive windows by the events' clock, not the wall's: the latest `occurred`
   * processed (never ahead of now), advancing in real time since it was seen. Events processed
   * late (a backlog, old timestamps) so do not end windows early.
   */
  private tickEventsClock(event: StoredEvent, now: number): void {
    const occurred = Math.min(micros(event.occurred), now);
    const clock = this.eventsClock ?? this.state.eventsClock();
    this.eventsClock = { occurred: clock && occurred < clock.occurred ? clock.occurred : occurred, updated: now };
    this.state.saveEventsClock(this.eventsClock);
  }

  /** Microseconds to add to the wall clock to read the events' clock (≤ 0). */
  private eventsClockOffset(): number {
    const clock = this.eventsClock ?? this.state.eventsClock();
    return clock ? clock.occurred - clock.updated : 0;
  }

  /** The event follows one not seen here, and was received less than 15 minutes ago. */
  private mustWait(event: StoredEvent): boolean {
    if (!event.follows || event.follows === event.id || this.state.hasSeen(event.follows)) return false;
    return this.nowUs() - micros(event.received) < LOOKBACK_US;
  }

  private async releaseHeld(evaluation: Evaluation): Promise<void> {
    for (const { event } of this.state.held()) {
      if (!this.state.isHeld(event.id)) continue;
      if (this.mustWait(event)) {
        const leader = await receivedEventById(d1Binding(this.env), event.follows!);
        if (!leader) continue;
        if (evaluation.concerns(leader)) {
          await this.process(evaluation, leader, 1);
          continue; // the leader released its followers
        }
      }
      this.state.release(event.id);
      await this.process(evaluation, event, MAX_DEPTH);
    }
  }

  /** Evaluates the proactive triggers that are due, or whose window has ended. */
  private proactiveDue(evaluation: Evaluation, tree: TriggerTree): void {
    const triggers = tree.proactiveTriggers();
    if (!triggers.length) return;
    const now = this.nowUs();
    const offset = this.eventsClockOffset();
    const runs = this.state.proactiveRuns();
    const ended = this.state.triggersWithEndedWindows(now + offset);
    for (const trigger of triggers) {
      const id = tree.idOf(trigger);
      const at = runs.get(id);
      // Next runs are kept in wall-clock time (Prefect re-checks every 5 s instead).
      if (at === undefined || at <= now || ended.has(id)) this.state.setProactiveRun(id, evaluation.proactive(trigger, now + offset) - offset);
    }
  }

  /** The alarm goes off at the next proactive run or window end, or to look for held followers' leaders. */
  private async schedule(tree: TriggerTree): Promise<void> {
    const times: number[] = [];
    if (tree.proactiveTriggers().length) {
      const ids = new Set(tree.proactiveTriggers().map((t) => tree.idOf(t)));
      for (const [id, at] of this.state.proactiveRuns()) if (ids.has(id)) times.push(at / 1000);
      const end = this.state.earliestProactiveEnd();
      if (end !== null) times.push((end - this.eventsClockOffset()) / 1000);
    }
    const held = this.state.earliestHold();
    if (held !== null) times.push(Math.min(held / 1000 + LOOKBACK_US / 1000, this.clock() + HOLD_RECHECK_MS));
    // Never sooner than a second from now: whatever was due has just been evaluated.
    const next = times.length ? Math.ceil(Math.max(Math.min(...times), this.clock() + MIN_ALARM_MS)) : null;
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (next === this.alarmAt) return;
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
    this.alarmAt = next;
  }
}
