import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * D1 tables, shaped after Prefect's ORM. Timestamps are ISO-8601 UTC text with microseconds
 * (they sort lexicographically); JSON columns hold Prefect's nested objects as they are answered.
 */

type Json = any;
const id = () => text("id").primaryKey();
const created = () => text("created").notNull();
const updated = () => text("updated").notNull();
/** Every Prefect ORM row's id and its creation/update times. */
const base = () => ({ id: id(), created: created(), updated: updated() });
const json = (name: string) => text(name, { mode: "json" }).$type<Json>();
const jsonNN = (name: string, fallback: string) =>
  text(name, { mode: "json" }).$type<Json>().notNull().default(sql.raw(`'${fallback}'`));

export const flow = sqliteTable(
  "flow",
  {
    ...base(),
    name: text("name").notNull(),
    tags: jsonNN("tags", "[]"),
    labels: jsonNN("labels", "{}"),
  },
  (t) => [uniqueIndex("uq_flow_name").on(t.name)],
);

/** The state columns a run carries for its current state, so a run reads in one query. */
const currentState = {
  state_id: text("state_id"),
  state_type: text("state_type"),
  state_name: text("state_name"),
  state_timestamp: text("state_timestamp"),
  /** The whole current state (State as answered), denormalized from the *_state table. */
  state: json("state"),
};

/** When a run is expected to start, started, ended, and how long it has run. */
const runTimes = () => ({
  expected_start_time: text("expected_start_time"),
  next_scheduled_start_time: text("next_scheduled_start_time"),
  start_time: text("start_time"),
  end_time: text("end_time"),
  total_run_time: real("total_run_time").notNull().default(0),
});

export const flowRun = sqliteTable(
  "flow_run",
  {
    ...base(),
    name: text("name").notNull(),
    flow_id: text("flow_id").notNull(),
    deployment_id: text("deployment_id"),
    deployment_version: text("deployment_version"),
    work_queue_id: text("work_queue_id"),
    work_queue_name: text("work_queue_name"),
    work_pool_id: text("work_pool_id"),
    work_pool_name: text("work_pool_name"),
    flow_version: text("flow_version"),
    parameters: jsonNN("parameters", "{}"),
    idempotency_key: text("idempotency_key"),
    context: jsonNN("context", "{}"),
    empirical_policy: jsonNN("empirical_policy", "{}"),
    tags: jsonNN("tags", "[]"),
    labels: jsonNN("labels", "{}"),
    parent_task_run_id: text("parent_task_run_id"),
    ...currentState,
    run_count: integer("run_count").notNull().default(0),
    ...runTimes(),
    auto_scheduled: integer("auto_scheduled", { mode: "boolean" }).notNull().default(false),
    infrastructure_document_id: text("infrastructure_document_id"),
    infrastructure_pid: text("infrastructure_pid"),
    created_by: json("created_by"),
    job_variables: json("job_variables"),
  },
  (t) => [
    index("ix_flow_run_flow_id").on(t.flow_id),
    uniqueIndex("uq_flow_run_flow_id_idempotency_key").on(t.flow_id, t.idempotency_key),
    // Subflows by parent; with end_time, the database vacuum's old top-level runs, oldest first.
    index("ix_flow_run_parent_task_run_id_end_time").on(t.parent_task_run_id, t.end_time),
    index("ix_flow_run_deployment_id").on(t.deployment_id),
    // A queue's runs; with state_type and id, its slot holders counted and paged by id from the index alone.
    index("ix_flow_run_work_queue_id_state_type_id").on(t.work_queue_id, t.state_type, t.id),
    // A state filter's page in the sort the UI's runs list (START_TIME_DESC) and dashboard
    // (EXPECTED_START_TIME_DESC) ask for: read in order within the state, however rare it is.
    index("ix_flow_run_state_type_expected_start_time").on(t.state_type, t.expected_start_time),
    index("ix_flow_run_state_type_coalesce_start_time_expected_start_time").on(t.state_type, sql`coalesce(${t.start_time}, ${t.expected_start_time})`),
    index("ix_flow_run_expected_start_time").on(t.expected_start_time),
    index("ix_flow_run_next_scheduled_start_time").on(t.next_scheduled_start_time),
    index("ix_flow_run_start_time").on(t.start_time),
    // START_TIME_ASC/DESC sort by the actual start, or the expected one until a run starts (as Prefect indexes it).
    index("ix_flow_run_coalesce_start_time_expected_start_time").on(sql`coalesce(${t.start_time}, ${t.expected_start_time})`),
    index("ix_flow_run_end_time").on(t.end_time),
    index("ix_flow_run_name").on(t.name),
  ],
);

const stateColumns = {
  ...base(),
  type: text("type").notNull(),
  timestamp: text("timestamp").notNull(),
  name: text("name").notNull(),
  message: text("message"),
  state_details: jsonNN("state_details", "{}"),
  data: json("data"),
};

export const flowRunState = sqliteTable(
  "flow_run_state",
  { ...stateColumns, flow_run_id: text("flow_run_id").notNull() },
  (t) => [index("ix_flow_run_state_flow_run_id_timestamp").on(t.flow_run_id, t.timestamp)],
);

export const taskRun = sqliteTable(
  "task_run",
  {
    ...base(),
    name: text("name").notNull(),
    flow_run_id: text("flow_run_id"),
    task_key: text("task_key").notNull(),
    dynamic_key: text("dynamic_key").notNull(),
    cache_key: text("cache_key"),
    cache_expiration: text("cache_expiration"),
    task_version: text("task_version"),
    empirical_policy: jsonNN("empirical_policy", "{}"),
    tags: jsonNN("tags", "[]"),
    labels: jsonNN("labels", "{}"),
    task_inputs: jsonNN("task_inputs", "{}"),
    ...currentState,
    run_count: integer("run_count").notNull().default(0),
    flow_run_run_count: integer("flow_run_run_count").notNull().default(0),
    ...runTimes(),
  },
  (t) => [
    uniqueIndex("uq_task_run_flow_run_id_task_key_dynamic_key").on(t.flow_run_id, t.task_key, t.dynamic_key),
    index("ix_task_run_flow_run_id").on(t.flow_run_id),
    // A state filter's page in the UI's sort (EXPECTED_START_TIME_DESC), read in order within the state.
    index("ix_task_run_state_type_expected_start_time").on(t.state_type, t.expected_start_time),
    index("ix_task_run_expected_start_time").on(t.expected_start_time),
    index("ix_task_run_start_time").on(t.start_time),
    index("ix_task_run_name").on(t.name),
  ],
);

export const taskRunState = sqliteTable(
  "task_run_state",
  { ...stateColumns, task_run_id: text("task_run_id").notNull() },
  (t) => [index("ix_task_run_state_task_run_id_timestamp").on(t.task_run_id, t.timestamp)],
);

export const log = sqliteTable(
  "log",
  {
    ...base(),
    name: text("name").notNull(),
    level: integer("level").notNull(),
    flow_run_id: text("flow_run_id"),
    task_run_id: text("task_run_id"),
    message: text("message").notNull(),
    timestamp: text("timestamp").notNull(),
    worker_id: text("worker_id"),
  },
  (t) => [
    index("ix_log_flow_run_id_timestamp").on(t.flow_run_id, t.timestamp),
    index("ix_log_task_run_id").on(t.task_run_id),
    index("ix_log_timestamp").on(t.timestamp),
  ],
);

export const flowRunInput = sqliteTable(
  "flow_run_input",
  {
    ...base(),
    flow_run_id: text("flow_run_id").notNull(),
    key: text("key").notNull(),
    value: text("value").notNull(),
    sender: text("sender"),
  },
  (t) => [uniqueIndex("uq_flow_run_input_flow_run_id_key").on(t.flow_run_id, t.key)],
);

export const event = sqliteTable(
  "event",
  {
    id: id(),
    occurred: text("occurred").notNull(),
    received: text("received").notNull(),
    event: text("event").notNull(),
    resource_id: text("resource_id").notNull(),
    resource: jsonNN("resource", "{}"),
    related: jsonNN("related", "[]"),
    related_resource_ids: jsonNN("related_resource_ids", "[]"),
    payload: jsonNN("payload", "{}"),
    follows: text("follows"),
  },
  (t) => [
    index("ix_event_occurred").on(t.occurred),
    index("ix_event_event_occurred").on(t.event, t.occurred),
    index("ix_event_resource_id_occurred").on(t.resource_id, t.occurred),
  ],
);

/** One row per (event, related resource), so events can be filtered by any resource they touch. */
export const eventResource = sqliteTable(
  "event_resource",
  {
    id: id(),
    occurred: text("occurred").notNull(),
    resource_id: text("resource_id").notNull(),
    resource_role: text("resource_role").notNull(),
    resource: jsonNN("resource", "{}"),
    event_id: text("event_id").notNull(),
  },
  (t) => [index("ix_event_resource_resource_id_occurred").on(t.resource_id, t.occurred), index("ix_event_resource_event_id").on(t.event_id)],
);

/**
 * Server-made events on their way to `event` / `event_resource`: written in the same batch as the
 * change they describe (one cheap, unindexed row), moved into the event tables in bulk later
 * (src/events/outbox.ts) — a transactional outbox, the role of Prefect's event persister.
 */
export const eventOutbox = sqliteTable("event_outbox", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  /** The `event` rows, a JSON array. */
  events: text("events").notNull(),
  /** The `event_resource` rows, a JSON array. */
  resources: text("resources").notNull(),
});

export const deployment = sqliteTable(
  "deployment",
  {
    ...base(),
    name: text("name").notNull(),
    flow_id: text("flow_id").notNull(),
    version: text("version"),
    description: text("description"),
    paused: integer("paused", { mode: "boolean" }).notNull().default(false),
    tags: jsonNN("tags", "[]"),
    labels: jsonNN("labels", "{}"),
    parameters: jsonNN("parameters", "{}"),
    work_queue_name: text("work_queue_name"),
    work_queue_id: text("work_queue_id"),
    concurrency_limit: integer("concurrency_limit"),
    status: text("status").notNull().default("NOT_READY"),
    /** Prefect's `infra_overrides` column, answered as `job_variables`. */
    job_variables: jsonNN("job_variables", "{}"),
    path: text("path"),
    entrypoint: text("entrypoint"),
    last_polled: text("last_polled"),
    concurrency_limit_id: text("concurrency_limit_id"),
    concurrency_options: json("concurrency_options"),
    pull_steps: json("pull_steps"),
    parameter_openapi_schema: json("parameter_openapi_schema"),
    enforce_parameter_schema: integer("enforce_parameter_schema", { mode: "boolean" }).notNull().default(true),
    created_by: json("created_by"),
    updated_by: json("updated_by"),
    infrastructure_document_id: text("infrastructure_document_id"),
    storage_document_id: text("storage_document_id"),
  },
  (t) => [
    uniqueIndex("uq_deployment_flow_id_name").on(t.flow_id, t.name),
    index("ix_deployment_work_queue_id").on(t.work_queue_id),
    index("ix_deployment_work_queue_name").on(t.work_queue_name),
    index("ix_deployment_created").on(t.created),
    index("ix_deployment_paused").on(t.paused),
  ],
);

/** A deployment's schedules (Prefect's DeploymentSchedule); `schedule` is the Interval/Cron/RRule object as answered. */
export const deploymentSchedule = sqliteTable(
  "deployment_schedule",
  {
    ...base(),
    deployment_id: text("deployment_id").notNull(),
    schedule: text("schedule", { mode: "json" }).$type<Json>().notNull(),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    max_scheduled_runs: integer("max_scheduled_runs"),
    parameters: jsonNN("parameters", "{}"),
    slug: text("slug"),
  },
  (t) => [
    uniqueIndex("uq_deployment_schedule_deployment_id_slug").on(t.deployment_id, t.slug),
    index("ix_deployment_schedule_slug").on(t.slug),
  ],
);

export const workPool = sqliteTable(
  "work_pool",
  {
    ...base(),
    name: text("name").notNull(),
    description: text("description"),
    type: text("type").notNull(),
    base_job_template: jsonNN("base_job_template", "{}"),
    is_paused: integer("is_paused", { mode: "boolean" }).notNull().default(false),
    concurrency_limit: integer("concurrency_limit"),
    status: text("status").notNull().default("NOT_READY"),
    default_queue_id: text("default_queue_id"),
    storage_configuration: jsonNN("storage_configuration", "{}"),
    last_transitioned_status_at: text("last_transitioned_status_at"),
  },
  (t) => [uniqueIndex("uq_work_pool_name").on(t.name), index("ix_work_pool_type").on(t.type)],
);

export const workQueue = sqliteTable(
  "work_queue",
  {
    ...base(),
    name: text("name").notNull(),
    description: text("description"),
    is_paused: integer("is_paused", { mode: "boolean" }).notNull().default(false),
    concurrency_limit: integer("concurrency_limit"),
    priority: integer("priority").notNull().default(1),
    last_polled: text("last_polled"),
    status: text("status").notNull().default("NOT_READY"),
    work_pool_id: text("work_pool_id").notNull(),
    /** The deprecated tag/deployment QueueFilter of legacy queues. */
    filter: json("filter"),
  },
  (t) => [
    uniqueIndex("uq_work_queue_work_pool_id_name").on(t.work_pool_id, t.name),
    index("ix_work_queue_work_pool_id_priority").on(t.work_pool_id, t.priority),
    index("ix_work_queue_name").on(t.name),
  ],
);

export const worker = sqliteTable(
  "worker",
  {
    ...base(),
    work_pool_id: text("work_pool_id").notNull(),
    name: text("name").notNull(),
    last_heartbeat_time: text("last_heartbeat_time").notNull(),
    heartbeat_interval_seconds: integer("heartbeat_interval_seconds"),
    status: text("status").notNull().default("OFFLINE"),
  },
  (t) => [
    uniqueIndex("uq_worker_work_pool_id_name").on(t.work_pool_id, t.name),
    index("ix_worker_work_pool_id_last_heartbeat_time").on(t.work_pool_id, t.last_heartbeat_time),
  ],
);

/** Server-wide settings kept in the database (e.g. the default result storage block). */
export const configuration = sqliteTable("configuration", {
  ...base(),
  key: text("key").notNull().unique(),
  value: jsonNN("value", "{}"),
});

/** What an artifact holds; the latest of a key is kept whole beside it (artifact_collection). */
const artifactContent = () => ({
  task_run_id: text("task_run_id"),
  flow_run_id: text("flow_run_id"),
  type: text("type"),
  data: json("data"),
  description: text("description"),
  metadata_: json("metadata_"),
});

export const artifact = sqliteTable(
  "artifact",
  {
    ...base(),
    key: text("key"),
    ...artifactContent(),
  },
  (t) => [
    index("ix_artifact_key_created").on(t.key, t.created),
    index("ix_artifact_flow_run_id").on(t.flow_run_id),
    index("ix_artifact_task_run_id").on(t.task_run_id),
  ],
);

/** The latest artifact of each key, as Prefect keeps it. */
export const artifactCollection = sqliteTable(
  "artifact_collection",
  {
    ...base(),
    key: text("key").notNull(),
    latest_id: text("latest_id").notNull(),
    ...artifactContent(),
  },
  (t) => [uniqueIndex("uq_artifact_collection_key").on(t.key)],
);

/**
 * Global concurrency limits (v2). Tag limits (v1) are stored here too, named `tag:<tag>`, as
 * Prefect 3 stores them. Slot counts are held by each limit's Durable Object; D1 keeps the
 * definition and the last counts it reported.
 */
export const concurrencyLimitV2 = sqliteTable(
  "concurrency_limit_v2",
  {
    ...base(),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    name: text("name").notNull(),
    limit: integer("limit").notNull(),
    active_slots: integer("active_slots").notNull().default(0),
    denied_slots: integer("denied_slots").notNull().default(0),
    slot_decay_per_second: real("slot_decay_per_second").notNull().default(0),
    avg_slot_occupancy_seconds: real("avg_slot_occupancy_seconds").notNull().default(2),
  },
  (t) => [uniqueIndex("uq_concurrency_limit_v2_name").on(t.name)],
);

export const blockType = sqliteTable(
  "block_type",
  {
    ...base(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    logo_url: text("logo_url"),
    documentation_url: text("documentation_url"),
    description: text("description"),
    code_example: text("code_example"),
    is_protected: integer("is_protected", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [uniqueIndex("uq_block_type_slug").on(t.slug)],
);

export const blockSchema = sqliteTable(
  "block_schema",
  {
    ...base(),
    checksum: text("checksum").notNull(),
    fields: jsonNN("fields", "{}"),
    capabilities: jsonNN("capabilities", "[]"),
    version: text("version").notNull().default("non-versioned"),
    block_type_id: text("block_type_id").notNull(),
  },
  (t) => [
    uniqueIndex("uq_block_schema_checksum_version").on(t.checksum, t.version),
    index("ix_block_schema_block_type_id").on(t.block_type_id),
    index("ix_block_schema_created").on(t.created),
  ],
);

export const blockSchemaReference = sqliteTable(
  "block_schema_reference",
  {
    ...base(),
    name: text("name").notNull(),
    parent_block_schema_id: text("parent_block_schema_id").notNull(),
    reference_block_schema_id: text("reference_block_schema_id").notNull(),
  },
  (t) => [index("ix_block_schema_reference_parent").on(t.parent_block_schema_id)],
);

export const blockDocument = sqliteTable(
  "block_document",
  {
    ...base(),
    name: text("name").notNull(),
    data: jsonNN("data", "{}"),
    is_anonymous: integer("is_anonymous", { mode: "boolean" }).notNull().default(false),
    block_type_name: text("block_type_name"),
    block_type_id: text("block_type_id").notNull(),
    block_schema_id: text("block_schema_id").notNull(),
  },
  (t) => [
    uniqueIndex("uq_block_document_type_id_name").on(t.block_type_id, t.name),
    index("ix_block_document_block_type_name_name").on(t.block_type_name, t.name),
    index("ix_block_document_is_anonymous").on(t.is_anonymous),
  ],
);

export const blockDocumentReference = sqliteTable(
  "block_document_reference",
  {
    ...base(),
    name: text("name").notNull(),
    parent_block_document_id: text("parent_block_document_id").notNull(),
    reference_block_document_id: text("reference_block_document_id").notNull(),
  },
  (t) => [
    index("ix_block_document_reference_parent").on(t.parent_block_document_id),
    index("ix_block_document_reference_reference").on(t.reference_block_document_id),
  ],
);

export const savedSearch = sqliteTable(
  "saved_search",
  {
    ...base(),
    name: text("name").notNull(),
    filters: jsonNN("filters", "[]"),
  },
  (t) => [uniqueIndex("uq_saved_search_name").on(t.name)],
);

export const variable = sqliteTable(
  "variable",
  {
    ...base(),
    name: text("name").notNull(),
    value: json("value"),
    tags: jsonNN("tags", "[]"),
  },
  (t) => [uniqueIndex("uq_variable_name").on(t.name)],
);

export const automation = sqliteTable(
  "automation",
  {
    ...base(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    tags: jsonNN("tags", "[]"),
    trigger: json("trigger").notNull(),
    actions: jsonNN("actions", "[]"),
    actions_on_trigger: jsonNN("actions_on_trigger", "[]"),
    actions_on_resolve: jsonNN("actions_on_resolve", "[]"),
  },
  (t) => [index("ix_automation_name").on(t.name)],
);

export const automationRelatedResource = sqliteTable(
  "automation_related_resource",
  {
    ...base(),
    automation_id: text("automation_id").notNull(),
    resource_id: text("resource_id"),
    automation_owned_by_resource: integer("automation_owned_by_resource", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    uniqueIndex("uq_automation_related_resource_automation_id_resource_id").on(t.automation_id, t.resource_id),
    index("ix_automation_related_resource_resource_id").on(t.resource_id),
  ],
);

/** Prefect 2's flow run notification policies, kept for 2.x clients. */
export const flowRunNotificationPolicy = sqliteTable("flow_run_notification_policy", {
  ...base(),
  is_active: integer("is_active", { mode: "boolean" }).notNull().default(true),
  state_names: jsonNN("state_names", "[]"),
  tags: jsonNN("tags", "[]"),
  block_document_id: text("block_document_id").notNull(),
  message_template: text("message_template"),
});

/**
 * The automations engine's idempotency records: one per (automation, action index, invocation),
 * claimed before the action runs, so a redelivered queue message does not run it twice. Kept a
 * while after `updated` (db-vacuum), as Prefect keeps executed action ids for an hour.
 */
export const automationActionRun = sqliteTable(
  "automation_action_run",
  {
    automation_id: text("automation_id").notNull(),
    action_index: integer("action_index").notNull(),
    invocation: text("invocation").notNull(),
    /** running (claimed), retrying (a retryable error; claimable again), executed, failed. */
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(1),
    /** The last retryable error, for the dead-letter consumer's action.failed reason. */
    error: text("error"),
    claimed: text("claimed").notNull(),
    updated: updated(),
  },
  (t) => [primaryKey({ columns: [t.automation_id, t.action_index, t.invocation] }), index("ix_automation_action_run_updated").on(t.updated)],
);
