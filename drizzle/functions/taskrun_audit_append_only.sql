-- The audit log is append-only: no statement may change or remove a row once written, whoever sends
-- it (the app role is not granted UPDATE, DELETE or TRUNCATE either; see src/db/roles.ts).
CREATE OR REPLACE FUNCTION taskrun_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;

CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION taskrun_audit_append_only();

CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION taskrun_audit_append_only();
