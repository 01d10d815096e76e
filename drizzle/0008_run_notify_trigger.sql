-- History: what this migration did when it ran. The current definitions: drizzle/functions/
-- (taskrun_run_notify.sql, taskrun_run_ended.sql, taskrun_enqueue.sql).
-- Fewer statements per run: Postgres announces every status change of a run itself (and wakes the
-- runners for a new queued run) from triggers, in the transaction that made it; execute writes its
-- audit row in the same call. See BENCHMARKS.md, "statements per run".
CREATE OR REPLACE FUNCTION taskrun_run_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v jsonb := jsonb_build_object('id', NEW.id, 'status', NEW.status, 'task_id', NEW.task_id);
BEGIN
  IF NEW.status = 'queued' THEN
    PERFORM pg_notify('taskrun_wake', '');
  ELSIF NEW.status = 'running' AND NEW.started_at IS NOT NULL THEN
    v := v || jsonb_build_object('queue_ms', round(extract(epoch FROM NEW.started_at - NEW.created_at) * 1000));
  ELSIF NEW.finished_at IS NOT NULL AND NEW.started_at IS NOT NULL THEN
    v := v || jsonb_build_object('duration_ms', round(extract(epoch FROM NEW.finished_at - NEW.started_at) * 1000));
  END IF;
  PERFORM pg_notify('taskrun_run', v::text);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER runs_notify_insert AFTER INSERT ON runs FOR EACH ROW
  WHEN (NEW.status IN ('queued', 'running'))
  EXECUTE FUNCTION taskrun_run_notify();
--> statement-breakpoint
CREATE TRIGGER runs_notify_update AFTER UPDATE OF status ON runs FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION taskrun_run_notify();
--> statement-breakpoint
-- The retry's announcements now come from runs_notify_insert.
CREATE OR REPLACE FUNCTION taskrun_run_ended() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_task tasks%ROWTYPE;
  v_retry boolean;
  v_max integer;
BEGIN
  INSERT INTO notification_deliveries (target_id, run_id, event)
    SELECT t.id, NEW.id, NEW.status FROM notification_targets t
    WHERE t.enabled AND (t.task_id IS NULL OR t.task_id = NEW.task_id)
      AND (NEW.status = ANY (t.events) OR 'any' = ANY (t.events));
  IF FOUND THEN
    PERFORM pg_notify('taskrun_notify', '');
  END IF;

  SELECT * INTO v_task FROM tasks WHERE id = NEW.task_id;
  v_max := NEW.max_attempts;
  v_retry := NEW.status IN ('failed', 'timeout', 'lost') AND NEW.attempt < NEW.max_attempts;
  IF NOT v_retry AND NEW.status = 'lost' AND NEW.retry_of IS NULL AND coalesce(v_task.retry_on_lost, false) THEN
    v_retry := true;
    v_max := greatest(v_max, NEW.attempt + 1);
  END IF;
  IF v_retry THEN
    INSERT INTO runs (task_id, timeout_s, trigger, attempt, max_attempts, retry_of, params, secret_params, not_before)
      VALUES (NEW.task_id, NEW.timeout_s, 'retry', NEW.attempt + 1, v_max, NEW.id, NEW.params, OLD.secret_params,
              CASE WHEN coalesce(v_task.retry_delay_s, 0) > 0 THEN now() + make_interval(secs => v_task.retry_delay_s) END)
      ON CONFLICT (task_id) WHERE status IN ('queued', 'running') DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Execute with its audit row, in one round trip. p_actor null: the caller audits (or nothing to audit).
DROP FUNCTION IF EXISTS taskrun_enqueue(text, integer, text, integer, double precision, jsonb, text, integer);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION taskrun_enqueue(p_task text, p_timeout integer, p_trigger text, p_max_queued integer, p_dead_s double precision,
  p_params jsonb, p_secret_params text, p_max_attempts integer, p_actor text, p_ip text, p_details jsonb)
RETURNS TABLE(outcome text, run_id bigint) LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
  v_count bigint;
  v_slots bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(7311002);
  SELECT r.id INTO v_id FROM runs r WHERE r.task_id = p_task AND r.status IN ('queued', 'running');
  IF FOUND THEN
    RETURN QUERY SELECT 'active'::text, v_id;
    RETURN;
  END IF;
  IF p_max_queued > 0 THEN
    SELECT count(*) INTO v_count FROM runs r WHERE r.status = 'queued';
    IF v_count >= p_max_queued THEN
      RETURN QUERY SELECT 'full'::text, NULL::bigint;
      RETURN;
    END IF;
  ELSE
    SELECT coalesce(sum(w.slots), 0) INTO v_slots FROM runners w
      WHERE w.stopped_at IS NULL AND w.heartbeat_at > now() - make_interval(secs => p_dead_s);
    SELECT count(*) INTO v_count FROM runs r WHERE r.status IN ('queued', 'running');
    IF v_count >= v_slots THEN
      RETURN QUERY SELECT 'full'::text, NULL::bigint;
      RETURN;
    END IF;
  END IF;
  INSERT INTO runs (task_id, timeout_s, trigger, params, secret_params, max_attempts)
    VALUES (p_task, p_timeout, p_trigger, p_params, p_secret_params, p_max_attempts) RETURNING id INTO v_id;
  IF p_actor IS NOT NULL THEN
    INSERT INTO audit_log (actor, ip, action, target, details)
      VALUES (p_actor, p_ip, 'run.execute', p_task,
              (jsonb_build_object('run_id', v_id, 'trigger', p_trigger) || coalesce(p_details, '{}'::jsonb))::text);
  END IF;
  RETURN QUERY SELECT 'queued'::text, v_id;
END
$$;
