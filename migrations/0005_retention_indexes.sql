DROP INDEX `ix_flow_run_parent_task_run_id`;--> statement-breakpoint
CREATE INDEX `ix_flow_run_parent_task_run_id_end_time` ON `flow_run` (`parent_task_run_id`,`end_time`);--> statement-breakpoint
-- drizzle-kit 0.31 writes an expression index's arguments as quoted columns (`coalesce("start_time"`,` …`): fixed by hand.
CREATE INDEX `ix_flow_run_coalesce_start_time_expected_start_time` ON `flow_run` (coalesce("start_time", "expected_start_time"));
