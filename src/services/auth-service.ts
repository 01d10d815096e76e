import { DUMMY_HASH } from '../auth/passwords';
import type { Principal } from '../auth/roles';
import { randomSecret, sha256 } from '../auth/secrets';
import { useToken } from '../queries/api-tokens';
import { deleteSession, deleteStaleSessions, findSession, insertSession, touchSession } from '../queries/sessions';
import { findUser } from '../queries/users';
import { AppError } from './app-error';
import { audit } from './audit-service';
import type { Deps, PasswordDeps } from './deps';
import { attemptKeys, attemptSucceeded, verifyThrottled } from './signin-throttle';
import type { Who } from './deps';

export const SESSION_COOKIE = 'taskrun_session';
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
// A session's last use is written at most this often: the idle timeout holds to within it.
const TOUCH_EVERY_MS = 60_000;

/** The principal behind a bearer token or a session cookie, or undefined. */
export async function principalFrom(
  deps: Deps,
  bearer: string | undefined,
  sessionToken: string | undefined,
): Promise<Principal | undefined> {
  if (bearer) {
    const t = await useToken(deps.db, sha256(bearer));
    return t ? { kind: 'token', name: t.name, role: t.role } : undefined;
  }
  if (!sessionToken) return undefined;
  const idHash = sha256(sessionToken);
  const s = await findSession(deps.db, idHash, deps.cfg.sessionIdleMs);
  if (!s) return undefined;
  if (Date.now() - s.lastSeenAt.getTime() > TOUCH_EVERY_MS) await touchSession(deps.db, idHash);
  return { kind: 'user', name: s.name, role: s.role, userId: s.userId, sessionHash: idHash, csrfToken: s.csrfToken };
}

/**
 * Checks a name and password under the sign-in throttle (signin-throttle.ts) and opens a new session:
 * the cookie's token is returned, only its hash is stored. `previous`, the token of the session this
 * browser held, is ended: one browser holds one session.
 */
export async function signIn(
  deps: PasswordDeps,
  who: Who,
  name: string,
  password: string,
  previous?: string,
): Promise<{ token: string; csrf: string; principal: Principal }> {
  const keys = attemptKeys(name, who.ip);
  const user = await findUser(deps.db, name);
  const ok = await verifyThrottled(deps, keys, password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) {
    await audit(deps, who, 'signin.failed', name);
    throw new AppError(401, 'wrong name or password');
  }
  await attemptSucceeded(deps, keys, user.id, who.ip !== null);
  if (previous) await deleteSession(deps.db, sha256(previous)); // a new id at every sign-in: no fixation
  await deleteStaleSessions(deps.db, deps.cfg.sessionIdleMs);
  const token = randomSecret();
  const csrf = randomSecret('', 24);
  await insertSession(deps.db, { idHash: sha256(token), userId: user.id, csrfToken: csrf, ip: who.ip, ttlMs: SESSION_TTL_MS });
  const principal: Principal = {
    kind: 'user',
    name: user.name,
    role: user.role,
    userId: user.id,
    sessionHash: sha256(token),
    csrfToken: csrf,
  };
  await audit(deps, { ...who, principal }, 'signin', user.name);
  return { token, csrf, principal };
}

/** Ends the caller's session. */
export async function signOut(deps: Deps, who: Who): Promise<void> {
  if (who.principal?.sessionHash) await deleteSession(deps.db, who.principal.sessionHash);
  await audit(deps, who, 'signout', who.principal?.name ?? null);
}
