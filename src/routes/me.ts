import { Hono } from 'hono';
import { z } from 'zod';
import { changePassword } from '../services/account-service';
import { password } from '../services/users-service';
import { parseInput } from '../services/validate';
import { readJson } from './body';
import type { AppDeps } from './deps';
import { allowUser } from './security/authenticate';
import { who } from './security/context';

const passwordChange = z.strictObject(
  { current_password: z.string({ error: 'must be a string' }), new_password: password },
  { error: 'must be {current_password, new_password}' },
);

/** /api/me: the signed-in user's own account. */
export function meRoutes(deps: AppDeps): Hono {
  return new Hono().post('/password', allowUser(), async (c) => {
    const body = parseInput(passwordChange, await readJson(c));
    await changePassword(deps, who(c), body.current_password, body.new_password);
    return c.body(null, 204);
  });
}
