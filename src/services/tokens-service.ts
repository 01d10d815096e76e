import { z } from 'zod';
import type { Role } from '../auth/roles';
import { randomSecret, sha256 } from '../auth/secrets';
import { insertToken, listTokens, revokeToken } from '../queries/api-tokens';
import { AppError } from './app-error';
import { audit } from './audit-service';
import type { Deps } from './deps';
import type { Who } from './deps';
import { actorName, ROLES } from '../auth/roles';

export const tokenName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'must be 1 to 64 letters, digits, . _ or -' });

/** Creates an API token and returns it: the only time it is ever shown. */
export async function createToken(deps: Pick<Deps, 'db'>, who: Who, name: string, role: Role): Promise<string> {
  const token = randomSecret('trk_');
  if (!(await insertToken(deps.db, { name, tokenHash: sha256(token), role, createdBy: actorName(who.principal) }))) {
    throw new AppError(409, `an active token is already named ${name}`);
  }
  await audit(deps, who, 'token.create', name, { role });
  return token;
}

/** Revokes a token by name. */
export async function revokeTokenByName(deps: Pick<Deps, 'db'>, who: Who, name: string): Promise<void> {
  if (!(await revokeToken(deps.db, name))) throw new AppError(404, `no active token named ${name}`);
  await audit(deps, who, 'token.revoke', name);
}

/** A token as the API lists it (never its secret). */
export const tokenSchema = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  created_by: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

/** Every token (never its secret). */
export async function tokensList(deps: Pick<Deps, 'db'>) {
  return (await listTokens(deps.db)).map((t) => ({
    name: t.name,
    role: t.role,
    created_by: t.createdBy,
    created_at: t.createdAt.toISOString(),
    last_used_at: t.lastUsedAt?.toISOString() ?? null,
    revoked_at: t.revokedAt?.toISOString() ?? null,
  }));
}
