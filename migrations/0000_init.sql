CREATE TABLE `configuration` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`key` text NOT NULL,
	`value` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `configuration_key_unique` ON `configuration` (`key`);--> statement-breakpoint
CREATE TABLE `deployment` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`flow_id` text NOT NULL,
	`version` text,
	`description` text,
	`paused` integer DEFAULT false NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`labels` text DEFAULT '{}' NOT NULL,
	`parameters` text DEFAULT '{}' NOT NULL,
	`work_queue_name` text,
	`work_queue_id` text,
	`concurrency_limit` integer,
	`status` text DEFAULT 'NOT_READY' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_deployment_flow_id_name` ON `deployment` (`flow_id`,`name`);--> statement-breakpoint
CREATE TABLE `event` (
	`id` text PRIMARY KEY NOT NULL,
	`occurred` text NOT NULL,
	`received` text NOT NULL,
	`event` text NOT NULL,
	`resource_id` text NOT NULL,
	`resource` text DEFAULT '{}' NOT NULL,
	`related` text DEFAULT '[]' NOT NULL,
	`related_resource_ids` text DEFAULT '[]' NOT NULL,
	`payload` text DEFAULT '{}' NOT NULL,
	`follows` text
);
--> statement-breakpoint
CREATE INDEX `ix_event_occurred` ON `event` (`occurred`);--> statement-breakpoint
CREATE INDEX `ix_event_event_occurred` ON `event` (`event`,`occurred`);--> statement-breakpoint
CREATE INDEX `ix_event_resource_id_occurred` ON `event` (`resource_id`,`occurred`);--> statement-breakpoint
CREATE TABLE `event_resource` (
	`id` text PRIMARY KEY NOT NULL,
	`occurred` text NOT NULL,
	`resource_id` text NOT NULL,
	`resource_role` text NOT NULL,
	`resource` text DEFAULT '{}' NOT NULL,
	`event_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ix_event_resource_resource_id_occurred` ON `event_resource` (`resource_id`,`occurred`);--> statement-breakpoint
CREATE INDEX `ix_event_resource_event_id` ON `event_resource` (`event_id`);--> statement-breakpoint
CREATE TABLE `flow` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`labels` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_flow_name` ON `flow` (`name`);--> statement-breakpoint
CREATE TABLE `flow_run` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`flow_id` text NOT NULL,
	`deployment_id` text,
	`deployment_version` text,
	`work_queue_id` text,
	`work_queue_name` text,
	`work_pool_id` text,
	`work_pool_name` text,
	`flow_version` text,
	`parameters` text DEFAULT '{}' NOT NULL,
	`idempotency_key` text,
	`context` text DEFAULT '{}' NOT NULL,
	`empirical_policy` text DEFAULT '{}' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`labels` text DEFAULT '{}' NOT NULL,
	`parent_task_run_id` text,
	`state_id` text,
	`state_type` text,
	`state_name` text,
	`state_timestamp` text,
	`state` text,
	`run_count` integer DEFAULT 0 NOT NULL,
	`expected_start_time` text,
	`next_scheduled_start_time` text,
	`start_time` text,
	`end_time` text,
	`total_run_time` real DEFAULT 0 NOT NULL,
	`auto_scheduled` integer DEFAULT false NOT NULL,
	`infrastructure_document_id` text,
	`infrastructure_pid` text,
	`created_by` text,
	`job_variables` text
);
--> statement-breakpoint
CREATE INDEX `ix_flow_run_flow_id` ON `flow_run` (`flow_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `uq_flow_run_flow_id_idempotency_key` ON `flow_run` (`flow_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `ix_flow_run_parent_task_run_id` ON `flow_run` (`parent_task_run_id`);--> statement-breakpoint
CREATE INDEX `ix_flow_run_deployment_id` ON `flow_run` (`deployment_id`);--> statement-breakpoint
CREATE INDEX `ix_flow_run_work_queue_id` ON `flow_run` (`work_queue_id`);--> statement-breakpoint
CREATE INDEX `ix_flow_run_state_type` ON `flow_run` (`state_type`);--> statement-breakpoint
CREATE INDEX `ix_flow_run_expected_start_time` ON `flow_run` (`expected_start_time`);--> statement-breakpoint
CREATE INDEX `ix_flow_run_next_scheduled_start_time` ON `flow_run` (`next_scheduled_start_time`);--> statement-breakpoint
CREATE INDEX `ix_flow_run_start_time` ON `flow_run` (`start_time`);--> statement-breakpoint
CREATE INDEX `ix_flow_run_end_time` ON `flow_run` (`end_time`);--> statement-breakpoint
CREATE INDEX `ix_flow_run_name` ON `flow_run` (`name`);--> statement-breakpoint
CREATE TABLE `flow_run_input` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`flow_run_id` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`sender` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_flow_run_input_flow_run_id_key` ON `flow_run_input` (`flow_run_id`,`key`);--> statement-breakpoint
CREATE TABLE `flow_run_state` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`type` text NOT NULL,
	`timestamp` text NOT NULL,
	`name` text NOT NULL,
	`message` text,
	`state_details` text DEFAULT '{}' NOT NULL,
	`data` text,
	`flow_run_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ix_flow_run_state_flow_run_id_timestamp` ON `flow_run_state` (`flow_run_id`,`timestamp`);--> statement-breakpoint
CREATE TABLE `log` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`level` integer NOT NULL,
	`flow_run_id` text,
	`task_run_id` text,
	`message` text NOT NULL,
	`timestamp` text NOT NULL,
	`worker_id` text
);
--> statement-breakpoint
CREATE INDEX `ix_log_flow_run_id_timestamp` ON `log` (`flow_run_id`,`timestamp`);--> statement-breakpoint
CREATE INDEX `ix_log_task_run_id` ON `log` (`task_run_id`);--> statement-breakpoint
CREATE INDEX `ix_log_timestamp` ON `log` (`timestamp`);--> statement-breakpoint
CREATE TABLE `task_run` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`flow_run_id` text,
	`task_key` text NOT NULL,
	`dynamic_key` text NOT NULL,
	`cache_key` text,
	`cache_expiration` text,
	`task_version` text,
	`empirical_policy` text DEFAULT '{}' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`labels` text DEFAULT '{}' NOT NULL,
	`task_inputs` text DEFAULT '{}' NOT NULL,
	`state_id` text,
	`state_type` text,
	`state_name` text,
	`state_timestamp` text,
	`state` text,
	`run_count` integer DEFAULT 0 NOT NULL,
	`flow_run_run_count` integer DEFAULT 0 NOT NULL,
	`expected_start_time` text,
	`next_scheduled_start_time` text,
	`start_time` text,
	`end_time` text,
	`total_run_time` real DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_task_run_flow_run_id_task_key_dynamic_key` ON `task_run` (`flow_run_id`,`task_key`,`dynamic_key`);--> statement-breakpoint
CREATE INDEX `ix_task_run_flow_run_id` ON `task_run` (`flow_run_id`);--> statement-breakpoint
CREATE INDEX `ix_task_run_state_type` ON `task_run` (`state_type`);--> statement-breakpoint
CREATE INDEX `ix_task_run_expected_start_time` ON `task_run` (`expected_start_time`);--> statement-breakpoint
CREATE INDEX `ix_task_run_start_time` ON `task_run` (`start_time`);--> statement-breakpoint
CREATE INDEX `ix_task_run_name` ON `task_run` (`name`);--> statement-breakpoint
CREATE TABLE `task_run_state` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`type` text NOT NULL,
	`timestamp` text NOT NULL,
	`name` text NOT NULL,
	`message` text,
	`state_details` text DEFAULT '{}' NOT NULL,
	`data` text,
	`task_run_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ix_task_run_state_task_run_id_timestamp` ON `task_run_state` (`task_run_id`,`timestamp`);--> statement-breakpoint
CREATE TABLE `work_pool` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`type` text NOT NULL,
	`base_job_template` text DEFAULT '{}' NOT NULL,
	`is_paused` integer DEFAULT false NOT NULL,
	`concurrency_limit` integer,
	`status` text DEFAULT 'NOT_READY' NOT NULL,
	`default_queue_id` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_work_pool_name` ON `work_pool` (`name`);--> statement-breakpoint
CREATE TABLE `work_queue` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`is_paused` integer DEFAULT false NOT NULL,
	`concurrency_limit` integer,
	`priority` integer DEFAULT 1 NOT NULL,
	`last_polled` text,
	`status` text DEFAULT 'NOT_READY' NOT NULL,
	`work_pool_id` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_work_queue_work_pool_id_name` ON `work_queue` (`work_pool_id`,`name`);