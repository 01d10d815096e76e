import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

it('deleting a task drops its schedules and notification targets and revokes its webhooks; a new task of that id inherits none', async () => {
  const create = () => h.app.request('/api/tasks', json({ id: 'nightly', language: 'sh', content: 'echo hi\n' }));
  expect((await create()).status).toBe(201);
  expect((await h.app.request('/api/tasks/nightly/schedules', json({ cron: '0 3 * * *' }))).status).toBe(201);
  const hook = await (await h.app.request('/api/tasks/nightly/webhooks', json({ name: 'ci' }))).json();
  expect(
    (await h.app.request('/api/tasks/nightly/notifications', json({ name: 'chat', url: 'http://127.0.0.1:9/x', events: ['failed'] })))
      .status,
  ).toBe(201);

  expect((await h.app.request('/api/tasks/nightly', { method: 'DELETE' })).status).toBe(204);
  expect((await create()).status).toBe(201);

  expect(await (await h.app.request('/api/tasks/nightly/schedules')).json()).toEqual([]);
  expect(await (await h.app.request('/api/tasks/nightly/notifications')).json()).toEqual([]);
  const hooks = await (await h.app.request('/api/tasks/nightly/webhooks')).json();
  expect(hooks).toHaveLength(1);
  expect(hooks[0].revoked_at).not.toBeNull();
  const secret = String(hook.url).split('/hooks/')[1];
  expect((await h.rawApp.request(`/hooks/${secret}`, { method: 'POST' })).status).toBe(404);
});
