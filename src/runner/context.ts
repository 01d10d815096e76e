import type { Config } from '../config';
import { withoutSecrets } from '../process-secrets';
import type { Db } from '../db/client';
import type { Notify } from '../db/notify';
import type { Logger } from '../log';
import type { LogFiles, OutputSockets } from '../logs';
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
  // Where runs' output arrives, and the log files it is written to (src/logs/).
  outputSockets: OutputSockets;
  logFiles: LogFiles;
};

// What a task gets of the runner's environment: where programs are, the language and time zone, and
// the proxy to reach the network through. Nothing else: an operator's environment holds passwords
// (PGPASSWORD, cloud keys) and taskrun's own settings, none of them a task's business.
const PASSED = /^(PATH|LANG|LANGUAGE|LC_[A-Z_]+|TZ|TERM|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy)$/;

/** The environment every task starts from: the few variables of the runner's own that tasks need. */
export function baseTaskEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(withoutSecrets(env)).filter(([name]) => PASSED.test(name)));
}
