-- End, before the row is written: a run's sealed secret parameter values live only as long as it is
-- active, so the UPDATE that ends it (finish, cancel while queued, lost) also clears them.
-- taskrun_run_ended still sees them as OLD.secret_params and hands them to the retry it queues.
CREATE OR REPLACE FUNCTION taskrun_run_ending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.secret_params := NULL;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER runs_ending BEFORE UPDATE OF status ON runs FOR EACH ROW
  WHEN (OLD.status IN ('queued', 'running') AND NEW.status NOT IN ('queued', 'running'))
  EXECUTE FUNCTION taskrun_run_ending();
