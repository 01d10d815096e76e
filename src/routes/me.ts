import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { changePassword } from '../services/account-service';
import { password } from '../services/users-service';
import type { AppDeps } from './deps';
import { defineRoute, errors, jsonBody } from './openapi';
import { allowUser } from './security/authenticate';
import { who } from './security/context';

const passwordChange = z.strictObject(
  { current_password: z.string({ error: 'must be a string' }), new_password: password },
  { error: 'must be {current_password, new_password}' },
);

/** /api/me: the signed-in user's own account. */
export function meRoutes(deps: AppDeps): OpenAPIHono {
  const app = new OpenAPIHono();
  defineRoute(
    app,
    createRoute({
      method: 'post',
      path: '/password',
      middleware: allowUser(),
      summary: 'Change your own password',
      request: { body: jsonBody(passwordChange) },
      responses: {
        204: { description: 'Changed: every other session of yours has ended.' },
        ...errors([400, 401, 403, 413, 429], {
          403: 'The current password is wrong, or the caller is an API token (not a user).',
          429: 'Too many wrong passwords, or too many sign-ins at once: try again in `retry_after_s`.',
        }),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      await changePassword(deps, who(c), body.current_password, body.new_password);
      return c.body(null, 204);
    },
  );
  return app;
}
