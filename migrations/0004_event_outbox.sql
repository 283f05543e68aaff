CREATE TABLE `event_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`events` text NOT NULL,
	`resources` text NOT NULL
);
