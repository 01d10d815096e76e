import { Hono } from 'hono';
import { changePassword } from '../../services/account-service';
import { AppError } from '../../services/app-error';
import { password } from '../../services/users-service';
import { PasswordPage } from '../../views/auth-views';
import type { AppDeps } from '../deps';
import { allowUser } from '../security/authenticate';
import { who } from '../security/context';
import { sendPage, type PageEnv } from './render';

const field = (body: Record<string, unknown>, name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');

/** /account/password: the signed-in user changes their own password (the page of POST /api/me/password). */
export function accountPages(deps: AppDeps): Hono<PageEnv> {
  return new Hono<PageEnv>()
    .get('/account/password', allowUser(), (c) => {
      const name = who(c).principal!.name;
      return sendPage(c, <PasswordPage name={name} changed={c.req.query('changed') === '1'} />);
    })
    .post('/account/password', allowUser(), async (c) => {
      const body = await c.req.parseBody();
      const name = who(c).principal!.name;
      try {
        const next = field(body, 'new_password');
        if (next !== field(body, 'confirm_password')) throw new AppError(400, 'the new password and its repetition differ');
        const pw = password.safeParse(next);
        if (!pw.success) throw new AppError(400, `new password ${pw.error.issues[0].message}`);
        await changePassword(deps, who(c), field(body, 'current_password'), pw.data);
        return c.redirect('/account/password?changed=1', 303);
      } catch (err) {
        if (!(err instanceof AppError) || ![400, 403, 429].includes(err.status)) throw err;
        for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
        return sendPage(c, <PasswordPage name={name} error={err.message} />, err.status);
      }
    });
}
