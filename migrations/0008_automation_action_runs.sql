CREATE TABLE `automation_action_run` (
	`automation_id` text NOT NULL,
	`action_index` integer NOT NULL,
	`invocation` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 1 NOT NULL,
	`error` text,
	`claimed` text NOT NULL,
	`updated` text NOT NULL,
	PRIMARY KEY(`automation_id`, `action_index`, `invocation`)
);
--> statement-breakpoint
CREATE INDEX `ix_automation_action_run_updated` ON `automation_action_run` (`updated`);