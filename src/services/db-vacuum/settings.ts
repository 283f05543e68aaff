import type { Bindings } from "../../env";
import { pydanticBool, pydanticInt, pydanticTimedelta, secondsTimedelta } from "../../lib/python/pydantic-values";

/*
 * The retention settings, read from the Worker's environment (wrangler.toml [vars] or secrets)
 * under Prefect 3.8.3's names, with its defaults, parsed as Prefect's settings parse them
 * (pinned by test/goldens/settings.json). A value Prefect would refuse stops the vacuum — Prefect's
 * server would not start — and the cron pass logs which variable is wrong.
 */

export type VacuumKind = "events" | "flow_runs";

export interface VacuumSettings {
  /** PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED: which vacuums run. Default: events only. */
  enabled: ReadonlySet<VacuumKind>;
  /** PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED: the events vacuum runs only with it (default true). */
  eventPersisterEnabled: boolean;
  /** PREFECT_SERVER_EVENTS_RETENTION_PERIOD (alias PREFECT_EVENTS_RETENTION_PERIOD): 7 days. */
  eventsRetentionSeconds: number;
  /** PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD: terminal flow runs ended this long ago go. 90 days, above 1 hour. */
  flowRunsRetentionSeconds: number;
  /** PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE: rows per delete (per transaction). 200. */
  batchSize: number;
  /** PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES: a shorter retention per event type (JSON, seconds). */
  eventRetentionOverrides: Readonly<Record<string, number>>;
}

const DAY = 86_400;

export const VACUUM_DEFAULTS: VacuumSettings = {
  enabled: new Set(["events"]),
  eventPersisterEnabled: true,
  eventsRetentionSeconds: 7 * DAY,
  flowRunsRetentionSeconds: 90 * DAY,
  batchSize: 200,
  eventRetentionOverrides: { "prefect.flow-run.heartbeat": 7 * DAY },
};

const VACUUM_KINDS = new Set<string>(["events", "flow_runs"]);

/** A variable's text JSON-decoded, as pydantic-settings decodes complex fields (`undefined`: not JSON). */
function decoded(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** db_vacuum's `enabled`: a comma-separated list, a JSON list, or a legacy true/false. */
export function parseVacuumEnabled(value: unknown): VacuumKind[] | null {
  const json = decoded(value);
  let parsed: unknown = json === undefined ? value : json;
  if (typeof parsed === "string") {
    const lowered = parsed.trim().toLowerCase();
    parsed = ["true", "1"].includes(lowered) ? true : ["false", "0", ""].includes(lowered) ? false : parsed.split(",").map((s) => s.trim()).filter(Boolean);
  }
  if (parsed === 1 || parsed === 0) parsed = parsed === 1;
  if (parsed === true) return ["events", "flow_runs"];
  if (parsed === false) return ["events"];
  if (parsed === null) return [];
  if (!Array.isArray(parsed) || !parsed.every((k) => typeof k === "string" && VACUUM_KINDS.has(k))) return null;
  return [...new Set(parsed as VacuumKind[])].sort();
}

/** The per-type overrides: a JSON object of positive durations (seconds or duration strings). */
export function parseRetentionOverrides(value: unknown): Record<string, number> | null {
  const json = decoded(value);
  if (!json || typeof json !== "object" || Array.isArray(json)) return null;
  const out: Record<string, number> = {};
  for (const [type, v] of Object.entries(json)) {
    const seconds = typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? secondsTimedelta(v) : null;
    if (seconds === null || seconds <= 0) return null;
    out[type] = seconds;
  }
  return out;
}

export const parseEventsRetention = (value: unknown): number | null => pydanticTimedelta(value);

export function parseFlowRunsRetention(value: unknown): number | null {
  const seconds = secondsTimedelta(value);
  return seconds !== null && seconds > 3600 ? seconds : null;
}

export function parseBatchSize(value: unknown): number | null {
  const n = pydanticInt(value);
  return n !== null && n > 0 ? n : null;
}

type Env = Partial<Record<string, unknown>>;

/** The first of `names` set in the environment (Prefect's alias order), read by `parse`. */
function setting<T>(env: Env, names: string[], parse: (v: unknown) => T | null, fallback: T): T {
  const name = names.find((n) => env[n] !== undefined);
  if (name === undefined) return fallback;
  const value = parse(env[name]);
  if (value === null) throw new Error(`Invalid setting ${name}=${JSON.stringify(env[name])}: Prefect would refuse it`);
  return value;
}

/** The retention settings of this Worker's environment; throws naming a variable Prefect would refuse. */
export function vacuumSettings(bindings: Bindings): VacuumSettings {
  const env = bindings as unknown as Env;
  const d = VACUUM_DEFAULTS;
  const prefix = "PREFECT_SERVER_SERVICES_DB_VACUUM_";
  return {
    enabled: new Set(setting(env, [`${prefix}ENABLED`], parseVacuumEnabled, [...d.enabled])),
    eventPersisterEnabled: setting(
      env,
      ["PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED", "PREFECT_API_SERVICES_EVENT_PERSISTER_ENABLED"],
      pydanticBool,
      d.eventPersisterEnabled,
    ),
    eventsRetentionSeconds: setting(env, ["PREFECT_SERVER_EVENTS_RETENTION_PERIOD", "PREFECT_EVENTS_RETENTION_PERIOD"], parseEventsRetention, d.eventsRetentionSeconds),
    flowRunsRetentionSeconds: setting(env, [`${prefix}RETENTION_PERIOD`], parseFlowRunsRetention, d.flowRunsRetentionSeconds),
    batchSize: setting(env, [`${prefix}BATCH_SIZE`], parseBatchSize, d.batchSize),
    eventRetentionOverrides: setting(env, [`${prefix}EVENT_RETENTION_OVERRIDES`], parseRetentionOverrides, d.eventRetentionOverrides),
  };
}
