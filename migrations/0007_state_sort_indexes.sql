DROP INDEX `ix_flow_run_state_type`;--> statement-breakpoint
CREATE INDEX `ix_flow_run_state_type_expected_start_time` ON `flow_run` (`state_type`,`expected_start_time`);--> statement-breakpoint
-- drizzle-kit 0.31 writes an expression index's arguments as quoted columns (`coalesce("start_time"`,` …`): fixed by hand.
CREATE INDEX `ix_flow_run_state_type_coalesce_start_time_expected_start_time` ON `flow_run` (`state_type`,coalesce("start_time", "expected_start_time"));
