import type { z } from "@hono/zod-openapi";
import { asc, desc, sql, type Column, type SQL, type Table } from "drizzle-orm";
import { deployment, flow, flowRun, log, taskRun } from "./schema";
import type {
  ArtifactCollectionSort,
  ArtifactSort,
  AutomationSort,
  BlockDocumentSort,
  DeploymentSort,
  FlowRunSort,
  FlowSort,
  LogSort,
  TaskRunSort,
  VariableSort,
} from "../schemas/prefect.gen";

/**
 * Every sort Prefect's read endpoints accept, as drizzle ORDER BY terms.
 *
 * The keys come from the generated zod enums (a value Prefect adds shows up here as a type error).
 * The primary keys are Prefect's own (sorting.py). Where Prefect leaves order to the database:
 * - NULLs sort as on SQLite, the database the reference server runs on: smallest, i.e. first
 *   ascending and last descending (END_TIME_DESC lists unfinished runs last);
 * - ties come in insertion order (rowid), reversed for descending sorts, as SQLite answers
 *   through the sort column's index; rowid is unique, so every order is total and pages are stable.
 */

type SortKey<E extends z.ZodEnum<any>> = z.infer<E>;
type Orders<E extends z.ZodEnum<any>> = Record<SortKey<E>, SQL[]>;

const rowid = (table: Table): SQL => sql`${table}.rowid`;
const up = (table: Table, ...cols: (Column | SQL)[]): SQL[] => [...cols.map((c) => asc(c)), asc(rowid(table))];
const down = (table: Table, ...cols: (Column | SQL)[]): SQL[] => [...cols.map((c) => desc(c)), desc(rowid(table))];

/** A flow run's actual start, or its expected start while it has not started. */
const flowRunStart = sql`coalesce(${flowRun.start_time}, ${flowRun.expected_start_time})`;

const FLOW_RUN_ORDERS: Orders<typeof FlowRunSort> = {
  ID_DESC: [desc(flowRun.id)],
  START_TIME_ASC: up(flowRun, flowRunStart),
  START_TIME_DESC: down(flowRun, flowRunStart),
  EXPECTED_START_TIME_ASC: up(flowRun, flowRun.expected_start_time),
  EXPECTED_START_TIME_DESC: down(flowRun, flowRun.expected_start_time),
  NAME_ASC: up(flowRun, flowRun.name),
  NAME_DESC: down(flowRun, flowRun.name),
  NEXT_SCHEDULED_START_TIME_ASC: up(flowRun, flowRun.next_scheduled_start_time),
  END_TIME_DESC: down(flowRun, flowRun.end_time),
};

const TASK_RUN_ORDERS: Orders<typeof TaskRunSort> = {
  ID_DESC: [desc(taskRun.id)],
  EXPECTED_START_TIME_ASC: up(taskRun, taskRun.expected_start_time),
  EXPECTED_START_TIME_DESC: down(taskRun, taskRun.expected_start_time),
  NAME_ASC: up(taskRun, taskRun.name),
  NAME_DESC: down(taskRun, taskRun.name),
  NEXT_SCHEDULED_START_TIME_ASC: up(taskRun, taskRun.next_scheduled_start_time),
  END_TIME_DESC: down(taskRun, taskRun.end_time),
};

const FLOW_ORDERS: Orders<typeof FlowSort> = {
  CREATED_DESC: down(flow, flow.created),
  UPDATED_DESC: down(flow, flow.updated),
  NAME_ASC: up(flow, flow.name),
  NAME_DESC: down(flow, flow.name),
};

const DEPLOYMENT_ORDERS: Orders<typeof DeploymentSort> = {
  CREATED_DESC: down(deployment, deployment.created),
  UPDATED_DESC: down(deployment, deployment.updated),
  NAME_ASC: up(deployment, deployment.name),
  NAME_DESC: down(deployment, deployment.name),
};

const LOG_ORDERS: Orders<typeof LogSort> = {
  TIMESTAMP_ASC: up(log, log.timestamp),
  TIMESTAMP_DESC: down(log, log.timestamp),
};

/**
 * The sorts whose key follows state_type in an index (schema.ts): a page filtered by several
 * states reads each state's runs in order there (page.ts, pageOf).
 */
export const FLOW_RUN_SORTS_BY_STATE: ReadonlySet<SortKey<typeof FlowRunSort>> = new Set([
  "START_TIME_ASC",
  "START_TIME_DESC",
  "EXPECTED_START_TIME_ASC",
  "EXPECTED_START_TIME_DESC",
] as const);
export const TASK_RUN_SORTS_BY_STATE: ReadonlySet<SortKey<typeof TaskRunSort>> = new Set(["EXPECTED_START_TIME_ASC", "EXPECTED_START_TIME_DESC"] as const);

export const flowRunOrder = (sort: SortKey<typeof FlowRunSort>): SQL[] => [...FLOW_RUN_ORDERS[sort]];
export const taskRunOrder = (sort: SortKey<typeof TaskRunSort>): SQL[] => [...TASK_RUN_ORDERS[sort]];
export const flowOrder = (sort: SortKey<typeof FlowSort>): SQL[] => [...FLOW_ORDERS[sort]];
export const deploymentOrder = (sort: SortKey<typeof DeploymentSort>): SQL[] => [...DEPLOYMENT_ORDERS[sort]];
export const logOrder = (sort: SortKey<typeof LogSort>): SQL[] => [...LOG_ORDERS[sort]];

/*
 * Resources whose tables are not in the schema yet: the same rules, over the columns the
 * caller's table brings (a drizzle table object has its columns as properties).
 */

type WithColumns<K extends string> = Table & Record<K, Column>;

/** ArtifactSort and ArtifactCollectionSort (same values, same meaning). */
export function artifactOrder(
  sort: SortKey<typeof ArtifactSort> | SortKey<typeof ArtifactCollectionSort>,
  t: WithColumns<"id" | "created" | "updated" | "key">,
): SQL[] {
  const orders: Orders<typeof ArtifactSort> = {
    CREATED_DESC: down(t, t.created),
    UPDATED_DESC: down(t, t.updated),
    ID_DESC: [desc(t.id)],
    KEY_DESC: down(t, t.key),
    KEY_ASC: up(t, t.key),
  };
  return orders[sort];
}

/** VariableSort and AutomationSort (same values, same meaning). */
export function namedResourceOrder(
  sort: SortKey<typeof VariableSort> | SortKey<typeof AutomationSort>,
  t: WithColumns<"created" | "updated" | "name">,
): SQL[] {
  const orders: Orders<typeof VariableSort> = {
    CREATED_DESC: down(t, t.created),
    UPDATED_DESC: down(t, t.updated),
    NAME_DESC: down(t, t.name),
    NAME_ASC: up(t, t.name),
  };
  return orders[sort];
}

/** BLOCK_TYPE_AND_NAME_ASC sorts by the block type's name (denormalized on the document), then name. */
export function blockDocumentOrder(
  sort: SortKey<typeof BlockDocumentSort>,
  t: WithColumns<"name" | "block_type_name">,
): SQL[] {
  const orders: Orders<typeof BlockDocumentSort> = {
    NAME_DESC: down(t, t.name),
    NAME_ASC: up(t, t.name),
    BLOCK_TYPE_AND_NAME_ASC: up(t, t.block_type_name, t.name),
  };
  return orders[sort];
}
