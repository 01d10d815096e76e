import type { Context } from 'hono';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { AppError } from '../../services/app-error';
import { auditPage, parseAuditQuery } from '../../services/audit-service';
import { SESSION_COOKIE, SESSION_TTL_MS, signIn, signOut } from '../../services/auth-service';
import { completeSetup, setupOpen } from '../../services/setup-service';
import { password, userName } from '../../services/users-service';
import { AuditPage } from '../../views/audit-view';
import { SetupPage, SignInPage } from '../../views/auth-views';
import type { AppDeps, WebDeps } from '../deps';
import { allow } from '../security/authenticate';
import { isHttps } from '../security/client-ip';
import { who } from '../security/context';
import { sendPage, type PageEnv } from './render';

// Only a local path: never an open redirect to another site (`//evil`, `/\\evil`, `https:`).
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';
}

const field = (body: Record<string, unknown>, name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');

function startSession(c: Context, deps: WebDeps, token: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure: isHttps(c, deps.cfg.trustProxy),
    maxAge: SESSION_TTL_MS / 1000,
  });
}

/** /login, /logout, /setup and the admin's /audit page. */
export function authPages(deps: AppDeps): Hono<PageEnv> {
  return new Hono<PageEnv>()
    .get('/login', async (c) => {
      if (await setupOpen(deps)) return c.redirect('/setup', 303);
      return sendPage(c, <SignInPage next={safeNext(c.req.query('next'))} />);
    })
    .post('/login', async (c) => {
      const body = await c.req.parseBody();
      const name = field(body, 'name');
      const next = safeNext(body.next);
      try {
        const s = await signIn(deps, who(c), name, field(body, 'password'), getCookie(c, SESSION_COOKIE));
        startSession(c, deps, s.token);
        return c.redirect(next, 303);
      } catch (err) {
        if (!(err instanceof AppError) || (err.status !== 401 && err.status !== 429)) throw err;
        for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
        return sendPage(c, <SignInPage next={next} name={name} error={err.message} />, err.status);
      }
    })
    .post('/logout', async (c) => {
      await signOut(deps, who(c));
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.redirect('/login', 303);
    })
    .get('/setup', async (c) => {
      if (!(await setupOpen(deps))) return c.redirect('/login', 303);
      return sendPage(c, <SetupPage />);
    })
    .post('/setup', async (c) => {
      const body = await c.req.parseBody();
      const name = field(body, 'name');
      try {
        const u = userName.safeParse(name);
        if (!u.success) throw new AppError(400, `name ${u.error.issues[0].message}`);
        const pw = password.safeParse(field(body, 'password'));
        if (!pw.success) throw new AppError(400, `password ${pw.error.issues[0].message}`);
        await completeSetup(deps, who(c), field(body, 'code'), u.data, pw.data);
        const s = await signIn(deps, who(c), u.data, pw.data);
        startSession(c, deps, s.token);
        return c.redirect('/', 303);
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        return sendPage(c, <SetupPage name={name} error={err.message} />, err.status);
      }
    })
    .get('/audit', allow('admin'), async (c) => {
      const q = parseAuditQuery(c.req.query());
      const page = await auditPage(deps, q);
      const filter = { actor: q.actor ?? '', action: q.action ?? '', cursor: q.cursor ?? '' };
      return sendPage(c, <AuditPage entries={page.entries} next={page.next_cursor} filter={filter} />);
    });
}
