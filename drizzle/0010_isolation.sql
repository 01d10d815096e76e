ALTER TABLE "runners" ADD COLUMN "isolation" jsonb;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "run_uid" integer;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "isolation" text DEFAULT 'standard' NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "network" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "max_processes" integer;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "max_memory_bytes" bigint;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "max_file_bytes" bigint;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "max_open_files" integer;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "max_cpu_seconds" integer;