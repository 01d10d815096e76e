import type { Config } from '../config';
import { withoutSecrets } from '../process-secrets';
import type { Db } from '../db/client';
import type { Notify } from '../db/notify';
import type { Logger } from '../log';
import type { Interpreters } from './interpreters';
import type { Isolation } from './isolation/isolation';

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
  // How runs are kept inside the trust boundary on this machine (src/runner/isolation/).
  isolation: Isolation;
  taskEnv: NodeJS.ProcessEnv;
  // Opens task secrets and secret parameter values (src/auth/secret-box.ts).
  secretKey: Buffer;
};

/** The environment every task starts from: the runner's own, minus taskrun's secrets (if any were left). */
export function baseTaskEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return withoutSecrets(env);
}
