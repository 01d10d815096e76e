import { loadConfig, type Config } from './config';

/**
 * Variables holding taskrun's own secrets. No taskrun process keeps them in its environment once read,
 * and none hands them to a child through its environment: the supervisor sends each child only the
 * ones it needs, over the IPC channel of the fork.
 */
export const SECRET_VARS = [
  'DATABASE_URL',
  'DATABASE_OWNER_URL',
  'TEST_DATABASE_URL',
  'ADMIN_PASSWORD',
  'SECRET_KEY',
  'METRICS_TOKEN',
] as const;

// Set in a child's environment by the supervisor: its secrets arrive as the first IPC message.
const HANDOFF = 'TASKRUN_SECRETS_BY_IPC';

/** An environment without taskrun's secrets. */
export function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of SECRET_VARS) delete out[name];
  delete out[HANDOFF];
  return out;
}

/** The environment of a child the supervisor forks: no secrets, a note that they come by IPC. */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...withoutSecrets(env), [HANDOFF]: '1' };
}

/** The message a forked child receives first: the secrets it needs, by variable name. */
export type SecretsMessage = { secrets: Partial<Record<(typeof SECRET_VARS)[number], string>> };

function receive(): Promise<SecretsMessage['secrets']> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the supervisor sent no configuration within 30 s')), 30_000);
    process.once('message', (m: unknown) => {
      clearTimeout(timer);
      const secrets = (m as Partial<SecretsMessage> | undefined)?.secrets;
      if (secrets && typeof secrets === 'object') resolve(secrets);
      else reject(new Error('the first message from the supervisor was not its configuration'));
    });
  });
}

/**
 * This process's configuration: its environment, plus the secrets the supervisor sends when it forked
 * this process. Secrets found in the environment (a process started by hand) are then removed from it,
 * so nothing this process starts inherits them.
 */
export async function loadProcessConfig(): Promise<Config> {
  const handed = process.env[HANDOFF] === '1' && process.send ? await receive() : {};
  const cfg = loadConfig({ ...process.env, ...handed });
  for (const name of [...SECRET_VARS, HANDOFF]) delete process.env[name];
  return cfg;
}
