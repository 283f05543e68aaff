CREATE TABLE `artifact` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`key` text,
	`task_run_id` text,
	`flow_run_id` text,
	`type` text,
	`data` text,
	`description` text,
	`metadata_` text
);
--> statement-breakpoint
CREATE INDEX `ix_artifact_key_created` ON `artifact` (`key`,`created`);--> statement-breakpoint
CREATE INDEX `ix_artifact_flow_run_id` ON `artifact` (`flow_run_id`);--> statement-breakpoint
CREATE INDEX `ix_artifact_task_run_id` ON `artifact` (`task_run_id`);--> statement-breakpoint
CREATE TABLE `artifact_collection` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`key` text NOT NULL,
	`latest_id` text NOT NULL,
	`task_run_id` text,
	`flow_run_id` text,
	`type` text,
	`data` text,
	`description` text,
	`metadata_` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_artifact_collection_key` ON `artifact_collection` (`key`);--> statement-breakpoint
CREATE TABLE `automation` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`trigger` text NOT NULL,
	`actions` text DEFAULT '[]' NOT NULL,
	`actions_on_trigger` text DEFAULT '[]' NOT NULL,
	`actions_on_resolve` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ix_automation_name` ON `automation` (`name`);--> statement-breakpoint
CREATE TABLE `automation_related_resource` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`automation_id` text NOT NULL,
	`resource_id` text,
	`automation_owned_by_resource` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_automation_related_resource_automation_id_resource_id` ON `automation_related_resource` (`automation_id`,`resource_id`);--> statement-breakpoint
CREATE INDEX `ix_automation_related_resource_resource_id` ON `automation_related_resource` (`resource_id`);--> statement-breakpoint
CREATE TABLE `block_document` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	`is_anonymous` integer DEFAULT false NOT NULL,
	`block_type_name` text,
	`block_type_id` text NOT NULL,
	`block_schema_id` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_block_document_type_id_name` ON `block_document` (`block_type_id`,`name`);--> statement-breakpoint
CREATE INDEX `ix_block_document_block_type_name_name` ON `block_document` (`block_type_name`,`name`);--> statement-breakpoint
CREATE INDEX `ix_block_document_is_anonymous` ON `block_document` (`is_anonymous`);--> statement-breakpoint
CREATE TABLE `block_document_reference` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`parent_block_document_id` text NOT NULL,
	`reference_block_document_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ix_block_document_reference_parent` ON `block_document_reference` (`parent_block_document_id`);--> statement-breakpoint
CREATE INDEX `ix_block_document_reference_reference` ON `block_document_reference` (`reference_block_document_id`);--> statement-breakpoint
CREATE TABLE `block_schema` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`checksum` text NOT NULL,
	`fields` text DEFAULT '{}' NOT NULL,
	`capabilities` text DEFAULT '[]' NOT NULL,
	`version` text DEFAULT 'non-versioned' NOT NULL,
	`block_type_id` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_block_schema_checksum_version` ON `block_schema` (`checksum`,`version`);--> statement-breakpoint
CREATE INDEX `ix_block_schema_block_type_id` ON `block_schema` (`block_type_id`);--> statement-breakpoint
CREATE INDEX `ix_block_schema_created` ON `block_schema` (`created`);--> statement-breakpoint
CREATE TABLE `block_schema_reference` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`parent_block_schema_id` text NOT NULL,
	`reference_block_schema_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ix_block_schema_reference_parent` ON `block_schema_reference` (`parent_block_schema_id`);--> statement-breakpoint
CREATE TABLE `block_type` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`logo_url` text,
	`documentation_url` text,
	`description` text,
	`code_example` text,
	`is_protected` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_block_type_slug` ON `block_type` (`slug`);--> statement-breakpoint
CREATE TABLE `concurrency_limit_v2` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`name` text NOT NULL,
	`limit` integer NOT NULL,
	`active_slots` integer DEFAULT 0 NOT NULL,
	`denied_slots` integer DEFAULT 0 NOT NULL,
	`slot_decay_per_second` real DEFAULT 0 NOT NULL,
	`avg_slot_occupancy_seconds` real DEFAULT 2 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_concurrency_limit_v2_name` ON `concurrency_limit_v2` (`name`);--> statement-breakpoint
CREATE TABLE `flow_run_notification_policy` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`state_names` text DEFAULT '[]' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`block_document_id` text NOT NULL,
	`message_template` text
);
--> statement-breakpoint
CREATE TABLE `saved_search` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`filters` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_saved_search_name` ON `saved_search` (`name`);--> statement-breakpoint
CREATE TABLE `variable` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`name` text NOT NULL,
	`value` text,
	`tags` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_variable_name` ON `variable` (`name`);