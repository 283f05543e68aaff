CREATE TABLE `deployment_schedule` (
	`id` text PRIMARY KEY NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`deployment_id` text NOT NULL,
	`schedule` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`max_scheduled_runs` integer,
	`parameters` text DEFAULT '{}' NOT NULL,
	`slug` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_deployment_schedule_deployment_id_slug` ON `deployment_schedule` (`deployment_id`,`slug`);--> statement-breakpoint
CREATE INDEX `ix_deployment_schedule_slug` ON `deployment_schedule` (`slug`);--> statement-breakpoint
CREATE INDEX `ix_deployment_paused` ON `deployment` (`paused`);