CREATE TABLE "run_samples" (
	"run_id" bigint NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"cpu_pct" real NOT NULL,
	"rss_bytes" bigint NOT NULL,
	CONSTRAINT "run_samples_run_id_at_pk" PRIMARY KEY("run_id","at")
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "attempt" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "retry_of" bigint;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "peak_rss_bytes" bigint;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "cpu_seconds" double precision;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "retry_on_lost" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "retention_days" integer;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "max_rss_bytes" bigint;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "max_cpu_pct" real;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "limit_grace_s" integer;