import { randomSecret, safeEqual, sha256 } from '../auth/secrets';
import { deleteSetting, getSetting, putSetting } from '../queries/settings';
import { countUsers } from '../queries/users';
import { AppError } from './app-error';
import type { Deps } from './deps';
import { addUser } from './users-service';
import { SYSTEM, type Who } from './deps';

const SETUP_KEY = 'setup_code_sha256';

/**
 * At start with no user yet: creates `admin` from ADMIN_PASSWORD, or else makes a one-time setup
 * code for /setup and returns it for the caller to print. Undefined when nothing is to be shown.
 */
export async function ensureFirstAdmin(deps: Deps): Promise<string | undefined> {
  if ((await countUsers(deps.db)) > 0) return undefined;
  if (deps.cfg.adminPassword) {
    await addUser(deps, SYSTEM, 'admin', deps.cfg.adminPassword, 'admin').catch((err) => {
      if (!(err instanceof AppError && err.status === 409)) throw err; // another node made it first
    });
    return undefined;
  }
  const code = randomSecret('', 12);
  await putSetting(deps.db, SETUP_KEY, sha256(code));
  return code;
}

/** True while the first admin has yet to be created. */
export async function setupOpen(deps: Deps): Promise<boolean> {
  return (await countUsers(deps.db)) === 0;
}

/** Creates the first admin with the one-time setup code; the code is used up. */
export async function completeSetup(deps: Deps, who: Who, code: string, name: string, password: string): Promise<void> {
  if (!(await setupOpen(deps))) throw new AppError(409, 'setup is done: sign in instead');
  const want = await getSetting(deps.db, SETUP_KEY);
  if (!want || !safeEqual(sha256(code.trim()), want))
    throw new AppError(403, 'wrong setup code (see the console or app.log of the web process)');
  await addUser(deps, who, name, password, 'admin');
  await deleteSetting(deps.db, SETUP_KEY);
}
