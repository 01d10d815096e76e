DROP INDEX "runs_task_id_desc";--> statement-breakpoint
DROP INDEX "runs_status_id_desc";--> statement-breakpoint
DROP INDEX "audit_log_action_id";--> statement-breakpoint
DROP INDEX "audit_log_actor_id";--> statement-breakpoint
CREATE INDEX "runs_task_id_id" ON "runs" USING btree ("task_id","id");--> statement-breakpoint
CREATE INDEX "runs_status_id" ON "runs" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "audit_log_action_id" ON "audit_log" USING btree ("action","id");--> statement-breakpoint
CREATE INDEX "audit_log_actor_id" ON "audit_log" USING btree ("actor","id");