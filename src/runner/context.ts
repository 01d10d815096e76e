import type { Config } from '../config';
import type { Db } from '../db/client';
import type { Notify } from '../db/notify';
import type { Logger } from '../log';
import type { Interpreters } from './interpreters';

/** What every part of a runner needs: passed down, never imported as globals. */
export type RunnerContext = {
  cfg: Config;
  db: Db;
  log: Logger;
  notify: Notify;
  runnerId: string;
  host: string;
  bootId: string;
  interpreters: Interpreters;
  taskEnv: NodeJS.ProcessEnv;
  // Opens task secrets and secret parameter values (src/auth/secret-box.ts).
  secretKey: Buffer;
};

// taskrun's own secrets never reach a task's environment.
const PRIVATE_VARS = ['DATABASE_URL', 'TEST_DATABASE_URL', 'ADMIN_PASSWORD', 'SECRET_KEY', 'METRICS_TOKEN'];

/** The environment every task starts from: the runner's own, minus taskrun's secrets. */
export function baseTaskEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of PRIVATE_VARS) delete out[name];
  return out;
}
