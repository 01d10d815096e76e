import { forgetOtherAddresses } from '../queries/signin-throttle';
import { deleteOtherSessions } from '../queries/sessions';
import { findUserById, setPasswordHash } from '../queries/users';
import { AppError } from './app-error';
import { audit } from './audit-service';
import type { PasswordDeps } from './deps';
import { hashQueued } from './password-hashing';
import { attemptKeys, attemptSucceeded, verifyThrottled } from './signin-throttle';
import type { Who } from './deps';

/**
 * Changes the signed-in user's own password, given the current one (checked under the sign-in
 * throttle: a stolen session must not become a way to guess it). Every other session of the user ends,
 * and every address but this one is forgotten: whoever else knew the old password is out.
 * API tokens are not users and have no password: 403.
 */
export async function changePassword(deps: PasswordDeps, who: Who, current: string, next: string): Promise<void> {
  const p = who.principal;
  if (p?.kind !== 'user' || p.userId === undefined || !p.sessionHash) {
    throw new AppError(403, 'only a signed-in user can change their password; an API token has none');
  }
  const user = await findUserById(deps.db, p.userId);
  if (!user) throw new AppError(401, 'sign in or send an API token');
  const keys = attemptKeys(user.name, who.ip);
  if (!(await verifyThrottled(deps, keys, current, user.passwordHash))) {
    await audit(deps, who, 'password.change.failed', user.name);
    throw new AppError(403, 'current password is wrong');
  }
  await attemptSucceeded(deps, keys, user.id, false);
  await setPasswordHash(deps.db, user.id, await hashQueued(deps, next));
  const ended = await deleteOtherSessions(deps.db, user.id, p.sessionHash);
  await forgetOtherAddresses(deps.db, user.id, keys.address);
  await audit(deps, who, 'password.change', user.name, { sessions_ended: ended });
}
