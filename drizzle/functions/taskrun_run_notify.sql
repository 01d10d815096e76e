-- Announce: every status change of a run, from the transaction that made it, so no TypeScript sends
-- it (and none can forget to). A new queued run (enqueue, a retry) also wakes the runners.
--   NOTIFY taskrun_wake  ''                                   a run was queued: runners claim
--   NOTIFY taskrun_run   {id, status, task_id[, queue_ms | duration_ms]}   web: live pages, streams, metrics
-- queue_ms comes with `running` (claim), duration_ms with an end that had a start.
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

CREATE OR REPLACE TRIGGER runs_notify_insert AFTER INSERT ON runs FOR EACH ROW
  WHEN (NEW.status IN ('queued', 'running'))
  EXECUTE FUNCTION taskrun_run_notify();

CREATE OR REPLACE TRIGGER runs_notify_update AFTER UPDATE OF status ON runs FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION taskrun_run_notify();
