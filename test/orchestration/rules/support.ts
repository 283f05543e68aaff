/**
 * Builders for pure orchestration unit tests: contexts, runs and states held in memory, no D1.
 */
import type { FlowRunRow, TaskRunRow } from "../../../src/db/queries/runs-serialize";
import { blankFlowRun, blankTaskRun } from "../../../src/db/queries/blank-runs";
import {
  newEffects,
  type Context,
  type FlowContext,
  type FlowRunSurroundings,
  type OrchestrationResult,
  type SlotAcquisition,
  type SlotGate,
  type TaskContext,
} from "../../../src/orchestration/context";
import { orchestrate, type Policy, type Rule, type RuleApi, type Transform } from "../../../src/orchestration/engine";
import { newState, type RunState, type StateType, type TransitionEnd } from "../../../src/orchestration/states";
import { addSeconds } from "../../../src/lib/time";

/** The transition clock every context uses unless told otherwise. */
export const NOW = "2024-06-01T12:00:00.000000Z";
/** When an initial state built from a bare type was entered: a minute before NOW. */
export const BEFORE = "2024-06-01T11:59:00.000000Z";

export const at = (seconds: number, from = NOW) => addSeconds(from, seconds);

export const STATE_TYPES: StateType[] = ["SCHEDULED", "PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "CRASHED", "PAUSED", "CANCELLING"];
export const TERMINAL: StateType[] = ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"];

export interface StateOverrides {
  id?: string;
  name?: string;
  timestamp?: string;
  message?: string | null;
  data?: unknown;
  details?: Record<string, any>;
}

/** A complete state of `type` (every state detail present, as the engine sees states). */
export function stateOf(type: StateType, o: StateOverrides = {}): RunState {
  const s = newState({ type, name: o.name, message: o.message, data: o.data, state_details: o.details ?? {} }, o.timestamp ?? NOW);
  if (o.id) s.id = o.id;
  return s;
}

let seq = 0;
const nextId = (prefix: string) => `${prefix}-${String(++seq).padStart(6, "0")}`;

export function flowRunRow(o: Partial<FlowRunRow> = {}): FlowRunRow {
  return blankFlowRun({
    id: nextId("flow-run"),
    created: BEFORE,
    updated: BEFORE,
    name: "tidy-otter",
    flow_id: "flow-1",
    empirical_policy: { max_retries: 0, retry_delay_seconds: 0, retries: null, retry_delay: null, pause_keys: [], resuming: false, retry_type: null },
    ...o,
  });
}

export function taskRunRow(o: Partial<TaskRunRow> = {}): TaskRunRow {
  return blankTaskRun({
    id: nextId("task-run"),
    created: BEFORE,
    updated: BEFORE,
    name: "say-hello-0",
    task_key: "say_hello-abc",
    dynamic_key: "0",
    empirical_policy: { max_retries: 0, retry_delay_seconds: 0, retries: null, retry_delay: null, retry_jitter_factor: null },
    ...o,
  });
}

/** A state, or a bare type (an initial one entered at BEFORE, a proposed one minted at NOW). */
type StateSpec = RunState | StateType | null;

function resolve(spec: StateSpec | undefined, timestamp: string): RunState | null {
  if (spec === undefined || spec === null) return null;
  return typeof spec === "string" ? stateOf(spec, { timestamp }) : spec;
}

function withCurrentState<R extends FlowRunRow | TaskRunRow>(run: R, initial: RunState | null, overrides: Partial<R>): R {
  if (!initial) return run;
  const filled = {
    ...run,
    state_id: initial.id,
    state_type: initial.type,
    state_name: initial.name,
    state_timestamp: initial.timestamp,
    state: initial,
  };
  return { ...filled, ...overrides } as R;
}

interface ContextOptions<R> {
  run?: Partial<R>;
  initial?: StateSpec;
  proposed?: StateSpec;
  apiVersion?: string | null;
  clientVersion?: string | null;
  now?: string;
}

export function flowContext(o: ContextOptions<FlowRunRow> & { surroundings?: Partial<FlowRunSurroundings> } = {}): FlowContext {
  const initial = resolve(o.initial, BEFORE);
  const proposed = resolve(o.proposed === undefined ? "RUNNING" : o.proposed, o.now ?? NOW);
  return {
    kind: "flow",
    run: withCurrentState(flowRunRow(o.run), initial, o.run ?? {}),
    surroundings: {
      flow: { id: "flow-1", name: "my-flow", tags: [] },
      deployment: null,
      workQueue: null,
      workPool: null,
      parentTaskRun: null,
      slots: null,
      ...o.surroundings,
    },
    initialState: initial,
    proposedState: proposed,
    validatedState: null,
    status: "ACCEPT",
    details: { type: "accept_details" },
    parameters: { apiVersion: o.apiVersion ?? null, clientVersion: o.clientVersion ?? null },
    now: o.now ?? NOW,
    effects: newEffects(),
  };
}

export function taskContext(
  o: ContextOptions<TaskRunRow> & { flowRun?: FlowRunRow | null; cache?: Record<string, RunState> } = {},
): TaskContext & { cacheLookups: string[] } {
  const initial = resolve(o.initial, BEFORE);
  const proposed = resolve(o.proposed === undefined ? "RUNNING" : o.proposed, o.now ?? NOW);
  const cacheLookups: string[] = [];
  const flowRun = o.flowRun === undefined ? null : o.flowRun;
  return {
    kind: "task",
    run: withCurrentState(taskRunRow({ flow_run_id: flowRun?.id ?? null, ...o.run }), initial, o.run ?? {}),
    surroundings: {
      flowRun,
      async cachedState(key) {
        cacheLookups.push(key);
        return o.cache?.[key] ?? null;
      },
    },
    initialState: initial,
    proposedState: proposed,
    validatedState: null,
    status: "ACCEPT",
    details: { type: "accept_details" },
    parameters: { apiVersion: o.apiVersion ?? null, clientVersion: o.clientVersion ?? null },
    now: o.now ?? NOW,
    effects: newEffects(),
    cacheLookups,
  };
}

/** A flow run in `type` (row fields and denormalized state), for task-run surroundings. */
export function flowRunIn(type: StateType | null, o: Partial<FlowRunRow> & { details?: Record<string, any> } = {}): FlowRunRow {
  const { details, ...rest } = o;
  const state = type ? stateOf(type, { timestamp: BEFORE, details }) : null;
  return flowRunRow({
    state_id: state?.id ?? null,
    state_type: state?.type ?? null,
    state_name: state?.name ?? null,
    state_timestamp: state?.timestamp ?? null,
    state,
    ...rest,
  });
}

/** Runs a policy (and globals) over a context. */
export function run<C extends Context>(ctx: C, policy: Policy<C> | Policy<any>, globals: Policy<C> | Policy<any> = []): Promise<OrchestrationResult> {
  return orchestrate(ctx, policy as Policy<C>, globals as Policy<C>);
}

export type SlotCall = { op: "acquire"; force: boolean } | { op: "release"; type: TransitionEnd };

/**
 * A SlotGate that records its calls; `grant` decides whether an enforced acquire succeeds,
 * `alreadyHeld` whether the run held its slots before.
 */
export class FakeSlotGate implements SlotGate {
  calls: SlotCall[] = [];
  constructor(
    public grant = true,
    public alreadyHeld = false,
  ) {}
  async acquire(force: boolean): Promise<SlotAcquisition> {
    this.calls.push({ op: "acquire", force });
    if (!force && !this.grant) return "refused";
    return this.alreadyHeld ? "held" : "taken";
  }
  async release(type: TransitionEnd): Promise<void> {
    this.calls.push({ op: "release", type });
  }
  get acquires() {
    return this.calls.filter((c) => c.op === "acquire");
  }
  get releases() {
    return this.calls.filter((c) => c.op === "release");
  }
}

export interface Trace {
  log: string[];
}

/**
 * A rule for engine tests that logs each hook it fires as `<name>.<hook>` and may act in `before`.
 */
export function tracingRule<C extends Context = Context>(
  trace: Trace,
  name: string,
  opts: {
    from?: ReadonlySet<TransitionEnd>;
    to?: ReadonlySet<TransitionEnd>;
    before?: (api: RuleApi<C>) => void | Promise<void>;
  } = {},
): Rule<C> {
  const ALL = new Set<TransitionEnd>([null, ...STATE_TYPES]);
  return {
    name,
    from: opts.from ?? ALL,
    to: opts.to ?? ALL,
    async before(api) {
      trace.log.push(`${name}.before`);
      await opts.before?.(api);
    },
    after() {
      trace.log.push(`${name}.after`);
    },
    cleanup() {
      trace.log.push(`${name}.cleanup`);
    },
  };
}

export function tracingTransform<C extends Context = Context>(trace: Trace, name: string): Transform<C> {
  return {
    name,
    universal: true,
    before() {
      trace.log.push(`${name}.before`);
    },
    after() {
      trace.log.push(`${name}.after`);
    },
  };
}

/** Every state type other than the ones given. */
export const otherThan = (...types: StateType[]) => STATE_TYPES.filter((t) => !types.includes(t));
