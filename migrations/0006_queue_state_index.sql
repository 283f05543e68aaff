DROP INDEX `ix_flow_run_work_queue_id`;--> statement-breakpoint
CREATE INDEX `ix_flow_run_work_queue_id_state_type_id` ON `flow_run` (`work_queue_id`,`state_type`,`id`);