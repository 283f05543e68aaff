import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { getDb } from "../../src/db/client";
import { event, eventResource, taskRun, taskRunState } from "../../src/db/schema";
import { toTaskRun } from "../../src/db/queries/runs-serialize";
import { toState } from "../../src/schemas/serialize";
import fixtures from "./transcript-events.json";
import { settleEvents } from "../helpers";

export const db = getDb(env.DB);

export type Transcript = keyof typeof fixtures;
export const transcript = (name: Transcript) => fixtures[name] as { events: any[]; task_runs: any[]; task_run_states: Record<string, any[]> };

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** A deep copy with every UUID replaced by a fresh one (consistently), so fixtures can be reused. */
export function freshIds<T>(value: T, map = new Map<string, string>()): T {
  return JSON.parse(
    JSON.stringify(value).replace(UUID, (id) => {
      if (!map.has(id)) map.set(id, crypto.randomUUID());
      return map.get(id)!;
    }),
  );
}

export const taskRunEvents = (events: any[]) => events.filter((e) => e.event.startsWith("prefect.task-run."));
export const taskRunIdOf = (e: any) => e.resource["prefect.resource.id"].slice("prefect.task-run.".length);

export async function readTaskRun(id: string) {
  const row = await db.select().from(taskRun).where(eq(taskRun.id, id)).get();
  return row ? toTaskRun(row) : undefined;
}

export async function readStates(taskRunId: string) {
  const rows = await db.select().from(taskRunState).where(eq(taskRunState.task_run_id, taskRunId)).orderBy(taskRunState.timestamp);
  return rows.map(toState);
}

export async function readEvent(id: string) {
  await settleEvents();
  return db.select().from(event).where(eq(event.id, id)).get();
}

export async function readEventResources(eventId: string) {
  await settleEvents();
  return db.select().from(eventResource).where(eq(eventResource.event_id, eventId)).orderBy(eventResource.id);
}

/** A task-run event as the SDK sends it (shape of transcript 01), for a run of our own. */
export function taskRunEvent(opts: {
  taskRunId: string;
  flowRunId?: string | null;
  stateType: string;
  stateName: string;
  occurred: string;
  id?: string;
  taskRun?: Record<string, unknown>;
  orchestration?: string;
}) {
  const related = opts.flowRunId
    ? [{ "prefect.resource.id": `prefect.flow-run.${opts.flowRunId}`, "prefect.resource.role": "flow-run", "prefect.resource.name": "fr" }]
    : [];
  return {
    occurred: opts.occurred,
    event: `prefect.task-run.${opts.stateName}`,
    resource: {
      "prefect.resource.id": `prefect.task-run.${opts.taskRunId}`,
      "prefect.resource.name": "t-1",
      "prefect.state-type": opts.stateType,
      "prefect.orchestration": opts.orchestration ?? "client",
    },
    related,
    payload: {
      intended: { from: null, to: opts.stateType },
      initial_state: null,
      validated_state: { type: opts.stateType, name: opts.stateName, message: "", state_details: {}, data: null },
      task_run: {
        name: "t-1",
        task_key: "t-key",
        dynamic_key: "0",
        empirical_policy: { max_retries: 0, retry_delay_seconds: 0.0, retries: 0, retry_delay: 0 },
        tags: [],
        labels: {},
        task_inputs: {},
        run_count: 0,
        flow_run_run_count: 0,
        expected_start_time: "2026-01-01T00:00:00.000000Z",
        total_run_time: 0.0,
        ...opts.taskRun,
      },
    },
    id: opts.id ?? crypto.randomUUID(),
    follows: null,
  };
}
