import type { FlowRunRow, TaskRunRow } from "../db/queries/runs-serialize";
import type { ServerEvent } from "../db/queries/event-outbox";
import type { RunState, TransitionEnd } from "./states";

export type SetStateStatus = "ACCEPT" | "REJECT" | "ABORT" | "WAIT";

export type StateResponseDetails =
  | { type: "accept_details" }
  | { type: "reject_details"; reason: string | null }
  | { type: "abort_details"; reason: string | null }
  | { type: "wait_details"; delay_seconds: number; reason: string | null };

/** What a caller gets back from orchestration, as Prefect's OrchestrationResult. */
export interface OrchestrationResult {
  state: RunState | null;
  status: SetStateStatus;
  details: StateResponseDetails;
}

export type SlotAcquisition = "taken" | "held" | "refused";

/** Slot accounting a rule may call on (work-queue ledgers now; global limits later). */
export interface SlotGate {
  /**
   * Takes the run's slots: "taken" (now, or a reservation made firm), "held" (the run already
   * held them — not this decision's to give back), or "refused" when a limit is full.
   */
  acquire(force: boolean): Promise<SlotAcquisition>;
  /** Gives back slots the run holds in ledgers it no longer occupies after moving to `type`. */
  release(type: TransitionEnd): Promise<void>;
}

/** What a task run entering RUNNING gets from its tags' concurrency limits. */
export type TaskSlotOutcome =
  | { kind: "none" }
  | { kind: "acquired" }
  /** An active tag limit of 0: the run would never get a slot. */
  | { kind: "zero"; tag: string }
  /** A limit is full: retry after `delaySeconds`; `tags` are the tags with active limits. */
  | { kind: "full"; delaySeconds: number; tags: string[] };

/** Tag concurrency of a task run (v1 tag limits; src/concurrency/gates.ts). */
export interface TaskConcurrencyGate {
  /** Takes a slot in each of the run's active tag limits (all or none). */
  secure(): Promise<TaskSlotOutcome>;
  /** Gives back every slot the run holds in its tag limits. */
  release(): Promise<void>;
}

/** The concurrency limit of a flow run's deployment (src/concurrency/gates.ts). */
export interface DeploymentConcurrencyGate {
  /** The deployment's limit, when it has one. */
  limit: { id: string; limit: number; active: boolean; activeSlots: number } | null;
  collisionStrategy: "ENQUEUE" | "CANCEL_NEW" | null;
  /**
   * Takes a slot under a lease for the run: its id (`reused` when the run already held that
   * lease, so nothing new was taken), or null when the limit is full.
   */
  acquire(): Promise<{ leaseId: string; reused: boolean } | null>;
  /** Extends the lease by the deployment's grace period; false when it is gone. */
  renew(leaseId: string): Promise<boolean>;
  /** Gives the lease's slot back (without a lease id: a slot taken without one). */
  release(leaseId: string | null): Promise<void>;
  /** Keeps the slot but stops the lease expiring (clients too old to renew it). */
  detach(leaseId: string): Promise<void>;
}

/** Facts about the run's surroundings, loaded with the run in the same read. */
export interface FlowRunSurroundings {
  flow: { id: string; name: string; tags: string[]; labels?: Record<string, unknown> } | null;
  deployment: { id: string; name: string; tags: string[] } | null;
  workQueue: { id: string; name: string } | null;
  workPool: { id: string; name: string; type: string } | null;
  /** The subflow's wrapper task run in its parent flow run. */
  parentTaskRun: TaskRunRow | null;
  slots: SlotGate | null;
  /** The deployment's concurrency limit; absent or null when the run has no deployment. */
  limits?: DeploymentConcurrencyGate | null;
}

export interface TaskRunSurroundings {
  flowRun: FlowRunRow | null;
  /** The newest unexpired cached COMPLETED state for a cache key, if any. */
  cachedState(cacheKey: string): Promise<RunState | null>;
  /** The run's tag concurrency limits; absent or null when none applies. */
  limits?: TaskConcurrencyGate | null;
}

export interface OrchestrationParameters {
  apiVersion: string | null;
  clientVersion: string | null;
}

/** Effects the rules ask for, carried out by whoever writes the transition. */
export interface Effects {
  events: ServerEvent[];
  /** Done once the transition is stored (e.g. giving back slots). */
  afterCommit: (() => Promise<void>)[];
  /** Done if the transition cannot be stored (e.g. giving back slots taken for it). */
  onWriteFailure: (() => Promise<void>)[];
  /** The subflow's wrapper task run follows the subflow's state (a forced task-run transition). */
  parentTaskState: RunState | null;
  /**
   * Clients older than API 0.8.3 retry a flow by re-running its failed tasks: those task runs are
   * forced to AwaitingRetry at this time, their run count reset.
   */
  retryFailedTaskRunsAt: string | null;
}

export interface ContextBase {
  initialState: RunState | null;
  proposedState: RunState | null;
  validatedState: RunState | null;
  status: SetStateStatus;
  details: StateResponseDetails;
  parameters: OrchestrationParameters;
  /** The transition's clock: states minted by rules carry it. */
  now: string;
  effects: Effects;
}

export interface FlowContext extends ContextBase {
  kind: "flow";
  /** A working copy of the run row; global transforms update it and it is written as is. */
  run: FlowRunRow;
  surroundings: FlowRunSurroundings;
}

export interface TaskContext extends ContextBase {
  kind: "task";
  run: TaskRunRow;
  surroundings: TaskRunSurroundings;
}

export type Context = FlowContext | TaskContext;

/** A transition's starting point: `proposed` over `initial`, accepted until a rule says otherwise. */
export function transition(
  initialState: RunState | null,
  proposedState: RunState,
  now: string,
  parameters: Partial<OrchestrationParameters> = {},
): ContextBase {
  return {
    initialState,
    proposedState,
    validatedState: null,
    status: "ACCEPT",
    details: { type: "accept_details" },
    parameters: { apiVersion: parameters.apiVersion ?? null, clientVersion: parameters.clientVersion ?? null },
    now,
    effects: newEffects(),
  };
}

export function newEffects(): Effects {
  return { events: [], afterCommit: [], onWriteFailure: [], parentTaskState: null, retryFailedTaskRunsAt: null };
}

/** Prefect compares API versions as versions: 0.8.10 > 0.8.4. */
export function apiVersionAtLeast(version: string | null, minimum: string): boolean {
  if (!version) return true;
  const a = version.split(".").map(Number);
  const b = minimum.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (Number.isNaN(d)) return true;
    if (d !== 0) return d > 0;
  }
  return true;
}
