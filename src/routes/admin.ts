import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { auditPage, auditPageSchema, auditQuery } from '../services/audit-service';
import { createToken, revokeTokenByName, tokenName, tokenSchema, tokensList } from '../services/tokens-service';
import { addUser, password, removeUser, role, userName, userSchema, usersList } from '../services/users-service';
import { bodyLikePath } from '../services/validate';
import type { AppDeps } from './deps';
import { defineRoute, errors, json, jsonBody } from './openapi';
import { allow } from './security/authenticate';
import { who } from './security/context';

const newUser = z.strictObject({ name: userName, password, role }, { error: 'must be {name, password, role}' });
const newToken = z.strictObject({ name: tokenName, role }, { error: 'must be {name, role}' });
const newTokenAnswer = z.object({ name: z.string(), role, token: z.string() });

/** /api/audit, /api/users, /api/tokens: the admin's JSON twins of the CLI and the audit page. */
export function adminRoutes(deps: AppDeps): OpenAPIHono {
  const app = new OpenAPIHono();
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/audit',
      middleware: allow('admin'),
      summary: 'A page of the audit log',
      request: { query: auditQuery },
      responses: { 200: json(auditPageSchema, 'Newest first; pass `next_cursor` as `cursor` for older ones.'), ...errors([400, 401, 403]) },
    }),
    async (c) => c.json(await auditPage(deps, c.req.valid('query')), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/users',
      middleware: allow('admin'),
      summary: 'Every user',
      responses: { 200: json(z.array(userSchema), 'Names and roles.'), ...errors([401, 403]) },
    }),
    async (c) => c.json(await usersList(deps), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'post',
      path: '/users',
      middleware: allow('admin'),
      summary: 'Add a user',
      request: { body: jsonBody(newUser) },
      responses: {
        201: json(z.object({ name: z.string(), role }), 'The new user.'),
        ...errors([400, 401, 403, 409, 413], { 409: 'A user with this name exists.' }),
      },
    }),
    async (c) => {
      const u = c.req.valid('json');
      await addUser(deps, who(c), u.name, u.password, u.role);
      return c.json({ name: u.name, role: u.role }, 201);
    },
  );
  defineRoute(
    app,
    createRoute({
      method: 'delete',
      path: '/users/{name}',
      middleware: allow('admin'),
      summary: 'Remove a user and end their sessions',
      request: { params: z.object({ name: bodyLikePath(userName) }) },
      responses: { 204: { description: 'Removed.' }, ...errors([400, 401, 403, 404]) },
    }),
    async (c) => {
      await removeUser(deps, who(c), c.req.valid('param').name);
      return c.body(null, 204);
    },
  );
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/tokens',
      middleware: allow('admin'),
      summary: 'Every API token',
      responses: { 200: json(z.array(tokenSchema), 'Each token, revoked ones too; never a secret.'), ...errors([401, 403]) },
    }),
    async (c) => c.json(await tokensList(deps), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'post',
      path: '/tokens',
      middleware: allow('admin'),
      summary: 'Create an API token',
      request: { body: jsonBody(newToken) },
      responses: {
        201: json(newTokenAnswer, 'The token: the only time it is shown.'),
        ...errors([400, 401, 403, 409, 413], { 409: 'An active token has this name.' }),
      },
    }),
    async (c) => {
      const t = c.req.valid('json');
      return c.json({ name: t.name, role: t.role, token: await createToken(deps, who(c), t.name, t.role) }, 201);
    },
  );
  defineRoute(
    app,
    createRoute({
      method: 'delete',
      path: '/tokens/{name}',
      middleware: allow('admin'),
      summary: 'Revoke an API token',
      request: { params: z.object({ name: bodyLikePath(tokenName) }) },
      responses: { 204: { description: 'Revoked.' }, ...errors([400, 401, 403, 404]) },
    }),
    async (c) => {
      await revokeTokenByName(deps, who(c), c.req.valid('param').name);
      return c.body(null, 204);
    },
  );
  return app;
}
