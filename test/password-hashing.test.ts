import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';

// TRUST_PROXY: every sign-in comes from an address of its own, so that only the hashing queue refuses.
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ TRUST_PROXY: '1' });
  writeTask(h.dirs, 'listed.sh', 'echo hi\n');
});
afterAll(() => h.close());

describe('password hashing under a flood of anonymous sign-ins', () => {
  it('refuses what its queue cannot hold with 429 and Retry-After, and a signed-in GET /api/tasks answers meanwhile', async () => {
    const total = 150;
    const flood = Array.from({ length: total }, (_, i) =>
      Promise.resolve(
        h.rawApp.request('/login', {
          method: 'POST',
          headers: {
            origin: 'http://localhost',
            host: 'localhost',
            'content-type': 'application/x-www-form-urlencoded',
            'x-forwarded-for': `10.7.${i >> 8}.${i & 255}`,
          },
          body: new URLSearchParams({ name: `visitor${i}`, password: 'any guess at all' }).toString(),
        }),
      ),
    );
    const answered: Response[] = [];
    for (const p of flood) void p.then((r) => answered.push(r));
    await waitFor(() => answered.some((r) => r.status === 429), 30_000, 'a sign-in refused by the full queue');

    const tasks = await h.app.request('/api/tasks');
    expect(tasks.status).toBe(200);
    expect((await tasks.json()).map((t: { id: string }) => t.id)).toContain('listed');
    expect(answered.length).toBeLessThan(total); // it answered while hashes were still waiting, not after them

    const all = await Promise.all(flood);
    expect(new Set(all.map((r) => r.status))).toEqual(new Set([401, 429]));
    for (const r of all.filter((a) => a.status === 429)) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await r.text()).toContain('too many sign-ins at once');
    }
  });
});
