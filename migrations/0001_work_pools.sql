CREATE TABLE `worker` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`work_pool_id` text NOT NULL,
	`name` text NOT NULL,
	`last_heartbeat_time` text NOT NULL,
	`heartbeat_interval_seconds` integer,
	`status` text DEFAULT 'OFFLINE' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_worker_work_pool_id_name` ON `worker` (`work_pool_id`,`name`);--> statement-breakpoint
CREATE INDEX `ix_worker_work_pool_id_last_heartbeat_time` ON `worker` (`work_pool_id`,`last_heartbeat_time`);--> statement-breakpoint
ALTER TABLE `deployment` ADD `job_variables` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `deployment` ADD `path` text;--> statement-breakpoint
ALTER TABLE `deployment` ADD `entrypoint` text;--> statement-breakpoint
ALTER TABLE `deployment` ADD `last_polled` text;--> statement-breakpoint
ALTER TABLE `deployment` ADD `concurrency_limit_id` text;--> statement-breakpoint
ALTER TABLE `deployment` ADD `concurrency_options` text;--> statement-breakpoint
ALTER TABLE `deployment` ADD `pull_steps` text;--> statement-breakpoint
ALTER TABLE `deployment` ADD `parameter_openapi_schema` text;--> statement-breakpoint
ALTER TABLE `deployment` ADD `enforce_parameter_schema` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `deployment` ADD `created_by` text;--> statement-breakpoint
ALTER TABLE `deployment` ADD `updated_by` text;--> statement-breakpoint
ALTER TABLE `deployment` ADD `infrastructure_document_id` text;--> statement-breakpoint
ALTER TABLE `deployment` ADD `storage_document_id` text;--> statement-breakpoint
CREATE INDEX `ix_deployment_work_queue_id` ON `deployment` (`work_queue_id`);--> statement-breakpoint
CREATE INDEX `ix_deployment_work_queue_name` ON `deployment` (`work_queue_name`);--> statement-breakpoint
CREATE INDEX `ix_deployment_created` ON `deployment` (`created`);--> statement-breakpoint
ALTER TABLE `work_pool` ADD `storage_configuration` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `work_pool` ADD `last_transitioned_status_at` text;--> statement-breakpoint
CREATE INDEX `ix_work_pool_type` ON `work_pool` (`type`);--> statement-breakpoint
ALTER TABLE `work_queue` ADD `filter` text;--> statement-breakpoint
CREATE INDEX `ix_work_queue_work_pool_id_priority` ON `work_queue` (`work_pool_id`,`priority`);--> statement-breakpoint
CREATE INDEX `ix_work_queue_name` ON `work_queue` (`name`);