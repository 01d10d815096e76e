-- History: what this migration did when it ran. The current definitions: drizzle/functions/
-- (taskrun_enqueue.sql, taskrun_run_ending.sql, taskrun_run_ended.sql).
-- Execute with parameters and attempts, still in one round trip (see 0001 for the outcomes).
DROP FUNCTION IF EXISTS taskrun_enqueue(text, integer, text, integer, double precision);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION taskrun_enqueue(p_task text, p_timeout integer, p_trigger text, p_max_queued integer, p_dead_s double precision,
  p_params jsonb, p_secret_params text, p_max_attempts integer)
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
  RETURN QUERY SELECT 'queued'::text, v_id;
END
$$;
--> statement-breakpoint
-- Sealed secret parameter values live only as long as the run is active.
CREATE OR REPLACE FUNCTION taskrun_run_ending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.secret_params := NULL;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER runs_ending BEFORE UPDATE OF status ON runs FOR EACH ROW
  WHEN (OLD.status IN ('queued', 'running') AND NEW.status NOT IN ('queued', 'running'))
  EXECUTE FUNCTION taskrun_run_ending();
--> statement-breakpoint
-- When a run ends, whoever ended it (its runner, a runner marking it lost, a cancel while queued), in the
-- same transaction: one notification delivery per matching target, and the retry the task asks for
-- (failed, timeout or lost with attempts left; or lost once with retry_on_lost).
CREATE OR REPLACE FUNCTION taskrun_run_ended() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_task tasks%ROWTYPE;
  v_retry boolean;
  v_max integer;
  v_id bigint;
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
      ON CONFLICT (task_id) WHERE status IN ('queued', 'running') DO NOTHING
      RETURNING id INTO v_id;
    IF v_id IS NOT NULL THEN
      PERFORM pg_notify('taskrun_wake', '');
      PERFORM pg_notify('taskrun_run', json_build_object('id', v_id, 'status', 'queued', 'task_id', NEW.task_id)::text);
    END IF;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER runs_ended AFTER UPDATE OF status ON runs FOR EACH ROW
  WHEN (OLD.status IN ('queued', 'running') AND NEW.status NOT IN ('queued', 'running'))
  EXECUTE FUNCTION taskrun_run_ended();
