import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness';
import { bearer, seedPrincipals, signInCookie, type Principals } from './support/principals';

let h: Harness;
let p: Principals;
beforeAll(async () => {
  h = await createHarness({ SESSION_IDLE_S: '600' });
  p = await seedPrincipals(h);
});
afterAll(() => h.close());

const sameOrigin = { origin: 'http://localhost', host: 'localhost' };
const form = { ...sameOrigin, 'content-type': 'application/x-www-form-urlencoded' };
const tasksAs = async (cookie: string) => (await h.rawApp.request('/api/tasks', { headers: { cookie } })).status;
const lastSeenSecondsAgo = async (cookie: string) => {
  const token = decodeURIComponent(cookie.split('=')[1]);
  const rows = await h.tdb.db.execute<{ s: number }>(sql`
    select extract(epoch from now() - last_seen_at)::float8 as s from sessions where id_hash = encode(sha256(${token}::bytea), 'hex')`);
  return Number(rows[0].s);
};
const idleFor = (cookie: string, minutes: number) => {
  const token = decodeURIComponent(cookie.split('=')[1]);
  return h.tdb.db.execute(sql`
    update sessions set last_seen_at = now() - make_interval(mins => ${minutes}) where id_hash = encode(sha256(${token}::bytea), 'hex')`);
};

describe('session lifetime', () => {
  it('ends a session unused for SESSION_IDLE_S and keeps one in use alive', async () => {
    const idle = await signInCookie(h, 'user-viewer', p.password);
    const used = await signInCookie(h, 'user-viewer', p.password);
    await idleFor(idle.cookie, 11);
    await idleFor(used.cookie, 9);
    expect(await tasksAs(idle.cookie)).toBe(401);
    expect(await tasksAs(used.cookie)).toBe(200);
    expect(await lastSeenSecondsAgo(used.cookie)).toBeLessThan(60);
    expect(await tasksAs(used.cookie)).toBe(200);
  });

  it('ends the session a browser held when it signs in again, through the sign-in form', async () => {
    const old = await signInCookie(h, 'user-operator', p.password);
    const page = await (await h.rawApp.request('/login', { headers: { cookie: old.cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
    expect(csrf).toBe(old.csrf);
    const again = await h.rawApp.request('/login', {
      method: 'POST',
      headers: { ...form, cookie: old.cookie },
      body: new URLSearchParams({ _csrf: csrf!, name: 'user-viewer', password: p.password }).toString(),
    });
    expect(again.status).toBe(303);
    const cookie = again.headers.get('set-cookie')!.split(';')[0];
    expect(await tasksAs(old.cookie)).toBe(401);
    expect(await tasksAs(cookie)).toBe(200);
  });
});

describe('POST /api/me/password', () => {
  const change = (headers: Record<string, string>, body: unknown) =>
    h.rawApp.request('/api/me/password', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('changes the caller’s password, ends their other sessions and keeps theirs; refuses a wrong current password', async () => {
    await h.app.request('/api/users', {
      method: 'POST',
      body: JSON.stringify({ name: 'frank', password: 'first password', role: 'viewer' }),
    });
    const mine = await signInCookie(h, 'frank', 'first password');
    const other = await signInCookie(h, 'frank', 'first password');
    const as = { ...sameOrigin, cookie: mine.cookie, 'x-csrf-token': mine.csrf };

    const wrong = await change(as, { current_password: 'not it', new_password: 'second password' });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual({ error: 'current password is wrong' });
    const short = await change(as, { current_password: 'first password', new_password: 'short' });
    expect(short.status).toBe(400);
    expect((await short.json()).error).toBe('new_password: must be at least 8 characters');
    expect(
      (await change({ ...sameOrigin, cookie: mine.cookie }, { current_password: 'first password', new_password: 'second password' }))
        .status,
    ).toBe(403);
    expect(await tasksAs(other.cookie)).toBe(200);

    expect((await change(as, { current_password: 'first password', new_password: 'second password' })).status).toBe(204);
    expect(await tasksAs(mine.cookie)).toBe(200);
    expect(await tasksAs(other.cookie)).toBe(401);
    await expect(signInCookie(h, 'frank', 'first password')).rejects.toThrow(/401/);
    await signInCookie(h, 'frank', 'second password');

    const audit = await (await h.app.request('/api/audit?actor=user:frank')).json();
    const actions = audit.entries.map((e: { action: string }) => e.action);
    expect(actions).toContain('password.change.failed');
    expect(actions).toContain('password.change');
  });

  it('is for users: 403 for an API token, 401 without signing in', async () => {
    const byToken = await change(bearer(p.tokens.admin), { current_password: 'x', new_password: 'long enough' });
    expect(byToken.status).toBe(403);
    expect((await byToken.json()).error).toMatch(/API token is not a user/);
    expect((await change({}, { current_password: 'x', new_password: 'long enough' })).status).toBe(401);
  });
});

describe('the password page', () => {
  it('is linked from every page, and changes the password with the form and its CSRF token', async () => {
    await h.app.request('/api/users', {
      method: 'POST',
      body: JSON.stringify({ name: 'gina', password: 'first password', role: 'viewer' }),
    });
    const me = await signInCookie(h, 'gina', 'first password');
    const other = await signInCookie(h, 'gina', 'first password');
    expect(await (await h.rawApp.request('/runs', { headers: { cookie: me.cookie } })).text()).toContain('href="/account/password"');
    const page = await (await h.rawApp.request('/account/password', { headers: { cookie: me.cookie } })).text();
    expect(page).toContain(`name="_csrf" value="${me.csrf}"`);

    const post = (fields: Record<string, string>) =>
      h.rawApp.request('/account/password', {
        method: 'POST',
        headers: { ...form, cookie: me.cookie },
        body: new URLSearchParams(fields).toString(),
      });
    const fields = {
      _csrf: me.csrf,
      current_password: 'first password',
      new_password: 'second password',
      confirm_password: 'second password',
    };
    expect((await post({ ...fields, _csrf: 'forged' })).status).toBe(403);
    const differ = await post({ ...fields, confirm_password: 'second passwort' });
    expect(differ.status).toBe(400);
    expect(await differ.text()).toContain('the new password and its repetition differ');
    const wrong = await post({ ...fields, current_password: 'not it' });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain('current password is wrong');

    const done = await post(fields);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/account/password?changed=1');
    expect(await (await h.rawApp.request('/account/password?changed=1', { headers: { cookie: me.cookie } })).text()).toContain(
      'Your password is changed',
    );
    expect(await tasksAs(other.cookie)).toBe(401);
    await signInCookie(h, 'gina', 'second password');
  });
});
