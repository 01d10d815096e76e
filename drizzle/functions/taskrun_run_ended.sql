-- End, after the row is written: when a run ends, whoever ended it (its runner: finishRun; a runner
-- marking it lost: markLostRuns; a cancel while queued: cancelRun), in the same transaction:
--   - one notification_deliveries row per enabled target of its task (or of every task) whose events
--     name its status or 'any', then NOTIFY taskrun_notify '' (the notifier delivers them);
--   - the retry the task asks for: failed, timeout or lost with attempts left, or lost once with
--     retry_on_lost. The retry is a new queued run (trigger 'retry', attempt + 1, retry_of, the same
--     params and secrets, not_before after retry_delay_s); its INSERT fires runs_notify_insert
--     (taskrun_run_notify.sql). ON CONFLICT: a task that already has an active run gets no retry.
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

CREATE OR REPLACE TRIGGER runs_ended AFTER UPDATE OF status ON runs FOR EACH ROW
  WHEN (OLD.status IN ('queued', 'running') AND NEW.status NOT IN ('queued', 'running'))
  EXECUTE FUNCTION taskrun_run_ended();
