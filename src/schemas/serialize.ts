import { StateDetails, type State } from "./prefect.gen";

const STATE_DETAIL_DEFAULTS = StateDetails.parse({});
const STATE_DETAIL_KEYS = Object.keys(StateDetails.shape);

/** Prefect answers every StateDetails field, null when unset. */
export function completeStateDetails(details: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of STATE_DETAIL_KEYS) {
    const v = details?.[key];
    out[key] = v === undefined ? ((STATE_DETAIL_DEFAULTS as Record<string, unknown>)[key] ?? null) : v;
  }
  return out;
}

export interface StateLike {
  id: string;
  type: string;
  name: string | null;
  timestamp: string;
  message: string | null;
  data: unknown;
  state_details: Record<string, unknown> | null;
}

/** A state as Prefect answers it, key order included. */
export function toState(s: StateLike): State {
  return {
    id: s.id,
    type: s.type as State["type"],
    name: s.name,
    timestamp: s.timestamp,
    message: s.message ?? null,
    data: s.data ?? null,
    state_details: completeStateDetails(s.state_details) as State["state_details"],
  };
}
