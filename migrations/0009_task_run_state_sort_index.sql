DROP INDEX `ix_task_run_state_type`;--> statement-breakpoint
CREATE INDEX `ix_task_run_state_type_expected_start_time` ON `task_run` (`state_type`,`expected_start_time`);