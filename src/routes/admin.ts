import { Hono } from 'hono';
import { z } from 'zod';
import { auditPage, parseAuditQuery } from '../services/audit-service';
import { createToken, revokeTokenByName, tokenName, tokensList } from '../services/tokens-service';
import { addUser, password, removeUser, role, userName, usersList } from '../services/users-service';
import { parseInput } from '../services/validate';
import { readJson } from './body';
import type { AppDeps } from './deps';
import { allow } from './security/authenticate';
import { who } from './security/context';

const newUser = z.strictObject({ name: userName, password, role }, { error: 'must be {name, password, role}' });
const newToken = z.strictObject({ name: tokenName, role }, { error: 'must be {name, role}' });

/** /api/audit, /api/users, /api/tokens: the admin's JSON twins of the CLI and the audit page. */
export function adminRoutes(deps: AppDeps): Hono {
  return new Hono()
    .get('/audit', allow('admin'), async (c) => c.json(await auditPage(deps, parseAuditQuery(c.req.query()))))
    .get('/users', allow('admin'), async (c) => c.json(await usersList(deps)))
    .post('/users', allow('admin'), async (c) => {
      const u = parseInput(newUser, await readJson(c));
      await addUser(deps, who(c), u.name, u.password, u.role);
      return c.json({ name: u.name, role: u.role }, 201);
    })
    .delete('/users/:name', allow('admin'), async (c) => {
      await removeUser(deps, who(c), parseInput(userName, c.req.param('name')));
      return c.body(null, 204);
    })
    .get('/tokens', allow('admin'), async (c) => c.json(await tokensList(deps)))
    .post('/tokens', allow('admin'), async (c) => {
      const t = parseInput(newToken, await readJson(c));
      return c.json({ name: t.name, role: t.role, token: await createToken(deps, who(c), t.name, t.role) }, 201);
    })
    .delete('/tokens/:name', allow('admin'), async (c) => {
      await revokeTokenByName(deps, who(c), parseInput(tokenName, c.req.param('name')));
      return c.body(null, 204);
    });
}
