import type { Context, FlowContext, OrchestrationResult } from "./context";
import type { RunState, TransitionEnd } from "./states";

/**
 * The orchestration loop, with Prefect's semantics. A policy is an ordered list of rules and
 * universal transforms. Rules apply only to the transition they were written for (FROM → TO
 * state types) and only while the proposal still is that transition: once an earlier rule has
 * rejected, delayed or aborted it, later rules are skipped ("invalid"), and a rule whose
 * `before` already ran when a later rule changed the proposal undoes its side effects
 * (`cleanup`, "fizzled") instead of running `after`. Universal transforms always run and check
 * for a nullified proposal themselves. Hooks unwind in reverse order after validation.
 */

export interface RuleApi<C extends Context> {
  ctx: C;
  /** Replaces the proposal with `state`, or with no new state (the run keeps its current one). */
  reject(state: RunState | null, reason: string): void;
  /** No state is written; the client is told to retry after `seconds`. */
  delay(seconds: number, reason: string): void;
  /** No state is written and the client should stop orchestrating this run. */
  abort(reason: string): void;
  rename(name: string): void;
  /** Memory shared by one rule's `before`, `after` and `cleanup` within a transition. */
  scratch: Record<string, any>;
}

export interface Rule<C extends Context> {
  name: string;
  from: ReadonlySet<TransitionEnd>;
  to: ReadonlySet<TransitionEnd>;
  before?(api: RuleApi<C>): void | Promise<void>;
  after?(api: RuleApi<C>): void | Promise<void>;
  cleanup?(api: RuleApi<C>): void | Promise<void>;
}

export interface Transform<C extends Context> {
  name: string;
  universal: true;
  before?(ctx: C): void | Promise<void>;
  after?(ctx: C): void | Promise<void>;
}

export type PolicyEntry<C extends Context> = Rule<C> | Transform<C>;
export type Policy<C extends Context> = readonly PolicyEntry<C>[];

const typeOf = (s: RunState | null) => s?.type ?? null;

export const nullified = (ctx: Context) => ctx.proposedState === null;

/** Contexts whose orchestration hit an error: universal transforms skip their `after` hooks. */
const failed = new WeakSet<Context>();

function abortOnError(ctx: Context, entry: { name: string }, err: unknown) {
  console.error(`orchestration: ${entry.name} failed`, err);
  failed.add(ctx);
  ctx.proposedState = null;
  ctx.status = "ABORT";
  ctx.details = { type: "abort_details", reason: `Aborting orchestration due to error in ${entry.name}: ${String(err)}` };
}

function ruleApi<C extends Context>(ctx: C, self: { to: TransitionEnd }): RuleApi<C> {
  return {
    ctx,
    scratch: {},
    reject(state, reason) {
      if (state === null && ctx.initialState === null)
        throw new Error("The current run has no state; this transition cannot be rejected without providing a new state.");
      self.to = typeOf(state);
      ctx.proposedState = state;
      ctx.status = "REJECT";
      ctx.details = { type: "reject_details", reason };
    },
    delay(seconds, reason) {
      self.to = null;
      ctx.proposedState = null;
      ctx.status = "WAIT";
      ctx.details = { type: "wait_details", delay_seconds: seconds, reason };
    },
    abort(reason) {
      self.to = null;
      ctx.proposedState = null;
      ctx.status = "ABORT";
      ctx.details = { type: "abort_details", reason };
    },
    rename(name) {
      if (ctx.proposedState) ctx.proposedState.name = name;
    },
  };
}

/** Runs `policy` then `globals` over the context; returns what the transition resolved to. */
export async function orchestrate<C extends Context>(ctx: C, policy: Policy<C>, globals: Policy<C>): Promise<OrchestrationResult> {
  const from = typeOf(ctx.initialState);
  const intendedTo = typeOf(ctx.proposedState);
  const exits: (() => Promise<void>)[] = [];

  for (const entry of [...policy, ...globals]) {
    if ("universal" in entry) {
      try {
        await entry.before?.(ctx);
      } catch (err) {
        abortOnError(ctx, entry, err);
      }
      exits.push(async () => {
        if (!failed.has(ctx)) await entry.after?.(ctx);
      });
      continue;
    }
    if (!entry.from.has(from) || !entry.to.has(intendedTo)) continue;
    // The proposal has already been changed by an earlier rule: this rule no longer applies.
    if (typeOf(ctx.proposedState) !== intendedTo) continue;
    const self = { to: intendedTo };
    const api = ruleApi(ctx, self);
    try {
      await entry.before?.(api);
    } catch (err) {
      abortOnError(ctx, entry, err);
    }
    exits.push(async () => {
      // A rule that moved the proposal outside its own TO states (e.g. rejected to "no new
      // state") no longer applies: neither `after` nor `cleanup` runs for it.
      if (!entry.to.has(self.to)) return;
      const fizzled = typeOf(ctx.proposedState) !== self.to;
      if (fizzled) await entry.cleanup?.(api);
      else await entry.after?.(api);
    });
  }

  // Validation: the proposal (if one is left) becomes the run's state; otherwise the run keeps its own.
  ctx.validatedState = ctx.proposedState ?? ctx.initialState;
  for (const exit of exits.reverse()) await exit();
  return { state: ctx.validatedState, status: ctx.status, details: ctx.details };
}

/** A state a caller proposes for a run, and how (flow-run-state.ts, task-run-state.ts). */
export interface StateProposal {
  type: RunState["type"];
  name?: string | null;
  message?: string | null;
  data?: unknown;
  state_details?: Record<string, any> | null;
}

export interface SetStateOptions {
  force?: boolean;
  /** A policy other than the core one (e.g. the late-runs service's); `force` still wins. */
  policy?: Policy<FlowContext>;
  apiVersion?: string | null;
  clientVersion?: string | null;
}
