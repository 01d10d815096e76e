import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFirstAdmin } from '../src/services/setup-service';
import { createHarness, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const form = (body: Record<string, string>) => ({
  method: 'POST',
  headers: { origin: 'http://localhost', host: 'localhost', 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(body).toString(),
});

describe('first start', () => {
  it('with no user, /login leads to /setup, which takes the one-time code to create the first admin', async () => {
    const code = await ensureFirstAdmin(h.deps);
    expect(code).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await h.rawApp.request('/login')).headers.get('location')).toBe('/setup');
    const wrong = await h.rawApp.request('/setup', form({ code: 'not-the-code', name: 'root', password: 'long-enough-pw' }));
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toMatch(/wrong setup code/);
    const ok = await h.rawApp.request('/setup', form({ code: code!, name: 'root', password: 'long-enough-pw' }));
    expect(ok.status).toBe(303);
    const cookie = ok.headers.get('set-cookie')!.split(';')[0];
    expect((await h.rawApp.request('/api/tasks', { headers: { cookie } })).status).toBe(200);
    // Used up: setup is closed and the code does nothing any more.
    expect((await h.rawApp.request('/setup')).headers.get('location')).toBe('/login');
    expect((await h.rawApp.request('/setup', form({ code: code!, name: 'second', password: 'long-enough-pw' }))).status).toBe(409);
    expect(await ensureFirstAdmin(h.deps)).toBeUndefined();
  });

  it('ADMIN_PASSWORD creates the user admin instead', async () => {
    const other = await createHarness({ ADMIN_PASSWORD: 'from-the-environment' });
    try {
      expect(await ensureFirstAdmin(other.deps)).toBeUndefined();
      const res = await other.rawApp.request('/login', form({ name: 'admin', password: 'from-the-environment' }));
      expect(res.status).toBe(303);
    } finally {
      await other.close();
    }
  });
});
