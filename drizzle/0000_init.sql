CREATE TABLE "runners" (
	"id" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"boot_id" text NOT NULL,
	"slots" integer NOT NULL,
	"version" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stopped_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"task_id" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"trigger" text DEFAULT 'api' NOT NULL,
	"timeout_s" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"exit_code" integer,
	"signal" text,
	"error" text,
	"runner_id" text,
	"host" text,
	"boot_id" text,
	"pid" integer,
	"needs_reap" boolean DEFAULT false NOT NULL,
	"cancel_requested" boolean DEFAULT false NOT NULL,
	"log_bytes" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "runs_status_check" CHECK ("runs"."status" in ('queued','running','success','failed','timeout','canceled','error','lost'))
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"timeout_s" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "runs_one_active_per_task" ON "runs" USING btree ("task_id") WHERE status in ('queued','running');--> statement-breakpoint
CREATE INDEX "runs_queued_fifo" ON "runs" USING btree ("id") WHERE status = 'queued';--> statement-breakpoint
CREATE INDEX "runs_running_by_runner" ON "runs" USING btree ("runner_id") WHERE status = 'running';--> statement-breakpoint
CREATE INDEX "runs_task_id_desc" ON "runs" USING btree ("task_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "runs_status_id_desc" ON "runs" USING btree ("status","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "runs_needs_reap" ON "runs" USING btree ("host") WHERE needs_reap;