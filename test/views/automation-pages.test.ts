import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTaskSettings } from '../../src/queries/task-settings';
import { writeTask } from '../support/dirs';
import { createHarness, type Harness } from '../support/harness';
import { bearer, seedPrincipals, type Principals } from '../support/principals';
import { HX, page } from './page-request';

// The webhook and notification fragments of a task's page and the admins' /notifications page.

let h: Harness;
let p: Principals;
beforeAll(async () => {
  h = await createHarness({ PUBLIC_URL: 'https://runs.example.com' });
  p = await seedPrincipals(h);
  writeTask(h.dirs, 'job.sh', 'echo hi\n');
  await saveTaskSettings(h.deps.db, 'job', { params: [{ name: 'who', type: 'string', default: "o'neil" }] });
});
afterAll(() => h.close());

const form = (fields: [string, string][], target: string): RequestInit => ({
  method: 'POST',
  body: new URLSearchParams(fields).toString(),
  headers: { ...HX(target), 'content-type': 'application/x-www-form-urlencoded' },
});

describe('the task page', () => {
  it('loads the webhook and notification parts for editors only', async () => {
    const asAdmin = await page(h, '/tasks/job/edit');
    expect(asAdmin.html).toContain('hx-get="/tasks/job/webhooks"');
    expect(asAdmin.html).toContain('hx-get="/tasks/job/notifications"');
    const asViewer = await page(h, '/tasks/job/edit', { headers: bearer(p.tokens.viewer) });
    expect(asViewer.status).toBe(200);
    expect(asViewer.html).not.toContain('/tasks/job/webhooks');
    expect(asViewer.html).not.toContain('/tasks/job/notifications');
  });
});

describe('webhook fragments', () => {
  it('creates a webhook, shows its URL and a curl example once, then lists it without them', async () => {
    const created = await page(h, '/tasks/job/webhooks', form([['name', 'Deploy <b>now</b>']], 'webhooks'));
    expect(created.status).toBe(200);
    const secret = /\/hooks\/(whk_[A-Za-z0-9_-]{43})/.exec(created.html)?.[1];
    expect(secret).toBeDefined();
    expect(created.html).toContain(`https://runs.example.com/hooks/${secret}`);
    // The example body holds the task's parameters, quoted for the shell (and escaped for HTML).
    expect(created.html).toContain(`-d &#39;{&quot;who&quot;:&quot;o&#39;\\&#39;&#39;neil&quot;}&#39;`);
    expect(created.html).toContain('Deploy &lt;b&gt;now&lt;/b&gt;');
    expect(created.html).toContain('shown only this once');
    const again = await page(h, '/tasks/job/webhooks', { headers: HX('webhooks') });
    expect(again.html).toContain('Deploy &lt;b&gt;now&lt;/b&gt;');
    expect(again.html).not.toContain(secret!);
    const id = /hx-post="\/webhooks\/(\d+)\/revoke"/.exec(again.html)![1];
    const revoked = await page(h, `/webhooks/${id}/revoke`, { method: 'POST', headers: HX('webhooks') });
    expect(revoked.html).toMatch(/revoked <time/);
    expect((await h.rawApp.request(`/hooks/${secret}`, { method: 'POST' })).status).toBe(404);
  });

  it('shows a refused name in the form status', async () => {
    const res = await page(h, '/tasks/job/webhooks', form([['name', '  ']], 'webhooks'));
    expect(res.status).toBe(400);
    expect(res.headers.get('HX-Retarget')).toBe('#webhook-form-status');
    expect(res.html).toContain('name: must not be empty');
  });
});

describe('notification fragments', () => {
  it('adds a target with its secret shown once, disables it, shows its delivery log and deletes it', async () => {
    const fields: [string, string][] = [
      ['name', 'chat'],
      ['url', 'https://chat.example.com/in'],
      ['events', 'failed'],
      ['events', 'timeout'],
    ];
    const created = await page(h, '/tasks/job/notifications', form(fields, 'notifications'));
    expect(created.status).toBe(200);
    const secret = /(whsec_[A-Za-z0-9_-]{43})/.exec(created.html)?.[1];
    expect(secret).toBeDefined();
    expect(created.html).toContain('failed, timeout');
    const [target] = await (await h.app.request('/api/tasks/job/notifications')).json();
    expect(target).toMatchObject({ name: 'chat', events: ['failed', 'timeout'], enabled: true });

    const listed = await page(h, '/tasks/job/notifications', { headers: HX('notifications') });
    expect(listed.html).not.toContain(secret!);
    const off = await page(h, `/notifications/${target.id}/enabled`, form([['enabled', 'false']], 'notifications'));
    expect(off.html).toContain('>Enable<');
    expect((await (await h.app.request('/api/tasks/job/notifications')).json())[0].enabled).toBe(false);

    const log = await page(h, `/notifications/${target.id}/deliveries`, { headers: HX('delivery-log') });
    expect(log.html).toContain('Nothing sent yet.');

    const gone = await page(h, `/notifications/${target.id}/delete`, { method: 'POST', headers: HX('notifications') });
    expect(gone.html).toContain('No targets yet.');
  });

  it('names a bad URL and missing events in the form status', async () => {
    const res = await page(
      h,
      '/tasks/job/notifications',
      form(
        [
          ['name', 'x'],
          ['url', 'ftp://files.example.com/'],
        ],
        'notifications',
      ),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('HX-Retarget')).toBe('#target-form-status');
    expect(res.html).toContain('url: must use http or https');
    expect(res.html).toContain('events: must name at least one event');
  });

  it('refuses a metadata address, however spelled, in the form status', async () => {
    const res = await page(
      h,
      '/tasks/job/notifications',
      form(
        [
          ['name', 'x'],
          ['url', 'http://0xa9fea9fe/latest/'],
          ['events', 'any'],
        ],
        'notifications',
      ),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('HX-Retarget')).toBe('#target-form-status');
    expect(res.html).toContain('url: 169.254.169.254 is a link-local or cloud metadata address');
    expect(await (await h.app.request('/api/tasks/job/notifications')).json()).toEqual([]);
  });

  it('gives admins a page of global targets, linked from the account menu', async () => {
    const res = await page(h, '/notifications');
    expect(res.status).toBe(200);
    expect(res.html).toContain('<a href="/notifications">Notifications</a>');
    expect(res.html).toContain('hx-post="/notifications"');
    const created = await page(
      h,
      '/notifications',
      form(
        [
          ['name', 'ops'],
          ['url', 'http://ops.example.com/'],
          ['events', 'any'],
        ],
        'notifications',
      ),
    );
    expect(created.html).toContain('Global targets');
    expect((await (await h.app.request('/api/notifications')).json())[0]).toMatchObject({ task_id: null, name: 'ops', events: ['any'] });
    expect((await page(h, '/notifications', { headers: bearer(p.tokens.editor) })).status).toBe(403);
  });
});
