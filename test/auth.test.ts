import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTask } from './support/dirs';
import { createHarness, type Harness } from './support/harness';
import { seedPrincipals, signInCookie, type Principals } from './support/principals';

let h: Harness;
let p: Principals;
beforeAll(async () => {
  h = await createHarness();
  p = await seedPrincipals(h);
});
afterAll(() => h.close());

const sameOrigin = { origin: 'http://localhost', host: 'localhost' };
const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

describe('sessions and CSRF', () => {
  it('needs the CSRF token and a same-origin Origin for a cookie-authenticated change', async () => {
    writeTask(h.dirs, 'csrf.sh', 'echo hi\n');
    const { cookie, csrf } = await signInCookie(h, 'user-operator', p.password);
    const run = (headers: Record<string, string>) =>
      h.rawApp.request('/api/tasks/csrf/execute', { method: 'POST', headers: { cookie, ...headers } });
    expect((await run({ ...sameOrigin })).status).toBe(403);
    expect((await run({ ...sameOrigin, 'x-csrf-token': 'wrong' })).status).toBe(403);
    expect((await run({ origin: 'http://evil.example', host: 'localhost', 'x-csrf-token': csrf })).status).toBe(403);
    expect((await run({ host: 'localhost', 'x-csrf-token': csrf })).status).toBe(403);
    expect((await run({ ...sameOrigin, 'x-csrf-token': csrf })).status).toBe(202);
  });

  it('rotates the session at sign-in, ends it at sign-out and when the user is removed', async () => {
    await h.app.request('/api/users', {
      method: 'POST',
      body: JSON.stringify({ name: 'temp', password: 'temporary-pass', role: 'viewer' }),
      headers: { 'content-type': 'application/json' },
    });
    const a = await signInCookie(h, 'temp', 'temporary-pass');
    const b = await signInCookie(h, 'temp', 'temporary-pass');
    expect(a.cookie).not.toBe(b.cookie);
    const set = (
      await h.rawApp.request('/login', {
        method: 'POST',
        headers: { ...sameOrigin, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=temp&password=temporary-pass',
      })
    ).headers.get('set-cookie')!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Lax/i);
    expect((await h.rawApp.request('/api/tasks', { headers: { cookie: a.cookie } })).status).toBe(200);
    const out = await h.rawApp.request('/logout', {
      method: 'POST',
      headers: { cookie: a.cookie, ...sameOrigin, 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${a.csrf}`,
    });
    expect(out.status).toBe(303);
    expect((await h.rawApp.request('/api/tasks', { headers: { cookie: a.cookie } })).status).toBe(401);
    expect((await h.app.request('/api/users/temp', { method: 'DELETE' })).status).toBe(204);
    expect((await h.rawApp.request('/api/tasks', { headers: { cookie: b.cookie } })).status).toBe(401);
  });

  it('rate-limits failed sign-ins per user with 429 and Retry-After', async () => {
    const attempt = () =>
      h.rawApp.request('/login', {
        method: 'POST',
        headers: { ...sameOrigin, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=user-viewer&password=wrong-password',
      });
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const right = await h.rawApp.request('/login', {
      method: 'POST',
      headers: { ...sameOrigin, 'content-type': 'application/x-www-form-urlencoded' },
      body: `name=user-viewer&password=${encodeURIComponent(p.password)}`,
    });
    expect(right.status).toBe(429); // even the right password waits: that is what makes guessing slow
  });
});

describe('audit log', () => {
  it('records task changes with content hashes, runs and cancels, with who and from where; rows cannot be changed', async () => {
    await h.app.request('/api/tasks', { method: 'POST', body: JSON.stringify({ id: 'audited', language: 'sh', content: 'sleep 30\n' }) });
    await h.app.request('/api/tasks/audited', { method: 'PUT', body: JSON.stringify({ content: 'sleep 60\n' }) });
    const { run_id } = await (await h.app.request('/api/tasks/audited/execute', { method: 'POST' })).json();
    await h.app.request(`/api/runs/${run_id}/cancel`, { method: 'POST' });
    await h.app.request('/api/tasks/other', { method: 'DELETE' });
    const page = await (await h.app.request('/api/audit?limit=50')).json();
    const mine = page.entries.filter((e: { target: string }) => e.target === 'audited' || e.target === String(run_id));
    expect(mine.map((e: { action: string }) => e.action).reverse()).toEqual(['task.create', 'task.edit', 'run.execute', 'run.cancel']);
    const edit = mine.find((e: { action: string }) => e.action === 'task.edit');
    expect(edit).toMatchObject({
      actor: 'token:test-admin',
      details: { content_sha256_before: sha('sleep 30\n'), content_sha256_after: sha('sleep 60\n') },
    });
    const filtered = await (await h.app.request('/api/audit?action=task.edit')).json();
    expect(filtered.entries.every((e: { action: string }) => e.action === 'task.edit')).toBe(true);
    await expect(h.tdb.db.execute(sql`update audit_log set actor = 'someone else'`)).rejects.toThrow();
    await expect(h.tdb.db.execute(sql`delete from audit_log`)).rejects.toThrow();
    const html = await (await h.app.request('/audit?action=task.edit')).text();
    expect(html).toContain('token:test-admin');
  });
});
