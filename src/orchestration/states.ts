import type { StateType } from "../schemas/prefect.gen";
import { completeStateDetails } from "../schemas/serialize";
import { uuid7 } from "../lib/ids";
import { isoNow } from "../lib/time";

export type { StateType };

/** A state as orchestration handles it: Prefect's State, every detail present. */
export interface RunState {
  id: string;
  type: StateType;
  name: string;
  timestamp: string;
  message: string | null;
  data: unknown;
  state_details: Record<string, any>;
}

export type TransitionEnd = StateType | null;

export const ALL_STATES: ReadonlySet<TransitionEnd> = new Set<TransitionEnd>([
  "SCHEDULED", "PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "CRASHED", "PAUSED", "CANCELLING", null,
]);
export const TERMINAL_STATES: ReadonlySet<TransitionEnd> = new Set<TransitionEnd>(["COMPLETED", "FAILED", "CANCELLED", "CRASHED"]);

export const states = (...types: TransitionEnd[]): ReadonlySet<TransitionEnd> => new Set(types);
export const allStatesExcept = (...types: TransitionEnd[]): ReadonlySet<TransitionEnd> =>
  new Set([...ALL_STATES].filter((t) => !types.includes(t)));

export const isFinal = (s: RunState | null | undefined) => !!s && TERMINAL_STATES.has(s.type);

/** Prefect names a state after its type when the client gives no name (`RUNNING` → `Running`). */
export function defaultStateName(type: StateType): string {
  return type.charAt(0) + type.slice(1).toLowerCase();
}

/** A fresh state minted by the server: new time-ordered id, timestamp now, details completed. */
export function newState(
  fields: { type: StateType; name?: string | null; message?: string | null; data?: unknown; state_details?: Record<string, any> | null },
  now = isoNow(),
): RunState {
  return {
    id: uuid7(Date.parse(now)),
    type: fields.type,
    name: fields.name ?? defaultStateName(fields.type),
    timestamp: now,
    message: fields.message ?? null,
    data: fields.data ?? null,
    state_details: scheduledNowByDefault(fields.type, completeStateDetails(fields.state_details ?? {}), now),
  };
}

/** Prefect's state validator: a SCHEDULED state sent without a scheduled time is scheduled for now. */
function scheduledNowByDefault(type: StateType, details: Record<string, any>, now: string): Record<string, any> {
  if (type === "SCHEDULED" && !details.scheduled_time) details.scheduled_time = now;
  return details;
}

/** Prefect's `fresh_copy`: the same state content under a new id and timestamp. */
export function freshCopy(s: RunState, now = isoNow(), overrides: Partial<RunState> = {}): RunState {
  return { ...s, state_details: { ...s.state_details }, id: uuid7(Date.parse(now)), timestamp: now, ...overrides };
}

/** Result metadata other than Prefect's `unpersisted` marker (any JSON object) points at a stored result. */
export function hasPersistedResult(data: unknown): boolean {
  if (!data || typeof data !== "object" || Array.isArray(data)) return false;
  return (data as Record<string, unknown>).type !== "unpersisted";
}

/** Python truthiness of state data (None, {}, [], "" and 0 are false), as Prefect's checks use it. */
export function hasData(data: unknown): boolean {
  if (data === null || data === undefined || data === false || data === 0 || data === "") return false;
  if (typeof data === "object") return Object.keys(data as object).length > 0;
  return true;
}
