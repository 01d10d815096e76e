import { z } from 'zod';
import type { HashQueue } from '../auth/hash-queue';
import { ROLES, type Role } from '../auth/roles';
import { deleteUser, insertUser, listUsers } from '../queries/users';
import { AppError } from './app-error';
import { audit } from './audit-service';
import type { Deps } from './deps';
import { hashQueued } from './password-hashing';
import type { Who } from './deps';

export const userName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, { error: 'must be 1 to 64 letters, digits, . _ @ or -' });
export const password = z
  .string()
  .min(8, { error: 'must be at least 8 characters' })
  .max(1024, { error: 'must be at most 1024 characters' });
export const role = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });

/** Adds a user with a hashed password (on the web process's hashing queue when given one). */
export async function addUser(
  deps: Pick<Deps, 'db'> & { hashQueue?: HashQueue },
  who: Who,
  name: string,
  pw: string,
  r: Role,
): Promise<void> {
  if (!(await insertUser(deps.db, name, await hashQueued(deps, pw), r))) throw new AppError(409, `user already exists: ${name}`);
  await audit(deps, who, 'user.add', name, { role: r });
}

/** Removes a user and ends their sessions. */
export async function removeUser(deps: Pick<Deps, 'db'>, who: Who, name: string): Promise<void> {
  if (!(await deleteUser(deps.db, name))) throw new AppError(404, `user not found: ${name}`);
  await audit(deps, who, 'user.remove', name);
}

/** A user as the API lists it. */
export const userSchema = z.object({ name: z.string(), role, created_at: z.string() });

/** Every user (names and roles). */
export async function usersList(deps: Pick<Deps, 'db'>): Promise<{ name: string; role: Role; created_at: string }[]> {
  return (await listUsers(deps.db)).map((u) => ({ name: u.name, role: u.role, created_at: u.createdAt.toISOString() }));
}
