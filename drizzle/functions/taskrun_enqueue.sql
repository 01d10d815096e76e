-- Enqueue: put a `queued` run in the queue, in one round trip (src/runs/enqueue.ts, enqueueRun).
-- Outcomes: ('queued', new id) | ('active', id of the run already active) | ('full', null).
-- p_max_queued > 0 bounds queued runs; 0 refuses once every live runner slot is taken.
-- The advisory lock makes the queue bound exact under concurrency; the partial unique index
-- runs_one_active_per_task stays the final guard for one active run per task.
-- p_actor set: the execute's audit row is written in the same call; null: the caller audits (or nothing to).
-- The INSERT fires runs_notify_insert (taskrun_run_notify.sql): NOTIFY taskrun_wake and taskrun_run.
CREATE OR REPLACE FUNCTION taskrun_enqueue(p_task text, p_timeout integer, p_trigger text, p_max_queued integer, p_dead_s double precision,
  p_params jsonb, p_secret_params text, p_max_attempts integer, p_actor text, p_ip text, p_details jsonb)
RETURNS TABLE(outcome text, run_id bigint) LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
  v_count bigint;
  v_slots bigint;
BEGIN
  PERFORM pg_advisory_xact_lock({{lock:enqueue}});
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
